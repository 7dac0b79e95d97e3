import { randomUUID } from 'node:crypto';
import QuickBooks from 'node-quickbooks';
import type { CompaniesRepository } from '../db/companies-repository';
import type { Logger } from '../logger';
import { NO_METRICS, type QuickBooksMetrics, type QuickBooksOutcome, type QuickBooksRequestKind } from '../metrics';
import { DEFAULT_DEADLINE_MS, DeadlineExceeded, seconds, withDeadline } from './deadline';
import { QuickBooksFault, ReconnectRequiredError } from './errors';
import { parseFault } from './faults';
import type { QuickBooksReadKind } from '../db/quickbooks-reads-repository';
import type { RealmRateLimiter } from './rate-limit';
import { NO_READ_COUNTER, type ReadCounter } from './read-meter';
import type { TokenManager } from './token-manager';

export const MINOR_VERSION = '75';

export interface RetryPolicy {
  /** Attempts for 5xx and network failures. */
  transientAttempts: number;
  /** Attempts while QuickBooks throttles (429 / 3001); enough to outlast a minute-long storm. */
  throttleAttempts: number;
  /** Attempts of a request that ran past its deadline: each one already waited the whole deadline. */
  timeoutAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { transientAttempts: 6, throttleAttempts: 14, timeoutAttempts: 2, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface ClientDeps {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  tokens: TokenManager;
  companies: CompaniesRepository;
  limiter: RealmRateLimiter;
  logger: Logger;
  retry?: RetryPolicy;
  /** Deadline of one request, in ms (DEFAULT_DEADLINE_MS). */
  deadlineMs?: number;
  /** Counts every attempt by kind and outcome (metered reads apart). */
  metrics?: QuickBooksMetrics;
  /** Counts every metered read sent (each attempt: a retried read is read again), per company. */
  reads?: ReadCounter;
}

/** What one attempt produced: a body, or a fault to classify. */
type Outcome<T> = { ok: true; value: T } | { ok: false; fault: QuickBooksFault };

interface RawRequest {
  method?: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  requestId?: string;
  /** The answer is a file (an invoice's PDF), not JSON. */
  binary?: boolean;
}

type QboCallback = (error: unknown, body?: unknown) => void;
type NodeQuickBooksCall = (qbo: QuickBooks, callback: QboCallback) => void;
/** One try of a request with a token, under the deadline's signal. */
type Attempt<T> = (token: string, signal: AbortSignal) => Promise<Outcome<T>>;

export interface CompanyInfo {
  CompanyName: string;
  LegalName?: string;
  Country?: string;
  Email?: { Address?: string };
  PrimaryPhone?: { FreeFormNumber?: string };
  CompanyAddr?: Record<string, string | undefined>;
  NameValue?: Array<{ Name: string; Value: string }>;
}

export interface QueryPage<T = Record<string, unknown>> {
  rows: T[];
  startPosition?: number;
  maxResults?: number;
  totalCount?: number;
}

/**
 * The one door to the QuickBooks Accounting API. Every call takes its token from the token
 * manager and a slot from the per-company rate limiter, carries minorversion 75 (and a
 * requestid on writes), and turns any answer into a value or a typed fault with its intuit_tid.
 * Every request, through node-quickbooks or raw, has a deadline: past it the request is aborted
 * and counts as a retryable fault. Throttling waits and retries; 5xx, network failures and
 * timeouts back off with jitter a bounded number of times; a 401 refreshes once and retries; a
 * second 401 means the connection is gone.
 */
export class QuickBooksClient {
  private readonly retry: RetryPolicy;
  private readonly deadlineMs: number;
  private readonly metrics: QuickBooksMetrics;
  private readonly reads: ReadCounter;

  constructor(private readonly deps: ClientDeps) {
    this.reads = deps.reads ?? NO_READ_COUNTER;
    this.retry = deps.retry ?? DEFAULT_RETRY;
    this.deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  // ---- the calls Ardesk makes ----------------------------------------------------------------

  /** `SELECT * FROM <entity> <clause>`, e.g. clause `ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000`. */
  async query<T = Record<string, unknown>>(realmId: string, entity: string, clause: string): Promise<QueryPage<T>> {
    const request = `SELECT * FROM ${entity} ${clause.trim()}`;
    const body = await this.viaNodeQuickBooks<{ QueryResponse?: Record<string, unknown> }>(realmId, 'query', request, (qbo, cb) => {
      const finder = (qbo as unknown as Record<string, (criteria: string, cb: QboCallback) => void>)[`find${pluralOf(entity)}`];
      if (!finder) throw new Error(`node-quickbooks cannot query ${entity}`);
      finder.call(qbo, ` ${clause.trim()}`, cb);
    });
    return pageOf<T>(body.QueryResponse, entity);
  }

  /** `SELECT COUNT(*) FROM <entity> <where>`: one metered read, whatever the count. */
  async count(realmId: string, entity: string, where: string): Promise<number> {
    const answer = await this.raw<{ QueryResponse?: { totalCount?: number } }>(realmId, { path: 'query', query: { query: `SELECT COUNT(*) FROM ${entity} ${where.trim()}`.trim() } });
    return Number(answer.QueryResponse?.totalCount ?? 0);
  }

  /** `SELECT Id FROM <entity> <clause>`: the ids of a page, without the rows. */
  async ids(realmId: string, entity: string, clause: string): Promise<string[]> {
    const answer = await this.raw<{ QueryResponse?: Record<string, unknown> }>(realmId, { path: 'query', query: { query: `SELECT Id FROM ${entity} ${clause.trim()}` } });
    return pageOf<{ Id: unknown }>(answer.QueryResponse, entity).rows.map((row) => String(row.Id));
  }

  /** One change-data-capture call for several entities; deleted objects come back with status "Deleted". */
  async changesSince(realmId: string, entities: string[], since: Date): Promise<{ changes: Record<string, Array<Record<string, unknown>>>; time?: string }> {
    const request = `CDC ${entities.join(',')} changed since ${since.toISOString()}`;
    const body = await this.viaNodeQuickBooks<{ CDCResponse?: Array<{ QueryResponse?: Array<Record<string, unknown>> }>; time?: string }>(realmId, 'cdc', request, (qbo, cb) =>
      qbo.changeDataCapture(entities, since.toISOString(), cb),
    );
    const changes: Record<string, Array<Record<string, unknown>>> = {};
    for (const section of body.CDCResponse?.[0]?.QueryResponse ?? []) {
      for (const [key, value] of Object.entries(section)) if (Array.isArray(value)) changes[key] = [...(changes[key] ?? []), ...(value as Array<Record<string, unknown>>)];
    }
    return { changes, time: body.time };
  }

  /**
   * Up to 30 operations in one request. Sent raw rather than through node-quickbooks, whose
   * batch call cannot carry a `requestid`: with one, a retried batch returns the first answer
   * instead of doing the work twice.
   */
  async batch(realmId: string, items: Array<Record<string, unknown>>, requestId: string): Promise<Array<Record<string, unknown>>> {
    if (items.length === 0 || items.length > 30) throw new Error(`A batch holds 1 to 30 operations, not ${items.length}`);
    const body = await this.raw<{ BatchItemResponse?: Array<Record<string, unknown>> }>(realmId, { method: 'POST', path: 'batch', body: { BatchItemRequest: items }, requestId });
    return body.BatchItemResponse ?? [];
  }

  /**
   * A sparse update that survives a concurrent edit: on 5010 (stale SyncToken) it reads the
   * entity again and re-applies `change` to the fresh copy, up to three times.
   */
  async update<T extends Record<string, unknown>>(realmId: string, entity: string, id: string, change: (current: T) => Record<string, unknown>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read<T>(realmId, entity, id);
      const patch = { ...change(current), Id: id, SyncToken: String(current.SyncToken), sparse: true };
      try {
        const answer = await this.raw<Record<string, T>>(realmId, { method: 'POST', path: entity.toLowerCase(), body: patch, requestId: randomUUID() });
        return answer[entity] as T;
      } catch (error) {
        if (!(error instanceof QuickBooksFault) || error.faultCode !== '5010' || attempt >= 3) throw error;
        this.deps.logger.info({ realmId, entity, id, attempt }, 'stale SyncToken: reading again and retrying the update');
      }
    }
  }

  /**
   * Sets the customer's primary email: a sparse update naming only `PrimaryEmailAddr`, so
   * nothing else the bookkeeper keeps on the customer is touched. `requestId` makes a retried
   * write (a lost answer, a re-run job) the same write; after a stale SyncToken the fresh copy is
   * written under a request id of its own, since QuickBooks replays the first answer of an id.
   */
  async updateCustomerEmail(realmId: string, customerId: string, email: string, requestId: string): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read<Record<string, unknown>>(realmId, 'Customer', customerId);
      const patch = { Id: customerId, SyncToken: String(current.SyncToken), sparse: true, PrimaryEmailAddr: { Address: email } };
      try {
        const answer = await this.raw<{ Customer: Record<string, unknown> }>(realmId, { method: 'POST', path: 'customer', body: patch, requestId: attempt === 1 ? requestId : `${requestId}-${attempt}` });
        return answer.Customer;
      } catch (error) {
        if (!(error instanceof QuickBooksFault) || error.faultCode !== '5010' || attempt >= 3) throw error;
        this.deps.logger.info({ realmId, customerId, attempt }, 'stale SyncToken: reading the customer again before writing its email');
      }
    }
  }

  /** One entity by id (node-quickbooks hands back the entity itself, not its envelope). */
  async read<T = Record<string, unknown>>(realmId: string, entity: string, id: string): Promise<T> {
    const body = await this.viaNodeQuickBooks<Record<string, unknown>>(realmId, 'read', `read ${entity} ${id}`, (qbo, cb) => {
      const getter = (qbo as unknown as Record<string, (id: string, cb: QboCallback) => void>)[`get${entity}`];
      if (!getter) throw new Error(`node-quickbooks cannot read ${entity}`);
      getter.call(qbo, id, cb);
    });
    return body as T;
  }

  async companyInfo(realmId: string): Promise<CompanyInfo> {
    const answer = await this.raw<{ CompanyInfo: CompanyInfo }>(realmId, { path: `companyinfo/${encodeURIComponent(realmId)}` });
    return answer.CompanyInfo;
  }

  /**
   * Invoices by id with their online pay link: `include=invoiceLink` is not something
   * node-quickbooks can ask for, so this goes out raw. One query with `Id IN (...)`.
   */
  async invoicesWithLinks(realmId: string, ids: string[]): Promise<Array<Record<string, unknown>>> {
    if (ids.length === 0) return [];
    const list = ids.map((id) => `'${id.replace(/'/g, "\\'")}'`).join(', ');
    const answer = await this.raw<{ QueryResponse?: Record<string, unknown> }>(realmId, {
      path: 'query',
      query: { query: `SELECT * FROM Invoice WHERE Id IN (${list}) MAXRESULTS 1000`, include: 'invoiceLink' },
    });
    return pageOf<Record<string, unknown>>(answer.QueryResponse, 'Invoice').rows;
  }

  /** An invoice as QuickBooks prints it (`invoice/:id/pdf`). */
  async invoicePdf(realmId: string, invoiceId: string): Promise<Buffer> {
    return this.raw<Buffer>(realmId, { path: `invoice/${encodeURIComponent(invoiceId)}/pdf`, binary: true });
  }

  // ---- transports ------------------------------------------------------------------------------

  private instance(realmId: string, token: string): QuickBooks {
    const qbo = new QuickBooks(this.deps.clientId, this.deps.clientSecret, token, false, realmId, true, false, MINOR_VERSION, '2.0', null);
    // Configuration decides where QuickBooks is (Intuit's sandbox, production, or the local emulator).
    (qbo as unknown as { endpoint: string }).endpoint = this.deps.apiBase;
    return qbo;
  }

  private viaNodeQuickBooks<T>(realmId: string, kind: 'query' | 'read' | 'cdc', request: string, call: NodeQuickBooksCall): Promise<T> {
    // The deadline reaches node-quickbooks' own request through the signal withDeadline carries.
    return this.withRetries(realmId, kind, kind, request, (token) =>
      new Promise<Outcome<T>>((resolve) => {
        call(this.instance(realmId, token), (error, body) => {
          if (!error) return resolve({ ok: true, value: body as T });
          resolve({ ok: false, fault: faultOfNodeQuickBooks(error) });
        });
      }),
    );
  }

  /**
   * Proves that freshly issued tokens belong to `realmId` before anything is stored: one
   * CompanyInfo read with exactly that access token, outside the token manager (which would use
   * the company's stored tokens). QuickBooks answers a token of another company with 403 / 3100.
   */
  async companyInfoWithToken(realmId: string, accessToken: string): Promise<CompanyInfo> {
    const release = await this.deps.limiter.acquire(realmId, false);
    const options: RawRequest = { path: `companyinfo/${encodeURIComponent(realmId)}` };
    let outcome: Outcome<{ CompanyInfo: CompanyInfo }>;
    try {
      outcome = await this.timed(describe(options), (signal) => this.send(realmId, options, accessToken, signal));
    } finally {
      await release();
    }
    this.metrics.quickBooksRequest('read', outcomeOf(outcome));
    await this.countRead(realmId, 'read', outcome);
    if (!outcome.ok) {
      this.deps.logger.warn({ realmId, request: describe(options), status: outcome.fault.httpStatus, code: outcome.fault.faultCode, intuitTid: outcome.fault.intuitTid }, 'new tokens could not read the claimed company');
      throw outcome.fault;
    }
    return outcome.value.CompanyInfo;
  }

  async raw<T>(realmId: string, options: RawRequest): Promise<T> {
    return this.withRetries(realmId, options.path, kindOf(options), describe(options), (token, signal) => this.send<T>(realmId, options, token, signal));
  }

  private async send<T>(realmId: string, options: RawRequest, token: string, signal: AbortSignal): Promise<Outcome<T>> {
    const url = new URL(`${this.deps.apiBase}${encodeURIComponent(realmId)}/${options.path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    url.searchParams.set('minorversion', MINOR_VERSION);
    if (options.method === 'POST') url.searchParams.set('requestid', options.requestId ?? randomUUID());
    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers: { authorization: `Bearer ${token}`, accept: options.binary ? 'application/pdf' : 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        signal,
      });
    } catch (error) {
      return { ok: false, fault: networkFault(error) };
    }
    const tid = response.headers.get('intuit_tid') ?? response.headers.get('intuit-tid') ?? undefined;
    if (options.binary && response.ok) return { ok: true, value: Buffer.from(await response.arrayBuffer()) as T };
    const text = await response.text();
    const fault = parseFault(response.status, text, tid);
    return fault ? { ok: false, fault } : { ok: true, value: JSON.parse(text) as T };
  }

  /** One attempt under the deadline; running past it is a retryable `timeout` fault. */
  private async timed<T>(request: string, attempt: (signal: AbortSignal) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    try {
      return await withDeadline(this.deadlineMs, attempt);
    } catch (error) {
      if (!(error instanceof DeadlineExceeded)) throw error;
      return { ok: false, fault: timeoutFault(error.ms, request) };
    }
  }

  /** The one place reads are counted: every attempt that may have reached QuickBooks (not one it never could). */
  private async countRead(realmId: string, kind: QuickBooksReadKind, outcome: Outcome<unknown>): Promise<void> {
    if (!outcome.ok && outcome.fault.faultCode === 'network') return;
    await this.reads.counted(realmId, kind);
  }

  // ---- the retry policy ------------------------------------------------------------------------

  private async withRetries<T>(realmId: string, kind: string, meterKind: QuickBooksRequestKind, request: string, attempt: Attempt<T>): Promise<T> {
    let token = await this.deps.tokens.accessToken(realmId);
    let refreshed = false;
    let transient = 0;
    let throttled = 0;
    let timedOut = 0;
    for (;;) {
      const release = await this.deps.limiter.acquire(realmId, kind === 'batch');
      let outcome: Outcome<T>;
      try {
        outcome = await this.timed(request, (signal) => attempt(token, signal));
      } finally {
        await release();
      }
      this.metrics.quickBooksRequest(meterKind, outcomeOf(outcome));
      const read = readKindOf(kind, meterKind);
      if (read) await this.countRead(realmId, read, outcome);
      if (outcome.ok) return outcome.value;
      const { fault } = outcome;
      if (fault.httpStatus === 401) {
        if (!refreshed) {
          refreshed = true;
          token = await this.deps.tokens.afterRejection(realmId, token);
          continue;
        }
        await this.deps.companies.setStatus(realmId, 'needs_reconnect', 'QuickBooks refused our access (the app may have been disconnected in QuickBooks). Reconnect to resume.');
        throw new ReconnectRequiredError(realmId, 'QuickBooks answered 401 after a refresh');
      }
      const isThrottle = fault.httpStatus === 429 || fault.faultCode === '3001';
      const isTimeout = fault.faultCode === 'timeout';
      const again = isThrottle
        ? ++throttled < this.retry.throttleAttempts
        : isTimeout
          ? ++timedOut < this.retry.timeoutAttempts
          : fault.retryable && ++transient < this.retry.transientAttempts;
      if (again) {
        const n = isThrottle ? throttled : isTimeout ? timedOut : transient;
        const delay = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (n - 1)) * (0.5 + Math.random() / 2);
        const message = isThrottle ? 'QuickBooks throttled us; waiting' : isTimeout ? 'QuickBooks did not answer in time; retrying' : 'QuickBooks call failed; retrying';
        this.deps.logger.warn({ realmId, kind, request, status: fault.httpStatus, code: fault.faultCode, intuitTid: fault.intuitTid, retryInMs: Math.round(delay) }, message);
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      this.deps.logger.warn({ realmId, kind, request, status: fault.httpStatus, code: fault.faultCode, intuitTid: fault.intuitTid, detail: fault.detail }, 'QuickBooks fault');
      throw fault;
    }
  }
}

function pluralOf(entity: string): string {
  return entity.endsWith('y') ? `${entity.slice(0, -1)}ies` : entity.endsWith('s') ? `${entity}es` : `${entity}s`;
}

function pageOf<T>(response: Record<string, unknown> | undefined, entity: string): QueryPage<T> {
  const key = Object.keys(response ?? {}).find((k) => k.toLowerCase() === entity.toLowerCase());
  return {
    rows: (key ? (response![key] as T[]) : []) ?? [],
    startPosition: response?.startPosition as number | undefined,
    maxResults: response?.maxResults as number | undefined,
    totalCount: response?.totalCount as number | undefined,
  };
}

/** The kind of a raw request, for the metrics: Intuit meters reads, not writes. */
function kindOf(options: RawRequest): QuickBooksRequestKind {
  if (options.method !== 'POST') return options.path === 'query' ? 'query' : 'read';
  return options.path === 'batch' ? 'batch' : 'write';
}

/** The metered kind of a request ("CorePlus": queries, reads, CDC, reports), or undefined for a write. */
function readKindOf(path: string, kind: QuickBooksRequestKind): QuickBooksReadKind | undefined {
  if (kind === 'query' || kind === 'cdc') return kind;
  if (kind !== 'read') return undefined;
  return path.startsWith('reports/') ? 'report' : 'read';
}

function outcomeOf(outcome: Outcome<unknown>): QuickBooksOutcome {
  if (outcome.ok) return 'ok';
  const { fault } = outcome;
  if (fault.httpStatus === 429 || fault.faultCode === '3001') return 'throttled';
  if (fault.faultCode === 'timeout') return 'timeout';
  return fault.httpStatus === 401 ? 'unauthorized' : 'fault';
}

/** What a request was, for the log: the query text, or the method and path. */
function describe(options: RawRequest): string {
  const query = options.query?.query;
  return `${options.method ?? 'GET'} ${options.path}${query ? ` ${query}` : ''}`;
}

function timeoutFault(ms: number, request: string): QuickBooksFault {
  return new QuickBooksFault(0, 'timeout', `QuickBooks did not answer within ${seconds(ms)}`, request, undefined, true);
}

function networkFault(error: unknown): QuickBooksFault {
  return new QuickBooksFault(0, 'network', 'QuickBooks could not be reached', error instanceof Error ? error.message : String(error), undefined, true);
}

/** node-quickbooks reports an HTTP failure as an Axios error and a 200-with-Fault as the body. */
function faultOfNodeQuickBooks(error: unknown): QuickBooksFault {
  const axios = error as { response?: { status: number; data: unknown; headers?: Record<string, string> }; message?: string; isAxiosError?: boolean };
  if (axios.response) {
    const data = axios.response.data;
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : JSON.stringify(data ?? '');
    const tid = axios.response.headers?.intuit_tid ?? axios.response.headers?.['intuit-tid'];
    return parseFault(axios.response.status, text, tid) ?? new QuickBooksFault(axios.response.status, String(axios.response.status), `HTTP ${axios.response.status}`, '', tid, axios.response.status >= 500);
  }
  if (error && typeof error === 'object' && ('Fault' in error || 'fault' in error)) {
    return parseFault(200, JSON.stringify(error)) ?? new QuickBooksFault(200, 'unknown', 'QuickBooks answered with a fault', '', undefined, false);
  }
  return networkFault(error);
}

