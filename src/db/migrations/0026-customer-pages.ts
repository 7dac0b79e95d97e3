import { sql, type Kysely } from 'kysely';

/**
 * The customer's own pages: what a customer answered to a verification letter (everything in
 * order, or a problem, with the dispute it opened), who made a promise or raised a dispute (a
 * collector on a call, or the customer on its page), and the call task reason a problem the
 * customer reported puts on the account's task.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_answers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'uuid')
    .addColumn('invoice_ids', 'jsonb', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull().check(sql`answer in ('in_order', 'problem')`))
    .addColumn('dispute_id', 'uuid')
    .addColumn('answered_on', 'date', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_answers_customer').on('customer_answers').columns(['realm_id', 'customer_id', 'answered_at']).execute();
  await sql`alter table promises add column source text not null default 'collector' check (source in ('collector', 'customer'))`.execute(db);
  await sql`alter table disputes add column source text not null default 'collector' check (source in ('collector', 'customer'))`.execute(db);
  await sql`alter table call_tasks drop constraint if exists call_tasks_reason_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_reason_check check (reason in ('level', 'broken_promise', 'find_email', 'call_back', 'promise_due_today', 'difficult_customer', 'problem_reported'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from call_tasks where reason = 'problem_reported'`.execute(db);
  await sql`update call_tasks set reasons = reasons - 'problem_reported'`.execute(db);
  await sql`alter table call_tasks drop constraint if exists call_tasks_reason_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_reason_check check (reason in ('level', 'broken_promise', 'find_email', 'call_back', 'promise_due_today', 'difficult_customer'))`.execute(db);
  await sql`alter table disputes drop column source`.execute(db);
  await sql`alter table promises drop column source`.execute(db);
  await db.schema.dropTable('customer_answers').execute();
}
