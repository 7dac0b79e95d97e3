import { sql, type Kysely } from 'kysely';

/**
 * The collection history and its working state: where each invoice stands in the playbook,
 * what each customer has been sent and told, call tasks, promises and plans, disputes, pauses,
 * contacts, the outbox of messages to send, and per-company playbook settings. Every row the
 * cadence writes has a natural key, so a re-run inserts nothing twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const realm = (c: import('kysely').ColumnDefinitionBuilder) => c.notNull().references('companies.realm_id').onDelete('cascade');
  const id = (c: import('kysely').ColumnDefinitionBuilder) => c.primaryKey().defaultTo(sql`gen_random_uuid()`);

  await db.schema
    .createTable('invoice_states')
    .addColumn('realm_id', 'text', realm)
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(0).check(sql`level between 0 and 4`))
    .addColumn('level_entered_on', 'date')
    .addColumn('level1_on', 'date')
    .addColumn('first_seen_on', 'date', (c) => c.notNull())
    .addColumn('verification_sent_on', 'date')
    .addColumn('escalate_now', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('escalation_candidate', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('invoice_states_pk', ['realm_id', 'invoice_id'])
    .execute();

  await db.schema
    .createTable('customer_histories')
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('last_dunning_on', 'date')
    .addColumn('last_reached_on', 'date')
    .addColumn('contacted_invoice_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('type_override', 'text', (c) => c.check(sql`type_override in ('commercial', 'personal')`))
    .addPrimaryKeyConstraint('customer_histories_pk', ['realm_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('call_tasks')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('level', 'broken_promise', 'find_email', 'call_back')`))
    .addColumn('scheduled_for', 'date', (c) => c.notNull())
    .addColumn('created_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'done', 'cancelled')`))
    .addColumn('outcome', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('key', 'text', (c) => c.notNull())
    .addUniqueConstraint('call_tasks_key', ['realm_id', 'key'])
    .execute();
  await db.schema.createIndex('call_tasks_open').on('call_tasks').columns(['realm_id', 'scheduled_for']).where(sql.ref('status'), '=', 'open').execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('invoice_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_on', 'date', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addUniqueConstraint('activities_key', ['realm_id', 'key'])
    .execute();
  await db.schema.createIndex('activities_customer').on('activities').columns(['realm_id', 'customer_id', 'occurred_on']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('invoice_ids', 'jsonb', (c) => c.notNull())
    .addColumn('total', sql`numeric(14,2)`, (c) => c.notNull())
    .addColumn('send_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued').check(sql`status in ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addUniqueConstraint('messages_key', ['realm_id', 'key'])
    .execute();

  await db.schema
    .createTable('payment_plans')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'completed', 'broken')`))
    .addColumn('created_on', 'date', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('promises')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('invoice_ids', 'jsonb', (c) => c.notNull())
    .addColumn('amount', sql`numeric(14,2)`, (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('made_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'kept', 'partly_kept', 'broken')`))
    .addColumn('paid', sql`numeric(14,2)`)
    .addColumn('plan_id', 'uuid', (c) => c.references('payment_plans.id').onDelete('cascade'))
    .addColumn('settled_on', 'date')
    .execute();
  await db.schema.createIndex('promises_open').on('promises').columns(['realm_id', 'customer_id']).where(sql.ref('status'), '=', 'open').execute();

  await db.schema
    .createTable('disputes')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('invoice_ids', 'jsonb', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('pricing', 'not_received', 'quality', 'missing_po', 'billing_contact', 'other')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'resolved')`))
    .addColumn('resolution', 'text')
    .addColumn('opened_on', 'date', (c) => c.notNull())
    .addColumn('resolved_on', 'date')
    .execute();

  await db.schema
    .createTable('pauses')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('until', 'date')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('pauses_target', sql`customer_id is not null or invoice_id is not null`)
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'uuid', id)
    .addColumn('realm_id', 'text', realm)
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('approves_payment', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('playbook_settings')
    .addColumn('realm_id', 'text', (c) => c.primaryKey().references('companies.realm_id').onDelete('cascade'))
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['playbook_settings', 'contacts', 'pauses', 'disputes', 'promises', 'payment_plans', 'messages', 'activities', 'call_tasks', 'customer_histories', 'invoice_states']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
