import { sql, type Kysely } from 'kysely';

/**
 * Metered QuickBooks reads ("CorePlus": queries, reads, CDC, reports), counted per company, kind
 * and day: Intuit bills them per developer workspace and blocks the app past the month's allowance.
 * No foreign key: the first read of a company (proving its new tokens) comes before it is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quickbooks_reads')
    .addColumn('realm_id', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('query', 'read', 'cdc', 'report')`))
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 0`))
    .addPrimaryKeyConstraint('quickbooks_reads_pk', ['realm_id', 'day', 'kind'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('quickbooks_reads').execute();
}
