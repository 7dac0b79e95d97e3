import type { Kysely } from 'kysely';

/**
 * When a company's work list could first be made: the first sync after a connect reads the open
 * part of the company (open invoices, their customers, the last 12 months of payments) before its
 * history, and records the moment here; the history is backfilled afterwards (`last_full_at`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_state').addColumn('worklist_ready_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_state').dropColumn('worklist_ready_at').execute();
}
