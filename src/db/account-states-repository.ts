import { sql } from 'kysely';
import type { AccountState, OpenInvoiceFacts } from '../collections/account-state';
import type { LocalDate } from '../collections/calendar';
import type { Level } from '../collections/model';
import { centsToDecimal, toCents } from '../collections/money';
import { perChunk, recordset } from './bulk';
import type { Db } from './database';

/** Past states are kept this long after a newer one replaced them, for requests still reading them. */
const SUPERSEDED_KEPT = "interval '10 minutes'";
const ANALYZE_ROWS = 1000;

interface StateRow {
  payer_id: string;
  day: LocalDate;
  customer_type: 'commercial' | 'personal';
  open_balance: string;
  overdue_balance: string;
  open_invoices: number;
  overdue_invoices: number;
  oldest_due: LocalDate | null;
  oldest_days_overdue: number;
  level: number;
  escalation_candidate: boolean;
  a_account: boolean;
  tough: boolean;
}

/**
 * The stored account states: one row per paying account and business day, computed by the
 * playbook from one version of the facts. Takes the database or a transaction.
 */
export class AccountStatesRepository {
  constructor(private readonly db: Db) {}

  /** The version of the facts now: the copy of QuickBooks and what the collections side decided. */
  async currentVersion(realmId: string): Promise<string> {
    const row = await sql<{ copy: string | null; collections: string | null }>`
      select (select version::text from copy_versions where realm_id = ${realmId}) as copy,
             (select version::text from collections_versions where realm_id = ${realmId}) as collections`.execute(this.db);
    return `${row.rows[0]?.copy ?? '0'}.${row.rows[0]?.collections ?? '0'}`;
  }

  async isStored(realmId: string, day: LocalDate, version: string): Promise<boolean> {
    const row = await this.db.selectFrom('account_state_runs').select('version').where('realm_id', '=', realmId).where('day', '=', day).where('version', '=', version).executeTakeFirst();
    return Boolean(row);
  }

  /** Every open invoice with its paying account and type (from the account directory) and its level. */
  async openInvoices(realmId: string): Promise<OpenInvoiceFacts[]> {
    const rows = await sql<{ id: string; customer_id: string; payer_id: string | null; customer_type: 'commercial' | 'personal' | null; balance: string; due_date: LocalDate; level: number | null; escalation: boolean | null }>`
      select i.id, i.customer_id, a.payer_id, a.customer_type, i.balance::text as balance,
             coalesce(i.due_date, i.txn_date)::text as due_date, s.level, s.escalation_candidate as escalation
      from qbo_invoices i
      left join customer_accounts a on a.realm_id = i.realm_id and a.customer_id = i.customer_id
      left join invoice_states s on s.realm_id = i.realm_id and s.invoice_id = i.id
      where i.realm_id = ${realmId} and i.balance > 0`.execute(this.db);
    return rows.rows.map((r) => ({ id: r.id, customerId: r.customer_id, payerId: r.payer_id ?? r.customer_id, type: r.customer_type ?? 'commercial', balance: toCents(r.balance), dueDate: r.due_date, level: (r.level ?? 0) as Level, escalation: r.escalation ?? false }));
  }

  /** Paying accounts with a broken or partly kept promise or an open dispute. */
  async toughPayers(realmId: string): Promise<Set<string>> {
    const rows = await sql<{ payer: string }>`
      select distinct coalesce(a.payer_id, x.customer_id) as payer from (
        select customer_id from promises where realm_id = ${realmId} and status in ('broken', 'partly_kept')
        union select customer_id from disputes where realm_id = ${realmId} and status = 'open'
      ) x left join customer_accounts a on a.realm_id = ${realmId} and a.customer_id = x.customer_id`.execute(this.db);
    return new Set(rows.rows.map((r) => r.payer));
  }

  /**
   * Stores the day's states of one version, once: a racing builder of the same version waits
   * for the first and stores nothing. Superseded states of the company are then removed.
   */
  async store(realmId: string, day: LocalDate, version: string, states: AccountState[]): Promise<void> {
    const stored = await this.db.transaction().execute(async (trx) => {
      const total = states.reduce((sum, s) => sum + s.overdueBalance, 0);
      const claimed = await trx.insertInto('account_state_runs').values({ realm_id: realmId, day, version, total_overdue: centsToDecimal(total) }).onConflict((oc) => oc.doNothing()).returning('version').executeTakeFirst();
      if (!claimed) return 0;
      await perChunk(states, async (chunk) => {
        const rows = chunk.map((s) => ({ payer_id: s.payerId, customer_type: s.type, open_balance: centsToDecimal(s.openBalance), overdue_balance: centsToDecimal(s.overdueBalance), open_invoices: s.openInvoices, overdue_invoices: s.overdueInvoices, oldest_due: s.oldestDue, oldest_days_overdue: s.oldestDaysOverdue, level: s.level, escalation_candidate: s.escalationCandidate, a_account: s.aAccount, tough: s.tough }));
        await sql`insert into account_states (realm_id, day, version, payer_id, customer_type, open_balance, overdue_balance, open_invoices, overdue_invoices, oldest_due, oldest_days_overdue, level, escalation_candidate, a_account, tough)
                  select ${realmId}, ${day}::date, ${version}, r.payer_id, r.customer_type, r.open_balance, r.overdue_balance, r.open_invoices, r.overdue_invoices, r.oldest_due, r.oldest_days_overdue, r.level, r.escalation_candidate, r.a_account, r.tough
                  from ${recordset(rows, 'r', { payer_id: 'text', customer_type: 'text', open_balance: 'numeric', overdue_balance: 'numeric', open_invoices: 'int', overdue_invoices: 'int', oldest_due: 'date', oldest_days_overdue: 'int', level: 'smallint', escalation_candidate: 'boolean', a_account: 'boolean', tough: 'boolean' })}`.execute(trx);
        return [];
      });
      // Kept: each past day's last state (90 days back), and the newest of today and of any
      // projected day; the rest, once no request can still be reading it, goes.
      await sql`delete from account_state_runs r where r.realm_id = ${realmId} and r.created_at < now() - ${sql.raw(SUPERSEDED_KEPT)}
                and (r.day < ${day}::date - 90 or (r.day >= ${day}::date and r.version <> ${version})
                     or (r.day < ${day}::date and exists (select 1 from account_state_runs n
                         where n.realm_id = r.realm_id and n.day = r.day and n.created_at > r.created_at)))`.execute(trx);
      return states.length;
    });
    // Planner statistics once the table is large: without them it loops over a one-row guess.
    if (stored >= ANALYZE_ROWS) await sql`analyze account_states`.execute(this.db);
  }

  /** One account's stored state of a day and version; none when it had nothing open. */
  async stateOf(realmId: string, day: LocalDate, version: string, payerId: string): Promise<AccountState | undefined> {
    const row = await sql<StateRow>`
      select payer_id, day::text as day, customer_type, open_balance::text as open_balance, overdue_balance::text as overdue_balance,
             open_invoices, overdue_invoices, oldest_due::text as oldest_due, oldest_days_overdue, level, escalation_candidate, a_account, tough
      from account_states where realm_id = ${realmId} and day = ${day}::date and version = ${version} and payer_id = ${payerId}`.execute(this.db);
    return row.rows[0] ? stateFromRow(row.rows[0]) : undefined;
  }
}

export function stateFromRow(row: StateRow): AccountState {
  return {
    payerId: row.payer_id,
    day: row.day,
    type: row.customer_type,
    openBalance: toCents(row.open_balance),
    overdueBalance: toCents(row.overdue_balance),
    openInvoices: row.open_invoices,
    overdueInvoices: row.overdue_invoices,
    oldestDue: row.oldest_due,
    oldestDaysOverdue: row.oldest_days_overdue,
    level: row.level as Level,
    escalationCandidate: row.escalation_candidate,
    aAccount: row.a_account,
    tough: row.tough,
  };
}
