import { sql, type Kysely } from 'kysely';

/**
 * The outbox state machine (queued → sending → sent | failed | uncertain, or cancelled) with
 * what each step leaves behind, and per-company template overrides.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('subject', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dispatched_at', 'timestamptz')
    .addColumn('sending_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('status_reason', 'text')
    .addColumn('smtp_response', 'text')
    .addColumn('listed_invoice_ids', 'jsonb')
    .execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['send_at']).where(sql.ref('status'), '=', 'queued').execute();
  await db.schema.createIndex('messages_realm').on('messages').columns(['realm_id', 'created_at']).execute();

  await db.schema
    .createTable('template_overrides')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('part', 'text', (c) => c.notNull().check(sql`part in ('subject', 'html', 'text')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('template_overrides_pk', ['realm_id', 'name', 'part'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('template_overrides').ifExists().execute();
  await db.schema.dropIndex('messages_realm').ifExists().execute();
  await db.schema.dropIndex('messages_due').ifExists().execute();
  for (const column of ['listed_invoice_ids', 'smtp_response', 'status_reason', 'sent_at', 'sending_at', 'dispatched_at', 'attempts', 'subject']) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
}
