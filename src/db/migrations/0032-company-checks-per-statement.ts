import { sql, type Kysely } from 'kysely';

/**
 * The two tables a company's first playbook run fills by the hundred thousand (invoice states
 * and activities) check their company once per statement instead of once per row. A foreign key
 * runs one lookup of `companies` for every row inserted: on a first run over 100,000 invoices
 * that was about a third of recording. The triggers below keep what the foreign keys promised:
 * every row's company exists and is held (`for key share`, as the key's check holds it) until the
 * transaction ends, a row never moves to a company that does not exist, deleting a company
 * deletes its rows (`on delete cascade`), and a company's id cannot change under its rows.
 */
const TABLES = ['invoice_states', 'activities'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function company_rows_exist() returns trigger language plpgsql as $$
    declare
      wanted integer;
      held integer;
    begin
      select count(distinct realm_id) into wanted from changed;
      select count(*) into held from (select 1 from companies where realm_id in (select realm_id from changed) for key share) c;
      if held < wanted then
        raise foreign_key_violation using message = format('%s: a row names a company that does not exist', tg_table_name);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create function company_row_exists() returns trigger language plpgsql as $$
    begin
      perform 1 from companies where realm_id = new.realm_id for key share;
      if not found then
        raise foreign_key_violation using message = format('%s: company %s does not exist', tg_table_name, new.realm_id);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create function company_rows_deleted() returns trigger language plpgsql as $$
    begin
      ${sql.raw(TABLES.map((table) => `delete from ${table} where realm_id in (select realm_id from gone);`).join('\n      '))}
      return null;
    end $$`.execute(db);
  await sql`
    create function company_id_kept() returns trigger language plpgsql as $$
    begin
      if ${sql.raw(TABLES.map((table) => `exists (select 1 from ${table} where realm_id = old.realm_id)`).join(' or '))} then
        raise foreign_key_violation using message = format('company %s still has rows: its id cannot change', old.realm_id);
      end if;
      return new;
    end $$`.execute(db);

  for (const table of TABLES) {
    await sql.raw(`alter table ${table} drop constraint if exists ${table}_realm_id_fkey`).execute(db);
    await sql.raw(`create trigger ${table}_company after insert on ${table} referencing new table as changed for each statement execute function company_rows_exist()`).execute(db);
    await sql.raw(`create trigger ${table}_company_moved after update of realm_id on ${table} for each row when (old.realm_id is distinct from new.realm_id) execute function company_row_exists()`).execute(db);
  }
  await sql`create trigger companies_rows_deleted after delete on companies referencing old table as gone for each statement execute function company_rows_deleted()`.execute(db);
  await sql`create trigger companies_id_kept before update of realm_id on companies for each row when (old.realm_id is distinct from new.realm_id) execute function company_id_kept()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists companies_id_kept on companies`.execute(db);
  await sql`drop trigger if exists companies_rows_deleted on companies`.execute(db);
  for (const table of TABLES) {
    await sql.raw(`drop trigger if exists ${table}_company_moved on ${table}`).execute(db);
    await sql.raw(`drop trigger if exists ${table}_company on ${table}`).execute(db);
    await sql.raw(`alter table ${table} add constraint ${table}_realm_id_fkey foreign key (realm_id) references companies (realm_id) on delete cascade`).execute(db);
  }
  for (const fn of ['company_id_kept', 'company_rows_deleted', 'company_row_exists', 'company_rows_exist']) await sql.raw(`drop function if exists ${fn}()`).execute(db);
}
