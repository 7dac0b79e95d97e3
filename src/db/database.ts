import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config';
import type { Logger } from '../logger';
import { PGliteDialect } from './pglite-dialect';
import { lockEmbeddedDatabase } from './pglite-lock';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// Postgres type OIDs whose text form we parse the same way on both engines.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/** bigint counts become numbers; money (numeric) stays exact as a string; dates stay 'YYYY-MM-DD'. */
function parseInt8(value: string): number {
  return Number(value);
}
const identity = (value: string) => value;

export interface OpenOptions {
  /** Overrides the PGlite data folder (tests use ':memory:' or a copy of a template). */
  pgliteDataDir?: string;
  poolSize?: number;
  /** How long an idle connection is kept before it is closed (pg's default 10 s; 0 keeps it for good). */
  idleTimeoutMillis?: number;
  /** Where a lost connection is reported (it is never fatal: the pool replaces it). */
  logger?: Logger;
}

export function pgliteDataDirFor(config: DatabaseConfig): string {
  return path.join(config.dataDir, 'pglite');
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Db {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.idleTimeoutMillis !== undefined ? { idleTimeoutMillis: options.idleTimeoutMillis } : {}),
      connectionTimeoutMillis: 5000,
      types: {
        getTypeParser: ((oid: number, format?: string) => {
          if (oid === INT8) return parseInt8;
          if (oid === NUMERIC || oid === DATE) return identity;
          return pg.types.getTypeParser(oid, format as 'text');
        }) as typeof pg.types.getTypeParser,
      },
    });
    // A client losing its server (a restart, pg_terminate_backend) emits 'error'; unheard, that
    // event kills the process. The pool hears it for idle clients and drops them; every client
    // also hears it while checked out (between the queries of a transaction), where the pool does
    // not listen: its next query fails, and the pool drops it on release.
    const lost = (error: Error) => options.logger?.warn({ err: error.message }, 'database connection lost; the pool replaces it');
    pool.on('error', () => undefined); // the client's own listener below has reported it
    pool.on('connect', (client) => client.on('error', lost));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  const dataDir = options.pgliteDataDir ?? pgliteDataDirFor(config);
  const dialect = new PGliteDialect(async () => {
    const { PGlite, types } = await import('@electric-sql/pglite');
    if (dataDir !== ':memory:') fs.mkdirSync(dataDir, { recursive: true });
    return PGlite.create(dataDir === ':memory:' ? undefined : dataDir, {
      parsers: { [types.INT8]: parseInt8, [types.NUMERIC]: identity, [types.DATE]: identity },
    });
  });
  if (dataDir === ':memory:') return new Kysely<Database>({ dialect });
  // One process at a time: a second one is refused here, at open, naming the holder.
  return new EmbeddedDb(dialect, lockEmbeddedDatabase(dataDir));
}

/** Kysely on the embedded database's folder, which lets go of the folder's lock when destroyed. */
class EmbeddedDb extends Kysely<Database> {
  constructor(
    dialect: Dialect,
    private readonly unlock: () => void,
  ) {
    super({ dialect });
  }

  override async destroy(): Promise<void> {
    try {
      await super.destroy();
    } finally {
      this.unlock();
    }
  }
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
