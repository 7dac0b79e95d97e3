import { sql, type Kysely } from 'kysely';

/**
 * How far a company's long work has got, for its page: the latest sync and the latest daily run,
 * one row each (queued, running, done or failed), with the rows read per entity (and how many
 * QuickBooks counted), or the accounts decided and the messages queued. And a company's own
 * From address for its emails.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('work_progress')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('sync', 'cadence')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'running', 'done', 'failed')`))
    .addColumn('step', 'text')
    .addColumn('rows', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('totals', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('accounts', 'integer')
    .addColumn('messages', 'integer')
    .addColumn('tasks', 'integer')
    .addColumn('error', 'text')
    .addColumn('queued_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('work_progress_pkey', ['realm_id', 'kind'])
    .execute();
  // The company's own From address (on a domain the mail setup allows), else MAIL_FROM's.
  await db.schema.alterTable('sender_identities').addColumn('from_address', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sender_identities').dropColumn('from_address').execute();
  await db.schema.dropTable('work_progress').execute();
}
