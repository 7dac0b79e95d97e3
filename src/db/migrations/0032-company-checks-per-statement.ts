import { sql, type Kysely } from 'kysely';
import { cascadesFor, checkByForeignKey, checkPerStatement, statementCheck } from './company-checks';

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
  await sql.raw(statementCheck('sorted')).execute(db);
  await sql`
    create function company_row_exists() returns trigger language plpgsql as $$
    begin
      perform 1 from companies where realm_id = new.realm_id for key share;
      if not found then
        raise foreign_key_violation using message = format('%s: company %s does not exist', tg_table_name, new.realm_id);
      end if;
      return null;
    end $$`.execute(db);
  await cascadesFor(db, TABLES);

  for (const table of TABLES) await checkPerStatement(db, table);
  await sql`create trigger companies_rows_deleted after delete on companies referencing old table as gone for each statement execute function company_rows_deleted()`.execute(db);
  await sql`create trigger companies_id_kept before update of realm_id on companies for each row when (old.realm_id is distinct from new.realm_id) execute function company_id_kept()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists companies_id_kept on companies`.execute(db);
  await sql`drop trigger if exists companies_rows_deleted on companies`.execute(db);
  for (const table of TABLES) await checkByForeignKey(db, table);
  for (const fn of ['company_id_kept', 'company_rows_deleted', 'company_row_exists', 'company_rows_exist']) await sql.raw(`drop function if exists ${fn}()`).execute(db);
}
