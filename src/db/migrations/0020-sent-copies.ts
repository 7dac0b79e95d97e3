import { sql, type Kysely } from 'kysely';

/**
 * What each message was when it went out, kept as sent: the subject, HTML and plain text the
 * customer received, for letters the printed page and the PDF to post, the merge data they were
 * made from, a SHA-256 of it all and the time. Written in the transaction that marks the message
 * sent; never updated. Every later view, print, PDF and the escalation file read it.
 * And the company's postal address from QuickBooks (CompanyInfo.CompanyAddr), the return address
 * every letter carries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sent_copies')
    .addColumn('message_id', 'uuid', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('letter', 'jsonb')
    .addColumn('pdf', 'bytea')
    .addColumn('merge_data', 'jsonb', (c) => c.notNull())
    .addColumn('parts_sha256', 'jsonb', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('dated', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.alterTable('companies').addColumn('address', 'jsonb').execute();
  await db.schema.createIndex('sent_copies_realm').on('sent_copies').columns(['realm_id', 'message_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sent_copies').ifExists().execute();
  await db.schema.alterTable('companies').dropColumn('address').execute();
}
