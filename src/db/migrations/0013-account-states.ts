import { sql, type Kysely } from 'kysely';

/**
 * One stored state per paying account and business day, computed by the playbook and read by
 * every page and API that shows an account (it replaces the work list's overdue snapshots).
 * A state is keyed by the version of the copy of QuickBooks and the version of what the
 * collections side decided (invoice levels, promises, disputes, pauses), each bumped by
 * statement-level triggers, so a stored state can never outlive the facts it was computed from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('collections_versions')
    .addColumn('realm_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`
    create function bump_collections_version() returns trigger language plpgsql as $$
    begin
      insert into collections_versions (realm_id, version)
      select distinct realm_id, 1 from changed
      on conflict (realm_id) do update set version = collections_versions.version + 1;
      return null;
    end $$`.execute(db);
  for (const table of ['invoice_states', 'promises', 'disputes', 'pauses']) {
    await sql.raw(`create trigger ${table}_inserted after insert on ${table} referencing new table as changed for each statement execute function bump_collections_version()`).execute(db);
    await sql.raw(`create trigger ${table}_updated after update on ${table} referencing new table as changed for each statement execute function bump_collections_version()`).execute(db);
    await sql.raw(`create trigger ${table}_deleted after delete on ${table} referencing old table as changed for each statement execute function bump_collections_version()`).execute(db);
  }

  await db.schema.dropTable('overdue_snapshots').ifExists().execute();
  await db.schema.dropTable('overdue_snapshot_runs').ifExists().execute();

  await db.schema
    .createTable('account_state_runs')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('total_overdue', sql`numeric(16,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('account_state_runs_pk', ['realm_id', 'day', 'version'])
    .execute();
  await db.schema
    .createTable('account_states')
    .addColumn('realm_id', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('customer_type', 'text', (c) => c.notNull().check(sql`customer_type in ('commercial', 'personal')`))
    .addColumn('open_balance', sql`numeric(16,2)`, (c) => c.notNull())
    .addColumn('overdue_balance', sql`numeric(16,2)`, (c) => c.notNull())
    .addColumn('open_invoices', 'integer', (c) => c.notNull())
    .addColumn('overdue_invoices', 'integer', (c) => c.notNull())
    .addColumn('oldest_due', 'date')
    .addColumn('oldest_days_overdue', 'integer', (c) => c.notNull())
    .addColumn('level', 'smallint', (c) => c.notNull())
    .addColumn('escalation_candidate', 'boolean', (c) => c.notNull())
    .addColumn('a_account', 'boolean', (c) => c.notNull())
    .addColumn('tough', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_states_pk', ['realm_id', 'day', 'version', 'payer_id'])
    .addForeignKeyConstraint('account_states_run', ['realm_id', 'day', 'version'], 'account_state_runs', ['realm_id', 'day', 'version'], (fk) => fk.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_states').ifExists().execute();
  await db.schema.dropTable('account_state_runs').ifExists().execute();
  for (const table of ['invoice_states', 'promises', 'disputes', 'pauses']) {
    for (const event of ['inserted', 'updated', 'deleted']) await sql.raw(`drop trigger if exists ${table}_${event} on ${table}`).execute(db);
  }
  await sql`drop function if exists bump_collections_version()`.execute(db);
  await db.schema.dropTable('collections_versions').ifExists().execute();
  // The overdue snapshots were a cache: they come back empty, as 0005 made them.
  await sql`create table overdue_snapshots (realm_id text not null references companies(realm_id) on delete cascade, day date not null,
            version bigint not null, payer text not null, balance numeric(14,2) not null, oldest_due date not null,
            covered_before numeric(16,2) not null, constraint overdue_snapshots_pk primary key (realm_id, day, version, payer))`.execute(db);
  await sql`create table overdue_snapshot_runs (realm_id text not null references companies(realm_id) on delete cascade, day date not null,
            version bigint not null, total numeric(16,2) not null default 0, created_at timestamptz not null default now(),
            constraint overdue_snapshot_runs_pk primary key (realm_id, day, version))`.execute(db);
}
