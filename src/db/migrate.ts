import { Migrator, type MigrationResult } from 'kysely';
import type { Db } from './database';
import { migrations } from './migrations';

export interface MigrateOutcome {
  applied: string[];
}

/**
 * Brings the schema up to date. Safe to run from several processes at once: Kysely takes a
 * Postgres advisory lock for the duration, and already-applied migrations are skipped.
 */
export async function migrateToLatest(db: Db): Promise<MigrateOutcome> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { applied };
}
