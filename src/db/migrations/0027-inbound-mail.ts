import { sql, type Kysely } from 'kysely';

/**
 * Mail that comes back (issue 24, replies captured): every inbound message Ardesk received,
 * matched to its company and account or kept unmatched for the operator, and the addresses a
 * bounce showed to be bad (no more mail goes to them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Null when nothing matched: the operator sees it on the operator page.
    .addColumn('realm_id', 'text', (c) => c.references('companies.realm_id').onDelete('cascade'))
    .addColumn('customer_id', 'text')
    .addColumn('in_reply_to', 'uuid')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('reply', 'auto_reply', 'bounce', 'unmatched')`))
    .addColumn('matched_by', 'text', (c) => c.check(sql`matched_by in ('address', 'thread')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('awaiting', 'handled', 'recorded')`))
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('bounced_address', 'text')
    .addColumn('pause_id', 'uuid')
    // The Message-ID header (or a hash of the message): the same message received twice is kept once.
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('received_via', 'text', (c) => c.notNull().check(sql`received_via in ('smtp', 'imap')`))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('handled_at', 'timestamptz')
    .addColumn('handled_by', 'text')
    .execute();
  await db.schema.createIndex('inbound_messages_account').on('inbound_messages').columns(['realm_id', 'customer_id', 'received_at']).execute();
  await db.schema
    .createTable('bad_addresses')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('inbound_id', 'uuid', (c) => c.references('inbound_messages.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('bad_addresses_pk', ['realm_id', 'address'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bad_addresses').execute();
  await db.schema.dropTable('inbound_messages').execute();
}
