import type { Redis } from 'ioredis';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { CompaniesRepository } from './db/companies-repository';
import { openDatabase, type Db } from './db/database';
import { migrateToLatest } from './db/migrate';
import { SessionsRepository } from './db/sessions-repository';
import { UsersRepository } from './db/users-repository';
import { JobQueues } from './jobs/queues';
import { createQueueConnection } from './jobs/redis';
import { createLogger, type Logger } from './logger';

export interface Repositories {
  companies: CompaniesRepository;
  users: UsersRepository;
  sessions: SessionsRepository;
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
  return { companies: new CompaniesRepository(db), users: new UsersRepository(db), sessions: new SessionsRepository(db) };
}

export async function createAppContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const db = options.db ?? openDatabase(config);
  if (options.migrate !== false) {
    const { applied } = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
  }
  const redis = createQueueConnection(config.redisUrl);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
  const queues = new JobQueues(redis, options.queuePrefix, logger);
  let closed = false;
  return {
    config,
    logger,
    clock: options.clock ?? systemClock(config.frozenNow),
    db,
    redis,
    queues,
    repos: createRepositories(db),
    async close() {
      if (closed) return;
      closed = true;
      await queues.close();
      redis.disconnect();
      if (!options.db) await db.destroy();
    },
  };
}
