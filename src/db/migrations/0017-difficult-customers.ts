import { sql, type Kysely } from 'kysely';

/**
 * The month's difficult customers, fixed once per company and month on its first day (and not
 * recomputed on every view), with the attack plan each got; and the call task reason that puts
 * each of them on the next call day's list.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('difficult_customer_lists')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ~ '^[0-9]{4}-[0-9]{2}$'`))
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('fixed_on', 'date', (c) => c.notNull())
    .addColumn('tasks_recorded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('difficult_customer_lists_pk', ['realm_id', 'month'])
    .execute();
  await db.schema
    .createTable('difficult_customers')
    .addColumn('realm_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('broken_promises', 'integer', (c) => c.notNull())
    .addColumn('disputes', 'integer', (c) => c.notNull())
    .addColumn('invoices_over_60', 'integer', (c) => c.notNull())
    .addColumn('will_not_pay', 'integer', (c) => c.notNull())
    .addColumn('balance', sql`numeric(16,2)`, (c) => c.notNull())
    .addColumn('overdue_balance', sql`numeric(16,2)`, (c) => c.notNull())
    .addColumn('attack_plan', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('difficult_customers_pk', ['realm_id', 'month', 'customer_id'])
    .addForeignKeyConstraint('difficult_customers_list', ['realm_id', 'month'], 'difficult_customer_lists', ['realm_id', 'month'], (fk) => fk.onDelete('cascade'))
    .execute();
  // The same list of reasons as the playbook's migration (0015) allows: whichever runs last agrees.
  await sql`alter table call_tasks drop constraint if exists call_tasks_reason_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_reason_check check (reason in ('level', 'broken_promise', 'find_email', 'call_back', 'promise_due_today', 'difficult_customer'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('difficult_customers').execute();
  await db.schema.dropTable('difficult_customer_lists').execute();
}
