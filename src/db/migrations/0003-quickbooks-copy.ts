import { sql, type Kysely } from 'kysely';

/**
 * Ardesk's copy of each company's QuickBooks data, and the state of its sync. Money is
 * numeric(14,2); `raw` keeps the entity as QuickBooks sent it (letters need the invoice lines).
 * `sync_run` marks the rows a full sync saw, so rows deleted in QuickBooks can be swept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const common = (table: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
    table
      .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('sync_token', 'text', (c) => c.notNull())
      .addColumn('qbo_updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('sync_run', 'bigint', (c) => c.notNull().defaultTo(0));

  await common(db.schema.createTable('qbo_customers'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('company_name', 'text')
    .addColumn('given_name', 'text')
    .addColumn('family_name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('mobile', 'text')
    .addColumn('notes', 'text')
    .addColumn('balance', sql`numeric(14,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('sales_term_id', 'text')
    .addColumn('currency', 'text')
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('qbo_customers_pk', ['realm_id', 'id'])
    .execute();

  await common(db.schema.createTable('qbo_invoices'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('doc_number', 'text')
    .addColumn('txn_date', 'date', (c) => c.notNull())
    .addColumn('due_date', 'date')
    .addColumn('total', sql`numeric(14,2)`, (c) => c.notNull())
    .addColumn('balance', sql`numeric(14,2)`, (c) => c.notNull())
    .addColumn('bill_email', 'text')
    .addColumn('sales_term_id', 'text')
    .addColumn('currency', 'text')
    .addColumn('email_status', 'text')
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('qbo_invoices_pk', ['realm_id', 'id'])
    .execute();
  await db.schema.createIndex('qbo_invoices_open').on('qbo_invoices').columns(['realm_id', 'customer_id']).where(sql.ref('balance'), '>', 0).execute();

  await common(db.schema.createTable('qbo_payments'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('txn_date', 'date', (c) => c.notNull())
    .addColumn('total', sql`numeric(14,2)`, (c) => c.notNull())
    .addColumn('unapplied', sql`numeric(14,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('applied_to', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('qbo_payments_pk', ['realm_id', 'id'])
    .execute();
  await db.schema.createIndex('qbo_payments_customer').on('qbo_payments').columns(['realm_id', 'customer_id']).execute();

  await common(db.schema.createTable('qbo_credit_memos'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('doc_number', 'text')
    .addColumn('txn_date', 'date', (c) => c.notNull())
    .addColumn('total', sql`numeric(14,2)`, (c) => c.notNull())
    .addColumn('remaining_credit', sql`numeric(14,2)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('qbo_credit_memos_pk', ['realm_id', 'id'])
    .execute();

  await common(db.schema.createTable('qbo_terms'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('due_days', 'integer')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('qbo_terms_pk', ['realm_id', 'id'])
    .execute();

  await db.schema
    .createTable('sync_state')
    .addColumn('realm_id', 'text', (c) => c.primaryKey().references('companies.realm_id').onDelete('cascade'))
    .addColumn('cdc_cursor', 'timestamptz')
    .addColumn('last_full_at', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('last_mode', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .addColumn('counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('skipped', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('run', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sync_state', 'qbo_terms', 'qbo_credit_memos', 'qbo_payments', 'qbo_invoices', 'qbo_customers']) await db.schema.dropTable(table).ifExists().execute();
}
