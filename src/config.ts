import { hkdfSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/**
 * The only reader of process.env. Every variable of SPEC §5 is validated here once, at start;
 * a bad value stops the process with one line per variable naming what is wrong (never the value,
 * since most of these are secrets).
 */

/**
 * Reads `file` (the `.env` of the current directory) when there is one and sets every variable it
 * names that the environment does not set already: the environment always wins, even with an
 * empty value. Returns the names it set. A missing file is not an error; an unreadable one is.
 */
export function loadDotEnv(file = path.resolve('.env'), env: NodeJS.ProcessEnv = process.env): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError([`${file} could not be read: ${(error as Error).message}`]);
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** One encryption key, 32 bytes, given as 64 hex characters or base64. */
function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * TOKEN_ENCRYPTION_KEY holds one key (`<key>`, id "k1") or a rotation list `id:<key>,id:<key>`
 * where the first key encrypts and every key decrypts.
 */
const encryptionKeys = z.string().transform((text, ctx): EncryptionKey[] => {
  const parts = text.split(',').map((part) => part.trim()).filter(Boolean);
  const keys: EncryptionKey[] = [];
  for (const [index, part] of parts.entries()) {
    const which = parts.length > 1 ? `key ${index + 1} ` : '';
    const colon = part.indexOf(':');
    const id = parts.length === 1 && colon < 0 ? 'k1' : part.slice(0, colon);
    const key = decodeKey(colon < 0 ? part : part.slice(colon + 1));
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: `${which}needs an id: use id:<key>,id:<key> for several keys` });
    } else if (!key) {
      ctx.addIssue({ code: 'custom', message: `${which}must be 32 bytes, as 64 hex characters or 44 base64 characters (e.g. \`openssl rand -hex 32\`)` });
    } else if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id "${id}" is used twice` });
    } else {
      keys.push({ id, key });
    }
  }
  if (parts.length === 0) ctx.addIssue({ code: 'custom', message: 'is empty' });
  return keys;
});

const isoDateTime = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)), {
  message: 'must be an ISO date or date-time, e.g. 2026-03-02T09:30:00-05:00',
});

const mailAddress = z.string().refine((value) => /^([^<>]*<)?[^\s@<>]+@[^\s@<>]+(>)?$/.test(value.trim()), {
  message: 'must be an email address, optionally with a name: Ardesk <billing@example.com>',
});

/** OPERATOR_EMAILS: who may open the operator pages once signed in with Intuit, comma-separated. */
const operatorEmails = z.string().transform((text, ctx): string[] => {
  const emails = text.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
  if (emails.some((email) => !/^[^\s@<>,]+@[^\s@<>,]+$/.test(email))) {
    ctx.addIssue({ code: 'custom', message: 'must be email addresses separated by commas' });
  }
  return emails;
});

const plainAddress = z.string().regex(/^[^\s@<>+]+@[^\s@<>]+\.[^\s@<>]+$/, { message: 'must be a plain email address without a name or a +tag, e.g. replies@in.example.com' });

/** A window of the day, in each company's own time zone: it opens `startMinute` after midnight and lasts `windowMinutes`, closing by midnight. */
export interface DailyWindow {
  startMinute: number;
  windowMinutes: number;
}

/** The windows each company's daily jobs are spread over (see jobs/spread.ts). */
export interface DailyWindows {
  /** The daily sync run: a CDC reconcile and the drift check, or the periodic full re-read (RECONCILE_WINDOW). */
  reconcile: DailyWindow;
  /** The morning playbook (CADENCE_WINDOW). */
  cadence: DailyWindow;
}

/**
 * By default the nightly reconcile runs from 03:30 over two hours (done before the morning), and
 * the playbook from 07:00 over ten minutes (every company's messages and calls ready by 07:15).
 */
export const DEFAULT_DAILY_WINDOWS = { reconcile: '03:30-05:30', cadence: '07:00-07:10' } as const;

const DAY_MINUTES = 24 * 60;

/** 03:30 for 210 minutes after midnight. */
function timeOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** `HH:MM-HH:MM`, e.g. `03:30-05:30`: opens at the first time and closes at the second, the same day (24:00 at the latest). */
const dailyWindow = z.string().transform((text, ctx): DailyWindow => {
  const match = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: "must be a window of the day as HH:MM-HH:MM (24-hour, each company's own time zone), e.g. 03:30-05:30" });
    return z.NEVER;
  }
  const [start, end] = [Number(match[1]) * 60 + Number(match[2]), Number(match[3]) * 60 + Number(match[4])];
  if (start >= DAY_MINUTES || end > DAY_MINUTES) {
    ctx.addIssue({ code: 'custom', message: 'must use times from 00:00 to 23:59 (24:00 only as the closing time)' });
  } else if (end <= start) {
    ctx.addIssue({ code: 'custom', message: 'must close after it opens, the same day: a window cannot run past midnight (24:00 at the latest), e.g. 22:00-24:00' });
  } else if (end - start >= DAY_MINUTES) {
    ctx.addIssue({ code: 'custom', message: 'must be shorter than a whole day' });
  }
  return { startMinute: start, windowMinutes: end - start };
});

/** Jobs one worker process runs at the same time, per queue (the queues of jobs/names.ts). */
export interface WorkerConcurrency {
  sync: number;
  cadence: number;
  mail: number;
  notes: number;
  maintenance: number;
}

/**
 * Syncs mostly wait for QuickBooks (seconds a page), so a worker runs many: a few companies'
 * long full syncs must leave slots for everyone else's short ones.
 */
export const DEFAULT_CONCURRENCY: Readonly<WorkerConcurrency> = { sync: 8, cadence: 2, mail: 32, notes: 2, maintenance: 1 };

/**
 * Database connections a process keeps beyond its job slots: the schedule keeper, the metrics,
 * a web process's requests (a web process runs no jobs, so it has these and the slots to spare).
 */
const POOL_HEADROOM = 4;

const concurrency = (fallback: number, max: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(fallback));

const envShape = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, url(['http:', 'https:']).optional()),
  SESSION_SECRET: z.string({ error: 'is required (at least 32 random characters)' }).min(32, 'must be at least 32 characters long'),
  TOKEN_ENCRYPTION_KEY: encryptionKeys,
  INTUIT_CLIENT_ID: z.string({ error: 'is required (the app\'s Client ID from the Intuit developer portal)' }).min(1, 'must not be empty'),
  INTUIT_CLIENT_SECRET: z.string({ error: 'is required (the app\'s Client Secret from the Intuit developer portal)' }).min(1, 'must not be empty'),
  INTUIT_REDIRECT_URI: z.preprocess(emptyAsUndefined, url(['http:', 'https:']).optional()),
  INTUIT_ENVIRONMENT: z.enum(['sandbox', 'production', 'local'], { error: 'must be one of sandbox, production, local' }),
  QBO_LOCAL_URL: z.preprocess(emptyAsUndefined, url(['http:', 'https:']).optional()),
  INTUIT_WEBHOOK_VERIFIER_TOKEN: optionalString,
  SYNC_POLL_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(5, 'must be at least 5').max(1440, 'must be at most 1440 (a day)').default(60)),
  SYNC_WEBHOOK_DEBOUNCE_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, 'must be at least 1').max(600, 'must be at most 600').default(30)),
  SYNC_FULL_EVERY_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(7, 'must be at least 7 (a full re-read at most weekly: reads are metered)').max(365, 'must be at most 365').default(28)),
  RECONCILE_WINDOW: z.preprocess(emptyAsUndefined, dailyWindow.prefault(DEFAULT_DAILY_WINDOWS.reconcile)),
  CADENCE_WINDOW: z.preprocess(emptyAsUndefined, dailyWindow.prefault(DEFAULT_DAILY_WINDOWS.cadence)),
  INTUIT_REQUEST_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100, 'must be at least 100').max(120_000, 'must be at most 120000 (Intuit gives up at 120 s)').default(60_000)),
  DATABASE_URL: z.preprocess(emptyAsUndefined, url(['postgres:', 'postgresql:']).optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./var')),
  REDIS_URL: z.preprocess(emptyAsUndefined, url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379')),
  QUEUE_PREFIX: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, - or _').default('ardesk')),
  SMTP_URL: z.preprocess(emptyAsUndefined, url(['smtp:', 'smtps:']).optional()),
  MAIL_FROM: z.preprocess(emptyAsUndefined, mailAddress.default('Ardesk <ardesk@localhost>')),
  MAIL_FROM_DOMAINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value) => value.split(',').map((domain) => domain.trim().toLowerCase()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be domain names separated by commas, like example.com,mail.example.com')))
      .default([]),
  ),
  TEMPLATE_RENDER_BUDGET_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100, 'must be at least 100').max(60_000, 'must be at most 60000').default(5000)),
  ARDESK_NOW: z.preprocess(emptyAsUndefined, isoDateTime.optional()),
  API_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters long').optional()),
  SYNC_CONCURRENCY: concurrency(DEFAULT_CONCURRENCY.sync, 50),
  CADENCE_CONCURRENCY: concurrency(DEFAULT_CONCURRENCY.cadence, 50),
  MAIL_CONCURRENCY: concurrency(DEFAULT_CONCURRENCY.mail, 200),
  NOTES_CONCURRENCY: concurrency(DEFAULT_CONCURRENCY.notes, 50),
  MAINTENANCE_CONCURRENCY: concurrency(DEFAULT_CONCURRENCY.maintenance, 10),
  DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2, 'must be at least 2').max(1000, 'must be at most 1000').optional()),
  SESSION_IDLE_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(5, 'must be at least 5').max(7 * 24 * 60, 'must be at most 10080 (7 days)').default(12 * 60)),
  SESSION_MAX_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, 'must be at least 1').max(90, 'must be at most 90').default(14)),
  OPERATOR_EMAILS: z.preprocess(emptyAsUndefined, operatorEmails.default([])),
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters long').optional()),
  WORKER_HEALTH_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3001)),
  SHUTDOWN_DRAIN_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10_000, 'must be at most 10000 (the whole stop has 25 s)').default(5000)),
  RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, 'must be at least 1').max(3650, 'must be at most 3650').default(30)),
  SEND_REVIEW_DEFAULT: z.preprocess(emptyAsUndefined, z.enum(['first_run', 'every_run', 'off'], { message: 'must be first_run, every_run or off' }).default('first_run')),
  INBOUND_ADDRESS: z.preprocess(emptyAsUndefined, plainAddress.optional()),
  INBOUND_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters long').optional()),
  INBOUND_SMTP_HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  INBOUND_SMTP_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(2525)),
  INBOUND_IMAP_URL: z.preprocess(emptyAsUndefined, url(['imap:', 'imaps:']).optional()),
  INBOUND_POLL_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(5, 'must be at least 5').max(3600, 'must be at most 3600').default(60)),
  INBOUND_MAX_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(10_000, 'must be at least 10000').max(50_000_000, 'must be at most 50000000').default(2_000_000)),
  EULA_URL: z.preprocess(emptyAsUndefined, url(['https:', 'http:']).optional()),
  PRIVACY_URL: z.preprocess(emptyAsUndefined, url(['https:', 'http:']).optional()),
  CUSTOMER_LINK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters long').optional()),
  CUSTOMER_LINK_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, 'must be at least 1').max(365, 'must be at most 365').default(60)),
  CUSTOMER_PAGE_RATE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(60)),
});

const envSchema = envShape.superRefine((env, ctx) => {
  if (env.INTUIT_ENVIRONMENT === 'local' && !env.QBO_LOCAL_URL) {
    ctx.addIssue({ code: 'custom', path: ['QBO_LOCAL_URL'], message: 'is required when INTUIT_ENVIRONMENT=local (the URL of `ardesk sandbox`)' });
  }
  if (env.INBOUND_ADDRESS && !env.INBOUND_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['INBOUND_SECRET'], message: 'is required when INBOUND_ADDRESS is set (it signs the reply addresses; at least 32 random characters)' });
  }
  const { RECONCILE_WINDOW: reconcile, CADENCE_WINDOW: cadence } = env;
  // A window that did not parse has its own line already.
  if (reconcile && cadence && cadence.startMinute < reconcile.startMinute + reconcile.windowMinutes) {
    ctx.addIssue({ code: 'custom', path: ['CADENCE_WINDOW'], message: `must open when RECONCILE_WINDOW (${timeOfDay(reconcile.startMinute)}-${timeOfDay(reconcile.startMinute + reconcile.windowMinutes)}) has closed, or later: the morning playbook runs on the copy the night's reconcile brought up to date` });
  }
  if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
    ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required in production (the https:// address users reach Ardesk at)' });
  }
});

const databaseSchema = envShape.pick({ NODE_ENV: true, LOG_LEVEL: true, DATABASE_URL: true, DATA_DIR: true });

export interface DatabaseConfig {
  /** PostgreSQL connection string; when absent the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
}

export interface SyncSchedule {
  /** Webhooks are configured (a verifier token): a CDC follows each change notification, and nothing polls. */
  webhooks: boolean;
  /** Without webhooks: a CDC every this many minutes. */
  pollMinutes: number;
  /** Change notifications within this window are brought in by one CDC, run at its end. */
  webhookDebounceMs: number;
  /** The daily run re-reads the whole company when its last full read is this many days old (7 at least). */
  fullEveryDays: number;
  /** The windows of each company's daily sync run and morning playbook, in its time zone. */
  windows: DailyWindows;
}

export interface Config extends DatabaseConfig {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  port: number;
  publicUrl: string;
  sessionSecret: string;
  tokenKeys: readonly EncryptionKey[];
  intuit: {
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    environment: 'sandbox' | 'production' | 'local';
    localUrl?: string;
    webhookVerifierToken?: string;
    /** Deadline of one QuickBooks API or Intuit OAuth request, in ms. */
    requestTimeoutMs: number;
  };
  /** How each company's copy of QuickBooks is kept fresh (SPEC §3: reads are metered), and when its daily jobs run. */
  syncSchedule: SyncSchedule;
  redisUrl: string;
  /** Redis key prefix of the queues: deployments sharing one Redis keep apart by it. */
  queuePrefix: string;
  smtpUrl?: string;
  mailFrom: string;
  /** Domains a company may send its emails From (its own address, on the settings page); none: every email is From MAIL_FROM's address. */
  mailFromDomains: string[];
  /** How long rendering one message's template may take before it is stopped. */
  templateRenderBudgetMs: number;
  /** Frozen business clock (SPEC §4); never used for token lifetimes, retries or locks. */
  frozenNow?: Date;
  apiToken?: string;
  /** Jobs one worker process runs at the same time, per queue (mail: messages sent at once). */
  concurrency: WorkerConcurrency;
  /** PostgreSQL connections each process may open (by default its job slots and a few more). */
  databasePoolSize: number;
  /** Sign-in sessions end after this long without a request, and this long after sign-in. */
  session: { idleMinutes: number; maxDays: number };
  /** Intuit-verified email addresses (lower case) of the people who may open the operator pages. */
  operatorEmails: readonly string[];
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** The port `ardesk worker` serves /healthz, /readyz and /metrics on (0: any free port). */
  workerHealthPort: number;
  /** After SIGTERM, how long the web keeps serving (readiness already failing) before it closes. */
  shutdownDrainMs: number;
  /** A disconnected company's copy of QuickBooks is deleted this many days after the disconnect. */
  retentionDays: number;
  /** Whether a newly connected company's messages wait for a person's approval (it can change this on its review page). */
  sendReviewDefault: 'first_run' | 'every_run' | 'off';
  /** Mail coming back: replies, automatic replies and bounces (README, Inbound mail). */
  inbound: InboundConfig;
  /** The operator's own end-user licence agreement and privacy policy, instead of the built-in pages. */
  legal: { eulaUrl?: string; privacyUrl?: string };
  /**
   * The customer's pages (answer a letter, the statement): the key their links are signed with
   * (CUSTOMER_LINK_SECRET, else one derived from SESSION_SECRET for this use alone), how many days
   * a link works, and how many requests one address may make to them a minute.
   */
  customerLinks: { key: Buffer; days: number; ratePerMinute: number };
}

export interface InboundConfig {
  /**
   * The address replies and bounces come back to; each account's messages carry its own
   * `local+<signed token>@domain` form of it. Unset: no reply address (threading headers only).
   */
  address?: string;
  /** Signs the reply addresses' tokens (a key of its own, not the session secret). */
  secret?: string;
  /** Where `ardesk inbound` listens for SMTP (a subdomain's MX, or a relay). */
  smtpHost: string;
  smtpPort: number;
  /** A mailbox `ardesk inbound` polls instead of, or as well as, listening: imap(s)://user:password@host:port/MAILBOX. */
  imapUrl?: string;
  pollSeconds: number;
  /** Larger messages are refused (SMTP) or recorded without their text (IMAP). */
  maxBytes: number;
}

function describe(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const message = issue.code === 'invalid_type' && issue.input === undefined && !issue.message.startsWith('is required')
      ? 'is required'
      : issue.message;
    return `${name} ${message}`;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const parsed = databaseSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describe(parsed.error));
  return deepFreeze({ databaseUrl: parsed.data.DATABASE_URL, dataDir: path.resolve(parsed.data.DATA_DIR) });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describe(parsed.error));
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const concurrency = { sync: e.SYNC_CONCURRENCY, cadence: e.CADENCE_CONCURRENCY, mail: e.MAIL_CONCURRENCY, notes: e.NOTES_CONCURRENCY, maintenance: e.MAINTENANCE_CONCURRENCY };
  return deepFreeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    publicUrl,
    sessionSecret: e.SESSION_SECRET,
    tokenKeys: e.TOKEN_ENCRYPTION_KEY,
    intuit: {
      clientId: e.INTUIT_CLIENT_ID,
      clientSecret: e.INTUIT_CLIENT_SECRET,
      redirectUri: e.INTUIT_REDIRECT_URI ?? `${publicUrl}/callback`,
      environment: e.INTUIT_ENVIRONMENT,
      localUrl: e.QBO_LOCAL_URL?.replace(/\/+$/, ''),
      webhookVerifierToken: e.INTUIT_WEBHOOK_VERIFIER_TOKEN,
      requestTimeoutMs: e.INTUIT_REQUEST_TIMEOUT_MS,
    },
    syncSchedule: {
      webhooks: Boolean(e.INTUIT_WEBHOOK_VERIFIER_TOKEN),
      pollMinutes: e.SYNC_POLL_MINUTES,
      webhookDebounceMs: e.SYNC_WEBHOOK_DEBOUNCE_SECONDS * 1000,
      fullEveryDays: e.SYNC_FULL_EVERY_DAYS,
      windows: { reconcile: e.RECONCILE_WINDOW, cadence: e.CADENCE_WINDOW },
    },
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    mailFromDomains: e.MAIL_FROM_DOMAINS,
    templateRenderBudgetMs: e.TEMPLATE_RENDER_BUDGET_MS,
    frozenNow: e.ARDESK_NOW ? new Date(e.ARDESK_NOW) : undefined,
    apiToken: e.API_TOKEN,
    concurrency,
    databasePoolSize: e.DATABASE_POOL_SIZE ?? Object.values(concurrency).reduce((sum, n) => sum + n, 0) + POOL_HEADROOM,
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, maxDays: e.SESSION_MAX_DAYS },
    operatorEmails: e.OPERATOR_EMAILS,
    metricsToken: e.METRICS_TOKEN,
    workerHealthPort: e.WORKER_HEALTH_PORT,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    retentionDays: e.RETENTION_DAYS,
    sendReviewDefault: e.SEND_REVIEW_DEFAULT,
    legal: { eulaUrl: e.EULA_URL, privacyUrl: e.PRIVACY_URL },
    customerLinks: { key: customerLinkKey(e.CUSTOMER_LINK_SECRET, e.SESSION_SECRET), days: e.CUSTOMER_LINK_DAYS, ratePerMinute: e.CUSTOMER_PAGE_RATE_LIMIT },
    inbound: {
      address: e.INBOUND_ADDRESS?.toLowerCase(),
      secret: e.INBOUND_SECRET,
      smtpHost: e.INBOUND_SMTP_HOST,
      smtpPort: e.INBOUND_SMTP_PORT,
      imapUrl: e.INBOUND_IMAP_URL,
      pollSeconds: e.INBOUND_POLL_SECONDS,
      maxBytes: e.INBOUND_MAX_BYTES,
    },
  });
}

/**
 * The key of the customers' links: from CUSTOMER_LINK_SECRET, or, when it is not set, derived
 * from SESSION_SECRET (HKDF with a label of its own), so a link's signature never doubles as a
 * session cookie's and a deployment without the variable still gets a stable key.
 */
function customerLinkKey(secret: string | undefined, sessionSecret: string): Buffer {
  const ikm = secret ?? sessionSecret;
  return Buffer.from(hkdfSync('sha256', ikm, 'ardesk', secret ? 'ardesk customer links' : 'ardesk customer links from the session secret', 32));
}

/** Values a log line must never contain, wherever they appear in it; fed to the logger. */
export function secretsOf(config: Config): string[] {
  const passwordIn = (url: string | undefined) => {
    try {
      return url ? decodeURIComponent(new URL(url).password) : undefined;
    } catch {
      return undefined;
    }
  };
  return [
    config.sessionSecret,
    config.intuit.clientSecret,
    config.intuit.webhookVerifierToken,
    config.apiToken,
    config.metricsToken,
    passwordIn(config.smtpUrl),
    config.inbound.secret,
    passwordIn(config.inbound.imapUrl),
    passwordIn(config.databaseUrl),
    passwordIn(config.redisUrl),
    ...config.tokenKeys.flatMap((k) => [k.key.toString('hex'), k.key.toString('base64')]),
    config.customerLinks.key.toString('base64url'),
  ].filter((value): value is string => typeof value === 'string' && value.length >= 6);
}
