import { INTUIT_LIMITS, RealmLimiter, type LimitSettings } from './limits';
import { OAuthServer, type OAuthClientRegistration } from './oauth';
import { Realm, type ChangeEvent } from './realm';
import { WebhookDispatcher, type WebhookSettings } from './webhooks';

/**
 * QuickBooks' answer time as a latency model, `latency = base + perRow × rows`: a 1000-row page
 * takes 1.65 s, a COUNT(*) or a single read about 150 ms. The documented defaults, for benchmarks
 * (`--latency-model`); off unless asked for, as in tests.
 */
export const LATENCY_MODEL = { latencyMs: 150, latencyPerRowMs: 1.5 } as const;

/** The knobs tests and benchmarks turn (CLI flags and `POST /_sandbox/knobs`). */
export interface Knobs {
  /** Added to every API answer, in ms: the base of the latency model. */
  latencyMs: number;
  /** Added to an answer for each entity row it holds (query pages, CDC, batch items), in ms. */
  latencyPerRowMs: number;
  /** Fraction (0..1) of API requests answered with a 500 fault at random. */
  errorRate: number;
  /** The next N API requests are answered 500. */
  failNext: number;
  /** The next N API requests are answered 429, as in a throttle storm. */
  throttleNext: number;
  /** Every Nth API request is answered 500 (0: off): faults in the middle of a run, deterministically. */
  failEvery: number;
  /** Every Nth API request is answered 429 (0: off). */
  throttleEvery: number;
  /** Until this instant (epoch ms; 0: off) every API request is answered 429: a throttle storm of a given length. */
  throttleUntil: number;
  /** The next N updates are refused with 5010 (stale SyncToken). */
  staleNext: number;
  /** The next N API requests are held open with no answer until the client gives up. */
  hangNext: number;
  /** The next N requests to the token endpoint are answered 503 temporarily_unavailable. */
  tokenFailNext: number;
  limits: LimitSettings;
  /** The consent screen approves at once. */
  autoApprove: boolean;
  /** Shifts the sandbox clock (token lifetimes, MetaData times) by this many ms. */
  clockOffsetMs: number;
  webhook?: WebhookSettings;
}

export interface RequestLogEntry {
  at: string;
  realmId: string;
  method: string;
  path: string;
  kind: string;
  status: number;
  ms: number;
  /** The query text, the CDC entities, or the batch size. */
  detail?: string;
  batchItems?: number;
  replay?: boolean;
}

export interface SandboxUser {
  sub: string;
  email: string;
  givenName: string;
  familyName: string;
}

export interface SandboxOptions {
  clients?: OAuthClientRegistration[];
  knobs?: Partial<Knobs>;
  /** Where the sandbox is reachable, for links it hands out (pay links, discovery). */
  publicUrl?: string;
}

const REQUEST_LOG_LIMIT = 200_000;

export class Sandbox {
  readonly realms = new Map<string, Realm>();
  readonly owners = new Map<string, SandboxUser>();
  readonly oauth: OAuthServer;
  readonly knobs: Knobs;
  readonly webhooks: WebhookDispatcher;
  readonly requestLog: RequestLogEntry[] = [];
  /** Requests admitted per `realmId:kind`, counted as they arrive (before any latency): tests wait on one being in flight. */
  readonly arrivals = new Map<string, number>();
  readonly replays = new Map<string, { status: number; body: unknown }>();
  private readonly limiters = new Map<string, RealmLimiter>();
  /** API requests answered so far, for the every-Nth fault knobs. */
  apiRequests = 0;
  /** Requests to the token endpoint and to the discovery document, whatever their outcome. */
  readonly oauthRequests = { token: 0, discovery: 0 };
  publicUrl: string;

  constructor(options: SandboxOptions = {}) {
    this.knobs = { latencyMs: 0, latencyPerRowMs: 0, errorRate: 0, failNext: 0, throttleNext: 0, failEvery: 0, throttleEvery: 0, throttleUntil: 0, staleNext: 0, hangNext: 0, tokenFailNext: 0, limits: { ...INTUIT_LIMITS }, autoApprove: false, clockOffsetMs: 0, ...options.knobs };
    this.oauth = new OAuthServer(() => this.now(), options.clients ?? []);
    this.webhooks = new WebhookDispatcher(() => this.knobs.webhook);
    this.publicUrl = options.publicUrl ?? 'http://127.0.0.1';
  }

  now(): Date {
    return new Date(Date.now() + this.knobs.clockOffsetMs);
  }

  addRealm(realmId: string, owner?: Partial<SandboxUser>): Realm {
    if (this.realms.has(realmId)) throw new Error(`Company ${realmId} already exists in the sandbox`);
    const realm = new Realm(realmId, () => this.now(), (event: ChangeEvent) => this.webhooks.record(event));
    this.realms.set(realmId, realm);
    this.owners.set(realmId, {
      sub: owner?.sub ?? `sandbox-user-${realmId}`,
      email: owner?.email ?? `owner-${realmId}@sandbox.test`,
      givenName: owner?.givenName ?? 'Sandbox',
      familyName: owner?.familyName ?? `Owner ${realmId}`,
    });
    return realm;
  }

  realm(realmId: string): Realm | undefined {
    return this.realms.get(realmId);
  }

  limiter(realmId: string): RealmLimiter {
    let limiter = this.limiters.get(realmId);
    if (!limiter) this.limiters.set(realmId, (limiter = new RealmLimiter(() => this.knobs.limits)));
    return limiter;
  }

  log(entry: RequestLogEntry): void {
    if (this.requestLog.length >= REQUEST_LOG_LIMIT) this.requestLog.splice(0, REQUEST_LOG_LIMIT / 10);
    this.requestLog.push(entry);
  }

  setKnobs(changes: Partial<Knobs>): Knobs {
    const { limits, ...rest } = changes;
    Object.assign(this.knobs, rest);
    if (limits) this.knobs.limits = { ...this.knobs.limits, ...limits };
    return this.knobs;
  }

  userOf(realmId: string): SandboxUser | undefined {
    return this.owners.get(realmId);
  }

  stop(): void {
    this.webhooks.stop();
  }
}
