import { sql, type Kysely } from 'kysely';

/**
 * The work list's expensive part, computed once per company, day and version of the copy:
 * overdue balance and oldest due date per paying customer. `copy_versions` is
 * bumped by triggers on every statement that writes invoices or customers, so a snapshot can
 * never outlive the data it was computed from, whoever wrote it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('copy_versions')
    .addColumn('realm_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await sql`
    create function bump_copy_version() returns trigger language plpgsql as $$
    begin
      insert into copy_versions (realm_id, version)
      select distinct realm_id, 1 from changed
      on conflict (realm_id) do update set version = copy_versions.version + 1;
      return null;
    end $$`.execute(db);
  for (const table of ['qbo_invoices', 'qbo_customers']) {
    await sql.raw(`create trigger ${table}_inserted after insert on ${table} referencing new table as changed for each statement execute function bump_copy_version()`).execute(db);
    await sql.raw(`create trigger ${table}_updated after update on ${table} referencing new table as changed for each statement execute function bump_copy_version()`).execute(db);
    await sql.raw(`create trigger ${table}_deleted after delete on ${table} referencing old table as changed for each statement execute function bump_copy_version()`).execute(db);
  }

  await db.schema
    .createTable('overdue_snapshots')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('payer', 'text', (c) => c.notNull())
    .addColumn('balance', sql`numeric(14,2)`, (c) => c.notNull())
    .addColumn('oldest_due', 'date', (c) => c.notNull())
    // Overdue money of the payers ranked before this one (largest first): A accounts are the
    // payers whose predecessors hold less than the A-account share of the total.
    .addColumn('covered_before', sql`numeric(16,2)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('overdue_snapshots_pk', ['realm_id', 'day', 'version', 'payer'])
    .execute();
  await db.schema
    .createTable('overdue_snapshot_runs')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('total', sql`numeric(16,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('overdue_snapshot_runs_pk', ['realm_id', 'day', 'version'])
    .execute();

  await db.schema.createIndex('qbo_customers_parent').on('qbo_customers').columns(['realm_id', 'parent_id']).where(sql.ref('parent_id'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('qbo_customers_parent').ifExists().execute();
  await db.schema.dropTable('overdue_snapshot_runs').ifExists().execute();
  await db.schema.dropTable('overdue_snapshots').ifExists().execute();
  for (const table of ['qbo_invoices', 'qbo_customers']) {
    for (const event of ['inserted', 'updated', 'deleted']) await sql.raw(`drop trigger if exists ${table}_${event} on ${table}`).execute(db);
  }
  await sql`drop function if exists bump_copy_version()`.execute(db);
  await db.schema.dropTable('copy_versions').ifExists().execute();
}
