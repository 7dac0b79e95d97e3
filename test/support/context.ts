import { randomBytes } from 'node:crypto';
import { createAppContext, type AppContext } from '../../src/app-context';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import type { RetryPolicy } from '../../src/quickbooks/client';
import { createTestDatabase, openTestDatabase, type Engine, type TestDatabase } from './database';
import { testEnv } from './env';

export interface TestContext {
  context: AppContext;
  database: TestDatabase;
  destroy(): Promise<void>;
}

/** A full app context on a private database and a private queue prefix in the real Redis. */
export async function createTestContext(options: { engine?: Engine; env?: Record<string, string | undefined>; databaseUrl?: string; logger?: Logger; quickbooksRetry?: RetryPolicy } = {}): Promise<TestContext> {
  const database = options.databaseUrl ? await openTestDatabase(options.databaseUrl) : await createTestDatabase(options.engine ?? 'postgres');
  const config = loadConfig(testEnv(options.env));
  const context = await createAppContext(config, {
    db: database.db,
    migrate: false,
    logger: options.logger ?? createLogger({ level: (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent' }),
    queuePrefix: `ardesk-test-${randomBytes(4).toString('hex')}`,
    quickbooksRetry: options.quickbooksRetry,
  });
  return {
    context,
    database,
    destroy: async () => {
      await context.close();
      await database.destroy();
    },
  };
}
