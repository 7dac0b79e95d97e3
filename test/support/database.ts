import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { TEST_POSTGRES_URL } from './env';

export type Engine = 'postgres' | 'pglite';
export const ENGINES: Engine[] = ['postgres', 'pglite'];

export interface TestDatabase {
  engine: Engine;
  db: Db;
  /** Set for PostgreSQL: a connection string to this test's own database. */
  url?: string;
  destroy(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty PostgreSQL database of its own (dropped by destroy). */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ardesk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** A migrated database on the given engine, private to the calling test file. */
export async function createTestDatabase(engine: Engine, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (engine === 'postgres') {
    const created = await createPostgresDatabase();
    const db = openDatabase({ databaseUrl: created.url, dataDir: '/tmp' }, { poolSize: 5 });
    if (options.migrate !== false) await migrateToLatest(db);
    return {
      engine,
      db,
      url: created.url,
      destroy: async () => {
        await db.destroy();
        await created.drop();
      },
    };
  }
  const db = openDatabase({ dataDir: '/tmp' }, { pgliteDataDir: ':memory:' });
  if (options.migrate !== false) await migrateToLatest(db);
  return { engine, db, destroy: () => db.destroy() };
}

/** A migrated database at `url` that the test owns already (a private server's): nothing is dropped. */
export async function openTestDatabase(url: string): Promise<TestDatabase> {
  const db = openDatabase({ databaseUrl: url, dataDir: '/tmp' }, { poolSize: 5 });
  await migrateToLatest(db);
  return { engine: 'postgres', db, url, destroy: () => db.destroy() };
}
