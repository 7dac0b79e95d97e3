import { sql, type Kysely } from 'kysely';
import { cascadesFor, checkByForeignKey, checkPerStatement, statementCheck } from './company-checks';

/**
 * The rest of what a company's first playbook run writes by the thousand (its messages, call
 * tasks and customer histories: 7,500 of each over 100,000 invoices) checks its company once per
 * statement too (0032), and the statement check takes the statement's companies once, hashed,
 * rather than counting them with a sort of every row (a fifth of a 25,000-row insert's time).
 * Messages' sent copies still go with them (their own key, `on delete cascade`).
 */
const BEFORE = ['invoice_states', 'activities'] as const;
const ADDED = ['messages', 'call_tasks', 'customer_histories'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(statementCheck('hashed')).execute(db);
  await cascadesFor(db, [...BEFORE, ...ADDED]);
  for (const table of ADDED) await checkPerStatement(db, table);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ADDED) await checkByForeignKey(db, table);
  await cascadesFor(db, BEFORE);
  await sql.raw(statementCheck('sorted')).execute(db);
}
