import { sql, type Kysely } from 'kysely';

/**
 * What the playbook of issue 19 remembers: the day an invoice entered level 2 (the letters after
 * unanswered calls count the calls from there), and the task reasons it now gives (a promise due
 * today; a difficult customer of the month). The earlier invoices at level 2 or above take the
 * best date they have: the day they entered their level when it is 2, else none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoice_states add column level2_on date`.execute(db);
  await sql`update invoice_states set level2_on = level_entered_on where level = 2`.execute(db);
  await sql`alter table call_tasks drop constraint if exists call_tasks_reason_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_reason_check check (reason in ('level', 'broken_promise', 'find_email', 'call_back', 'promise_due_today', 'difficult_customer'))`.execute(db);
  // The playbook reads each account's messages that ask for money: by company and kind.
  await sql`create index if not exists messages_realm_customer on messages (realm_id, customer_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists messages_realm_customer`.execute(db);
  await sql`alter table call_tasks drop constraint if exists call_tasks_reason_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_reason_check check (reason in ('level', 'broken_promise', 'find_email', 'call_back'))`.execute(db);
  await sql`alter table invoice_states drop column level2_on`.execute(db);
}
