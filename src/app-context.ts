import type { Redis } from 'ioredis';
import { systemClock, type Clock } from './clock';
import { secretsOf, type Config } from './config';
import { CompaniesRepository } from './db/companies-repository';
import { openDatabase, type Db } from './db/database';
import { migrateToLatest } from './db/migrate';
import { OAuthStatesRepository } from './db/oauth-states-repository';
import { TokensRepository } from './db/tokens-repository';
import { QuickBooksCopyRepository } from './db/quickbooks-copy-repository';
import { AccountsRepository } from './db/accounts-repository';
import { CallTasksRepository } from './db/call-tasks-repository';
import { SyncStateRepository } from './db/sync-state-repository';
import { CollectionsRepository } from './db/collections-repository';
import { WorkListRepository } from './db/worklist-repository';
import { OutboxRepository } from './db/outbox-repository';
import { NotesRepository } from './db/notes-repository';
import { ReportsRepository } from './db/reports-repository';
import { CustomerFileRepository } from './db/customer-file-repository';
import { MergeDataRepository } from './db/merge-data-repository';
import { PromisesRepository } from './db/promises-repository';
import { DisputesRepository } from './db/disputes-repository';
import { MetricsRepository } from './db/metrics-repository';
import { RetentionRepository } from './db/retention-repository';
import { Lifecycle } from './lifecycle';
import { Metrics } from './metrics';
import { accountingApiBase } from './quickbooks/endpoints';
import { outboxDir, outboxMailer, smtpMailer, type Mailer } from './mail/mailer';
import { TemplateBook } from './mail/templates';
import { FreshBalances } from './mail/fresh-balances';
import { CompanySync } from './quickbooks/sync';
import { SessionsRepository } from './db/sessions-repository';
import { UsersRepository } from './db/users-repository';
import { JobQueues } from './jobs/queues';
import { createProducerConnection, whenReady } from './jobs/redis';
import { createLogger, type Logger } from './logger';
import { QuickBooksClient } from './quickbooks/client';
import { RealmRateLimiter } from './quickbooks/rate-limit';
import { IntuitOAuth } from './quickbooks/oauth';
import { TokenCipher } from './quickbooks/token-cipher';
import { TokenManager } from './quickbooks/token-manager';
import { TokenVault } from './quickbooks/token-vault';

export interface Repositories {
  companies: CompaniesRepository;
  users: UsersRepository;
  sessions: SessionsRepository;
  tokens: TokensRepository;
  oauthStates: OAuthStatesRepository;
  copy: QuickBooksCopyRepository;
  syncState: SyncStateRepository;
  collections: CollectionsRepository;
  workList: WorkListRepository;
  outbox: OutboxRepository;
  notes: NotesRepository;
  accounts: AccountsRepository;
  callTasks: CallTasksRepository;
  reports: ReportsRepository;
  customerFile: CustomerFileRepository;
  mergeData: MergeDataRepository;
  promises: PromisesRepository;
  disputes: DisputesRepository;
  retention: RetentionRepository;
  metrics: MetricsRepository;
}

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
}

export function createRepositories(db: Db): Repositories {
  return {
    companies: new CompaniesRepository(db),
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    tokens: new TokensRepository(db),
    oauthStates: new OAuthStatesRepository(db),
    copy: new QuickBooksCopyRepository(db),
    syncState: new SyncStateRepository(db),
    collections: new CollectionsRepository(db),
    workList: new WorkListRepository(db),
    outbox: new OutboxRepository(db),
    notes: new NotesRepository(db),
    accounts: new AccountsRepository(db),
    callTasks: new CallTasksRepository(db),
    reports: new ReportsRepository(db),
    customerFile: new CustomerFileRepository(db),
    mergeData: new MergeDataRepository(db),
    promises: new PromisesRepository(db),
    disputes: new DisputesRepository(db),
    retention: new RetentionRepository(db),
    metrics: new MetricsRepository(db),
  };
}

export async function createAppContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const db = options.db ?? openDatabase(config, { logger: logger.child({ module: 'db' }) });
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
  });
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, logger.child({ module: 'mail' })) : outboxMailer(outboxDir(config.dataDir));
  let closed = false;
  return {
    config,
    logger,
    clock,
    db,
    redis,
    queues,
    repos,
    quickbooks: { oauth, vault, tokens, client },
    sync: new CompanySync({ client, copy: repos.copy, state: repos.syncState, companies: repos.companies, clock, logger: logger.child({ module: 'sync' }) }),
    mail: { mailer, templates: new TemplateBook({ renderBudgetMs: config.templateRenderBudgetMs }), balances: new FreshBalances(client) },
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
