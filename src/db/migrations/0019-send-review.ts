import { sql, type Kysely } from 'kysely';

/**
 * Review before sending (issue 20): a company chooses whether a person approves what the daily
 * run would send (`first_run`, the default: only until collecting starts; `every_run`; `off`).
 * `collecting_since` is when a person first approved (null: nothing has been approved yet), each
 * message's `approved_at` when its review approved it, and `send_approvals` who approved what.
 * Companies connected before this migration were already collecting: they start from now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table companies add column send_review text not null default 'first_run' check (send_review in ('first_run', 'every_run', 'off'))`.execute(db);
  await sql`alter table companies add column collecting_since timestamptz`.execute(db);
  await sql`update companies set collecting_since = now()`.execute(db);
  await sql`alter table messages add column approved_at timestamptz`.execute(db);
  await db.schema
    .createTable('send_approvals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('approved_by', 'text', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('accounts', 'integer', (c) => c.notNull())
    .addColumn('total', sql`numeric(16,2)`, (c) => c.notNull())
    .execute();
  await sql`create index send_approvals_realm on send_approvals (realm_id, approved_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('send_approvals').execute();
  await sql`alter table messages drop column approved_at`.execute(db);
  await sql`alter table companies drop column collecting_since`.execute(db);
  await sql`alter table companies drop column send_review`.execute(db);
}
