import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger';

/**
 * What an operator watches, in Prometheus' text format (`GET /metrics`). One registry per process
 * context. Counters move where the work happens (HTTP requests here, jobs in the worker,
 * QuickBooks requests and token refreshes in the client); the gauges of shared state (jobs by
 * queue and state, sync lag per company, messages by status) are read from Redis and the
 * database when scraped, so every process reports the same figures for them.
 */

/** The kinds of QuickBooks request. Intuit meters reads (`query`, `read`, `cdc`); writes are free. */
export type QuickBooksRequestKind = 'query' | 'read' | 'cdc' | 'batch' | 'write';
export const METERED_KINDS: ReadonlySet<QuickBooksRequestKind> = new Set(['query', 'read', 'cdc']);

/** How one QuickBooks attempt ended. */
export type QuickBooksOutcome = 'ok' | 'throttled' | 'timeout' | 'unauthorized' | 'fault';

/** How one token refresh ended: Intuit issued new tokens, another process already had, or not. */
export type TokenRefreshOutcome = 'refreshed' | 'already_refreshed' | 'refused' | 'failed';

/** What the QuickBooks side reports; a no-op stands in where nobody scrapes (scripts, benchmarks). */
export interface QuickBooksMetrics {
  quickBooksRequest(kind: QuickBooksRequestKind, outcome: QuickBooksOutcome): void;
  tokenRefresh(outcome: TokenRefreshOutcome): void;
}

export interface JobMetrics {
  jobFinished(queue: string, job: string, outcome: 'completed' | 'failed', seconds: number): void;
}

export interface HttpMetrics {
  httpRequest(method: string, route: string, status: string, seconds: number): void;
}

/** Where the shared-state gauges come from at scrape time. */
export interface SharedState {
  jobCounts(): Promise<Array<{ queue: string; counts: Record<string, number> }>>;
  /** Connected companies and the instant their copy was last brought up to date (or connected). */
  syncedAt(): Promise<Array<{ realmId: string; at: Date | null }>>;
  messageCounts(): Promise<Array<{ status: string; count: number }>>;
  now(): Date;
}

export const NO_METRICS: QuickBooksMetrics & JobMetrics & HttpMetrics = {
  quickBooksRequest: () => undefined,
  tokenRefresh: () => undefined,
  jobFinished: () => undefined,
  httpRequest: () => undefined,
};

export class Metrics implements QuickBooksMetrics, JobMetrics, HttpMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly jobsProcessed: Counter<'queue' | 'job' | 'outcome'>;
  private readonly jobDuration: Histogram<'queue' | 'job'>;
  private readonly qboRequests: Counter<'kind' | 'outcome'>;
  private readonly qboMeteredReads: Counter<'kind'>;
  private readonly tokenRefreshes: Counter<'outcome'>;
  private state?: SharedState;

  constructor(private readonly logger?: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'ardesk_' });
    this.httpRequests = new Counter({ name: 'ardesk_http_requests_total', help: 'HTTP requests answered (status "aborted": the client went away first)', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({ name: 'ardesk_http_request_duration_seconds', help: 'Time to answer an HTTP request', labelNames: ['method', 'route'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    this.jobsProcessed = new Counter({ name: 'ardesk_jobs_processed_total', help: 'Jobs this process ran, by queue, job and outcome', labelNames: ['queue', 'job', 'outcome'], registers });
    this.jobDuration = new Histogram({ name: 'ardesk_job_duration_seconds', help: 'Time one job took', labelNames: ['queue', 'job'], buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900], registers });
    this.qboRequests = new Counter({ name: 'ardesk_quickbooks_requests_total', help: 'Requests to the QuickBooks Accounting API, every attempt, by kind and outcome', labelNames: ['kind', 'outcome'], registers });
    this.qboMeteredReads = new Counter({ name: 'ardesk_quickbooks_metered_reads_total', help: 'The QuickBooks requests Intuit meters (reads: query, read, cdc), counted apart', labelNames: ['kind'], registers });
    this.tokenRefreshes = new Counter({ name: 'ardesk_token_refreshes_total', help: 'QuickBooks token refreshes, by outcome', labelNames: ['outcome'], registers });

    const read = this.read.bind(this);
    const now = () => this.state?.now().getTime() ?? Date.now();
    new Gauge({
      name: 'ardesk_jobs',
      help: 'Jobs in the queues now, by queue and state (the same on every process)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const { queue, counts } of await read('jobs', (state) => state.jobCounts(), [])) {
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        }
      },
    });
    new Gauge({
      name: 'ardesk_sync_lag_seconds',
      help: 'Seconds since each connected company\'s copy of QuickBooks was last brought up to date',
      labelNames: ['realm_id'],
      registers,
      async collect() {
        this.reset();
        const at0 = now();
        for (const { realmId, at } of await read('sync lag', (state) => state.syncedAt(), [])) {
          if (at) this.set({ realm_id: realmId }, Math.max(0, (at0 - at.getTime()) / 1000));
        }
      },
    });
    new Gauge({
      name: 'ardesk_messages',
      help: 'Outbox messages by status (the same on every process)',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        for (const { status, count } of await read('messages', (state) => state.messageCounts(), [])) this.set({ status }, count);
      },
    });
  }

  /** Where the shared-state gauges read from; without it they stay empty. */
  observe(state: SharedState): void {
    this.state = state;
  }

  /** A scrape must answer even while Redis or the database does not: that gauge is left empty. */
  private async read<T>(what: string, get: (state: SharedState) => Promise<T>, none: T): Promise<T> {
    if (!this.state) return none;
    try {
      return await get(this.state);
    } catch (error) {
      this.logger?.debug({ err: error, gauge: what }, 'metrics: could not read shared state');
      return none;
    }
  }

  httpRequest(method: string, route: string, status: string, seconds: number): void {
    this.httpRequests.inc({ method, route, status });
    this.httpDuration.observe({ method, route }, seconds);
  }

  jobFinished(queue: string, job: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.jobsProcessed.inc({ queue, job, outcome });
    this.jobDuration.observe({ queue, job }, seconds);
  }

  quickBooksRequest(kind: QuickBooksRequestKind, outcome: QuickBooksOutcome): void {
    this.qboRequests.inc({ kind, outcome });
    if (METERED_KINDS.has(kind)) this.qboMeteredReads.inc({ kind });
  }

  tokenRefresh(outcome: TokenRefreshOutcome): void {
    this.tokenRefreshes.inc({ outcome });
  }

  /** The whole registry in Prometheus' text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
