import { sql, type Kysely } from 'kysely';

/**
 * What a foreign key to `companies` promised, kept by triggers for the tables a first playbook
 * run fills by the thousand (0032, 0033): the key runs one lookup of `companies` per row, these
 * run one per statement. The SQL is shared by the migrations that set the triggers up.
 */

/** The statement check: every company the statement's rows name exists, held (`for key share`) to the end of the transaction. */
export function statementCheck(counting: 'sorted' | 'hashed'): string {
  // 'sorted' (0032) counted distinct companies with count(distinct), a sort of every row; 'hashed' (0033) takes them once, hashed.
  const wanted = counting === 'sorted' ? 'integer' : 'text[]';
  const body =
    counting === 'sorted'
      ? `select count(distinct realm_id) into wanted from changed;
      select count(*) into held from (select 1 from companies where realm_id in (select realm_id from changed) for key share) c;
      if held < wanted then`
      : `wanted := array(select distinct realm_id from changed);
      select count(*) into held from (select 1 from companies where realm_id = any(wanted) for key share) c;
      if held < cardinality(wanted) then`;
  return `
    create or replace function company_rows_exist() returns trigger language plpgsql as $$
    declare
      wanted ${wanted};
      held integer;
    begin
      ${body}
        raise foreign_key_violation using message = format('%s: a row names a company that does not exist', tg_table_name);
      end if;
      return null;
    end $$`;
}

/** Deleting companies deletes the rows of `tables` (`on delete cascade`), and a company's id cannot change under them. */
export async function cascadesFor(db: Kysely<unknown>, tables: readonly string[]): Promise<void> {
  await sql
    .raw(`
    create or replace function company_rows_deleted() returns trigger language plpgsql as $$
    begin
      ${tables.map((table) => `delete from ${table} where realm_id in (select realm_id from gone);`).join('\n      ')}
      return null;
    end $$`)
    .execute(db);
  await sql
    .raw(`
    create or replace function company_id_kept() returns trigger language plpgsql as $$
    begin
      if ${tables.map((table) => `exists (select 1 from ${table} where realm_id = old.realm_id)`).join(' or ')} then
        raise foreign_key_violation using message = format('company %s still has rows: its id cannot change', old.realm_id);
      end if;
      return new;
    end $$`)
    .execute(db);
}

/** `table` checks its company per statement instead of by its foreign key. */
export async function checkPerStatement(db: Kysely<unknown>, table: string): Promise<void> {
  await sql.raw(`alter table ${table} drop constraint if exists ${table}_realm_id_fkey`).execute(db);
  await sql.raw(`create trigger ${table}_company after insert on ${table} referencing new table as changed for each statement execute function company_rows_exist()`).execute(db);
  await sql.raw(`create trigger ${table}_company_moved after update of realm_id on ${table} for each row when (old.realm_id is distinct from new.realm_id) execute function company_row_exists()`).execute(db);
}

/** `table` checks its company by a foreign key again. */
export async function checkByForeignKey(db: Kysely<unknown>, table: string): Promise<void> {
  await sql.raw(`drop trigger if exists ${table}_company_moved on ${table}`).execute(db);
  await sql.raw(`drop trigger if exists ${table}_company on ${table}`).execute(db);
  await sql.raw(`alter table ${table} add constraint ${table}_realm_id_fkey foreign key (realm_id) references companies (realm_id) on delete cascade`).execute(db);
}
