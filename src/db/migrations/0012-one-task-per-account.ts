import { sql, type Kysely } from 'kysely';

/**
 * One open call task per account, carrying every reason it is open for; tasks retired when
 * their account has nothing collectible; and the account directory: each customer's paying
 * account and that account's type, as the playbook decides them, for SQL to read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_tasks add column reasons jsonb not null default '[]'::jsonb`.execute(db);
  await sql`update call_tasks set reasons = jsonb_build_array(reason)`.execute(db);
  await sql`alter table call_tasks drop constraint if exists call_tasks_status_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_status_check check (status in ('open', 'done', 'cancelled', 'retired'))`.execute(db);

  // Accounts that had several open tasks keep one: the highest level, every reason, the earliest date.
  await sql`
    with ranked as (
      select id, realm_id, customer_id,
             row_number() over (partition by realm_id, customer_id order by level desc, created_on, id) as n
      from call_tasks where status = 'open'
    ),
    merged as (
      select t.realm_id, t.customer_id, min(t.scheduled_for) as scheduled_for,
             (select jsonb_agg(distinct r) from call_tasks x, jsonb_array_elements_text(x.reasons) r
              where x.realm_id = t.realm_id and x.customer_id = t.customer_id and x.status = 'open') as reasons
      from call_tasks t where t.status = 'open' group by t.realm_id, t.customer_id having count(*) > 1
    )
    update call_tasks c set reasons = m.reasons, scheduled_for = m.scheduled_for
    from merged m, ranked r
    where r.id = c.id and r.n = 1 and m.realm_id = c.realm_id and m.customer_id = c.customer_id`.execute(db);
  await sql`
    update call_tasks c set status = 'cancelled', outcome = 'merged into the account''s one task', closed_at = now()
    from (select id, row_number() over (partition by realm_id, customer_id order by level desc, created_on, id) as n
          from call_tasks where status = 'open') r
    where r.id = c.id and r.n > 1`.execute(db);
  await sql`create unique index call_tasks_one_open on call_tasks (realm_id, customer_id) where status = 'open'`.execute(db);
  await sql`create index call_tasks_retired on call_tasks (realm_id) where status = 'retired'`.execute(db);

  await db.schema
    .createTable('customer_accounts')
    .addColumn('realm_id', 'text', (c) => c.notNull().references('companies.realm_id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('customer_type', 'text', (c) => c.notNull().check(sql`customer_type in ('commercial', 'personal')`))
    .addPrimaryKeyConstraint('customer_accounts_pk', ['realm_id', 'customer_id'])
    .execute();
  await db.schema.createIndex('customer_accounts_payer').on('customer_accounts').columns(['realm_id', 'payer_id']).execute();
  await db.schema
    .createTable('account_directory_versions')
    .addColumn('realm_id', 'text', (c) => c.primaryKey().references('companies.realm_id').onDelete('cascade'))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();

  // The user's commercial/personal override changes an account's type: the directory (and the
  // work list built on it) must be rebuilt, as after a change to customers.
  await sql`
    create function bump_copy_version_of_row() returns trigger language plpgsql as $$
    begin
      insert into copy_versions (realm_id, version) values (new.realm_id, 1)
      on conflict (realm_id) do update set version = copy_versions.version + 1;
      return null;
    end $$`.execute(db);
  await sql`create trigger customer_histories_type_set after insert on customer_histories for each row
            when (new.type_override is not null) execute function bump_copy_version_of_row()`.execute(db);
  await sql`create trigger customer_histories_type_changed after update of type_override on customer_histories for each row
            when (old.type_override is distinct from new.type_override) execute function bump_copy_version_of_row()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists customer_histories_type_changed on customer_histories`.execute(db);
  await sql`drop trigger if exists customer_histories_type_set on customer_histories`.execute(db);
  await sql`drop function if exists bump_copy_version_of_row()`.execute(db);
  await db.schema.dropTable('account_directory_versions').ifExists().execute();
  await db.schema.dropTable('customer_accounts').ifExists().execute();
  await sql`drop index if exists call_tasks_retired`.execute(db);
  await sql`drop index if exists call_tasks_one_open`.execute(db);
  await sql`update call_tasks set status = 'cancelled' where status = 'retired'`.execute(db);
  await sql`alter table call_tasks drop constraint if exists call_tasks_status_check`.execute(db);
  await sql`alter table call_tasks add constraint call_tasks_status_check check (status in ('open', 'done', 'cancelled'))`.execute(db);
  await sql`alter table call_tasks drop column reasons`.execute(db);
}
