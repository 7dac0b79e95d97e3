import axios from 'axios';

/** How long one QuickBooks or Intuit OAuth request may take; Intuit itself gives up at 120 s. */
export const DEFAULT_DEADLINE_MS = 60_000;

/** A request ran past its deadline and was abandoned. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${seconds(ms)}`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * The signal of the deadline whose work is starting. Both libraries start their axios request
 * synchronously inside the call withDeadline makes, so a variable set around that synchronous
 * part reaches the (synchronous) interceptor. AsyncLocalStorage would too, but on Node 20 it
 * switches on promise hooks for the whole process: a full sync took 18% longer with it.
 * (intuit-oauth's own retries, which would start later without the signal, are turned off in
 * oauth.ts.)
 */
let starting: AbortSignal | undefined;

// node-quickbooks and intuit-oauth send through axios' shared default instance and take neither a
// timeout nor a signal per call. This gives every request they start inside withDeadline the
// deadline's signal, so an abandoned request is aborted (its socket closed), not left hanging.
axios.interceptors.request.use(
  (request) => {
    const signal = starting;
    if (signal && !request.signal) request.signal = signal;
    return request;
  },
  undefined,
  { synchronous: true },
);

/**
 * Runs `work` under a deadline of `ms`: at the deadline the signal aborts whatever request is in
 * flight (fetch, or axios inside either library) and the promise rejects with DeadlineExceeded,
 * even if the library never notices the abort.
 */
export function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceeded(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const previous = starting;
  starting = controller.signal;
  let working: Promise<T>;
  try {
    working = work(controller.signal);
  } finally {
    starting = previous;
  }
  return Promise.race([working, expired]).finally(() => clearTimeout(timer));
}

export function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
