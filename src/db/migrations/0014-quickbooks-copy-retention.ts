import type { Kysely } from 'kysely';

/**
 * When a disconnected company's copy of QuickBooks was deleted (by the retention job after
 * RETENTION_DAYS, or by a member's "delete now"); null while Ardesk holds it. The disconnect time
 * the retention job counts from is `companies.disconnected_at`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('companies').addColumn('copy_deleted_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('companies').dropColumn('copy_deleted_at').execute();
}
