import type { Redis } from 'ioredis';
import { systemClock, type Clock } from './clock';
import { secretsOf, type Config } from './config';
import { openDatabase, type Db } from './db/database';
import { createRepositories, type Repositories } from './db/repositories';
import { buildServices, type Services } from './services';
import { migrateToLatest } from './db/migrate';
import { Lifecycle } from './lifecycle';
import { Metrics } from './metrics';
import { accountingApiBase } from './quickbooks/endpoints';
import { outboxDir, outboxMailer, smtpMailer, type Mailer } from './mail/mailer';
import { TemplateBook } from './mail/templates';
import { ReplyAddresses } from './mail/reply-address';
import { FreshBalances } from './mail/fresh-balances';
import { DriftCheck } from './quickbooks/drift-check';
import { CompanySync } from './quickbooks/sync';
import { WorkProgressService } from './services/work-progress';
import { JobQueues } from './jobs/queues';
import { createProducerConnection, whenReady } from './jobs/redis';
import { createLogger, type Logger } from './logger';
import { ReadMeter } from './quickbooks/read-meter';
import { QuickBooksClient, type RetryPolicy } from './quickbooks/client';
import { RealmRateLimiter } from './quickbooks/rate-limit';
import { IntuitOAuth } from './quickbooks/oauth';
import { TokenCipher } from './quickbooks/token-cipher';
import { TokenManager } from './quickbooks/token-manager';
import { TokenVault } from './quickbooks/token-vault';


/** The QuickBooks side: OAuth, tokens and the API client. */
export interface QuickBooksServices {
  oauth: IntuitOAuth;
  vault: TokenVault;
  tokens: TokenManager;
  client: QuickBooksClient;
}

/** Everything a process shares: the one place side-effecting dependencies are built. */
export interface AppContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Db;
  redis: Redis;
  queues: JobQueues;
  repos: Repositories;
  services: Services;
  quickbooks: QuickBooksServices;
  sync: CompanySync;
  mail: { mailer: Mailer; templates: TemplateBook; balances: FreshBalances };
  /** This process's Prometheus registry (GET /metrics). */
  metrics: Metrics;
  /** Whether this process has begun to stop (readiness fails from then on). */
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
  db?: Db;
  migrate?: boolean;
  /** Redis key prefix of the queues; tests use one of their own. */
  queuePrefix?: string;
  /** How QuickBooks calls back off and retry (DEFAULT_RETRY); tests shrink its times to run fast. */
  quickbooksRetry?: RetryPolicy;
}


export async function createAppContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const db = options.db ?? openDatabase(config, { poolSize: config.databasePoolSize, logger: logger.child({ module: 'db' }) });
  if (options.migrate !== false) {
    const { applied } = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
  }
  // Producers fail fast while Redis is away (no offline queue), so give the first connect a moment.
  const prefix = options.queuePrefix ?? config.queuePrefix;
  const redis = createProducerConnection(config.redisUrl, `${prefix}:producer`);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
  if (!(await whenReady(redis, 2000))) logger.warn('Redis is not reachable yet: what needs it answers 503 until it is');
  const queues = new JobQueues(redis, prefix, logger);
  const clock = options.clock ?? systemClock(config.frozenNow);
  const repos = createRepositories(db);
  const metrics = new Metrics(logger.child({ module: 'metrics' }));
  metrics.observe({ jobCounts: () => queues.jobCounts(), syncedAt: () => repos.metrics.syncedAt(), messageCounts: () => repos.metrics.messageCounts(), now: () => clock.now() });
  const quickbooksLogger = logger.child({ module: 'quickbooks' });
  const oauth = new IntuitOAuth(config.intuit, quickbooksLogger);
  const vault = new TokenVault(repos.tokens, new TokenCipher(config.tokenKeys));
  const tokens = new TokenManager({ vault, oauth, redis, companies: repos.companies, clock, logger: quickbooksLogger, lockPrefix: queues.prefix, metrics });
  const client = new QuickBooksClient({
    apiBase: accountingApiBase(config.intuit),
    metrics,
    clientId: config.intuit.clientId,
    clientSecret: config.intuit.clientSecret,
    tokens,
    companies: repos.companies,
    limiter: new RealmRateLimiter(redis, queues.prefix),
    logger: quickbooksLogger,
    deadlineMs: config.intuit.requestTimeoutMs,
    retry: options.quickbooksRetry,
    reads: new ReadMeter({ reads: repos.quickbooksReads, clock, logger: quickbooksLogger }),
  });
  const templates = new TemplateBook({ renderBudgetMs: config.templateRenderBudgetMs });
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, logger.child({ module: 'mail' })) : outboxMailer(outboxDir(config.dataDir));
  // The sync reports its pages where the company page reads them (the service is shared with the rest).
  const progress = new WorkProgressService({ progress: repos.workProgress, clock });
  const sync = new CompanySync({ client, copy: repos.copy, state: repos.syncState, companies: repos.companies, clock, logger: logger.child({ module: 'sync' }), progress });
  const drift = new DriftCheck({ client, copy: repos.copy, sync, logger: logger.child({ module: 'sync' }) });
  const balances = new FreshBalances(client);
  const replyAddresses = config.inbound.address && config.inbound.secret ? new ReplyAddresses(config.inbound.address, config.inbound.secret) : null;
  let closed = false;
  return {
    config,
    logger,
    clock,
    db,
    redis,
    queues,
    repos,
    services: buildServices({ db, repos, clock, templates, redis, queues, logger, quickbooks: client, sync, drift, syncSchedule: config.syncSchedule, progress, mailer, balances, mailFrom: config.mailFrom, mailFromDomains: config.mailFromDomains, oauth, vault, redirectUri: config.intuit.redirectUri, retentionDays: config.retentionDays, sendReviewDefault: config.sendReviewDefault, customerLinks: { key: config.customerLinks.key, publicUrl: config.publicUrl, days: config.customerLinks.days }, inbound: { replyAddresses, maxBytes: config.inbound.maxBytes } }),
    quickbooks: { oauth, vault, tokens, client },
    sync,
    mail: { mailer, templates, balances },
    metrics,
    lifecycle: new Lifecycle(),
    async close() {
      if (closed) return;
      closed = true;
      await mailer.close();
      await queues.close();
      redis.disconnect();
      if (!options.db) await db.destroy();
    },
  };
}

export { createRepositories, type Repositories };
