import { sql, type Kysely } from 'kysely';

/**
 * Customers who are not to be contacted (SPEC §4; consumer rules such as the FDCPA and
 * California's Rosenthal Act require honouring a request to stop): one row per customer while it
 * holds, with who asked for it and why. Clearing it deletes the row; both are activities.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('do_not_contact')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('collector', 'customer_link', 'customer_reply', 'unsubscribe')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('marked_on', 'date', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('do_not_contact_pk', ['realm_id', 'customer_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('do_not_contact').execute();
}
