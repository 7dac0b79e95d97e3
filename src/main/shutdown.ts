import type { AppContext } from '../app-context';
import type { WorkerHost } from '../jobs/worker-host';
import type { RunningInbound } from './inbound';
import type { RunningWeb } from './web';
import type { RunningHealth } from './worker-health';

/**
 * The whole stop of a process fits in 25 s, inside the 30 s Kubernetes (and Docker's default of
 * 10 s aside, most process managers) allow before SIGKILL.
 */
export const STOP_BUDGET_MS = 25_000;
/** In-flight jobs and requests get this long; the rest of the budget closes connections. */
export const WORK_GRACE_MS = 20_000;

export interface ProcessParts {
  web?: RunningWeb;
  worker?: WorkerHost;
  health?: RunningHealth;
  inbound?: RunningInbound;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Stops a process's parts, all at once rather than one after the other:
 * - readiness fails at the first moment (so no new work is routed here);
 * - the worker takes no new job; jobs in flight get WORK_GRACE_MS, then are released for another worker;
 * - the web keeps answering for `drainMs` (while the load balancer notices), then accepts nothing
 *   new; requests in flight get until WORK_GRACE_MS, then their connections are closed;
 * - then the health port, Redis and the database close.
 */
export async function stopProcess(context: AppContext, parts: ProcessParts, drainMs: number): Promise<void> {
  const started = Date.now();
  context.lifecycle.beginStopping();
  const worker = parts.worker?.stop();
  const web = parts.web
    ? (async () => {
        await sleep(Math.min(drainMs, WORK_GRACE_MS / 2));
        await parts.web!.stop(WORK_GRACE_MS - (Date.now() - started));
      })()
    : undefined;
  const results = await Promise.allSettled([worker, web, parts.inbound?.stop()]);
  for (const result of results) if (result.status === 'rejected') context.logger.error({ err: result.reason }, 'error while stopping');
  await parts.health?.stop().catch((error) => context.logger.error({ err: error }, 'error while stopping the health port'));
  await context.close();
}

/**
 * On SIGTERM or SIGINT: stop within STOP_BUDGET_MS and exit 0; past it, exit 1 anyway. The web
 * drains only on SIGTERM (a process manager stopping it); Ctrl-C (SIGINT) stops at once. A second
 * signal exits at once.
 */
export function stopOnSignals(context: AppContext, parts: ProcessParts): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    const drainMs = signal === 'SIGTERM' && parts.web ? context.config.shutdownDrainMs : 0;
    context.logger.info({ signal, drainMs, budgetMs: STOP_BUDGET_MS }, 'shutting down');
    setTimeout(() => {
      context.logger.error({ budgetMs: STOP_BUDGET_MS }, 'did not stop in time; exiting anyway');
      process.exit(1);
    }, STOP_BUDGET_MS - 500).unref();
    stopProcess(context, parts, drainMs).then(
      () => {
        context.logger.info({ signal }, 'stopped');
        process.exit(0);
      },
      (error) => {
        context.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
