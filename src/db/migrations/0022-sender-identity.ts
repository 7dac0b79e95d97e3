import type { Kysely } from 'kysely';

/**
 * Who writes to a company's customers and how they can pay: the collector's name, title,
 * reply-to address and direct phone, the remit-to address and bank transfer text, and the return
 * address of posted letters (none: the company address QuickBooks gave). One row per company.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sender_identities')
    .addColumn('realm_id', 'text', (c) => c.primaryKey().references('companies.realm_id').onDelete('cascade'))
    .addColumn('collector_name', 'text')
    .addColumn('collector_title', 'text')
    .addColumn('reply_to', 'text')
    .addColumn('direct_phone', 'text')
    .addColumn('remit_to', 'text')
    .addColumn('bank_transfer', 'text')
    .addColumn('return_address', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sender_identities').execute();
}
