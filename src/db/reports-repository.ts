import type { DifficultCustomer } from '../collections/reports';
import { sql, type Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { centsToDecimal, toCents, type Cents } from '../collections/money';
import { perChunk, recordset } from './bulk';
import type { Db } from './database';
import { paymentLines, type PaymentLine } from './payment-lines';
import type { ActivitiesTable, DisputesTable, PromisesTable, QboCustomersTable, QboInvoicesTable, QboPaymentsTable } from './schema';

export type ReportInvoice = Pick<Selectable<QboInvoicesTable>, 'id' | 'customer_id' | 'doc_number' | 'txn_date' | 'due_date'> & { total: Cents; balance: Cents };
export type ReportCall = Pick<Selectable<ActivitiesTable>, 'customer_id' | 'occurred_on' | 'invoice_ids'> & { reached: boolean; outcome: string | null };
export type ReportMessage = { kind: string; sent_on: LocalDate; invoice_ids: string[] };
export type ReportPromise = Pick<Selectable<PromisesTable>, 'id' | 'customer_id' | 'made_on' | 'due_on' | 'status' | 'plan_id' | 'invoice_ids' | 'settled_on'> & { amount: Cents };
export type ReportPayment = Pick<Selectable<QboPaymentsTable>, 'txn_date'> & { lines: PaymentLine[] };
export type ReportCustomer = Pick<Selectable<QboCustomersTable>, 'id' | 'display_name'>;
export type ReportDispute = Pick<Selectable<DisputesTable>, 'category' | 'opened_on'>;
export type ReportDisputeFacts = Pick<Selectable<DisputesTable>, 'customer_id' | 'category' | 'opened_on' | 'status' | 'resolved_on' | 'invoice_ids'>;
export type ReportPromiseFacts = Pick<Selectable<PromisesTable>, 'id' | 'customer_id' | 'plan_id' | 'due_on' | 'made_on' | 'status' | 'settled_on'> & { amount: Cents };
export interface ReportAccount {
  customer_id: string;
  payer_id: string;
  customer_type: 'commercial' | 'personal';
}

/** A difficult customer as the month's list stored it; money in cents. */
/** A difficult customer as the month's list stored it: the playbook's figures, fixed on the 1st. */
export type StoredDifficultCustomer = DifficultCustomer;

export interface StoredDifficultList {
  month: string;
  asOf: LocalDate;
  fixedOn: LocalDate;
  tasksRecorded: boolean;
  customers: StoredDifficultCustomer[];
}

/** What the collection reports (aging, DSO, results, difficult customers, systems log) are computed from; amounts in cents. */
export class ReportsRepository {
  constructor(private readonly db: Db) {}

  async invoices(realmId: string): Promise<ReportInvoice[]> {
    const rows = await this.db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'doc_number', 'txn_date', 'due_date', 'total', 'balance']).where('realm_id', '=', realmId).execute();
    return rows.map((row) => ({ ...row, total: toCents(row.total), balance: toCents(row.balance) }));
  }

  /** Every call recorded up to `until`, with the invoices it was about and whether it reached someone. */
  async calls(realmId: string, until: LocalDate): Promise<ReportCall[]> {
    const rows = await this.db
      .selectFrom('activities')
      .select(['customer_id', 'occurred_on', 'invoice_ids', sql<string | null>`details->>'reached'`.as('reached'), sql<string | null>`details->>'outcome'`.as('outcome')])
      .where('realm_id', '=', realmId)
      .where('kind', '=', 'call')
      .where('occurred_on', '<=', until)
      .execute();
    return rows.map((row) => ({ ...row, reached: row.reached === 'true' }));
  }

  /**
   * The messages of these kinds sent up to the end of `until` in the company's time zone, each
   * with its local sending date and the invoices it listed (after the fresh balance check).
   */
  async sentMessages(realmId: string, kinds: readonly string[], until: LocalDate, timezone: string): Promise<ReportMessage[]> {
    if (!kinds.length) return [];
    const sentOn = sql<LocalDate>`(coalesce(sent_at, send_at) at time zone ${timezone})::date`;
    const rows = await this.db
      .selectFrom('messages')
      .select(['kind', sql<LocalDate>`${sentOn}::text`.as('sent_on'), sql<string[]>`coalesce(listed_invoice_ids, invoice_ids)`.as('invoice_ids')])
      .where('realm_id', '=', realmId)
      .where('status', '=', 'sent')
      .where('kind', 'in', [...kinds])
      .where(sentOn, '<=', sql<LocalDate>`${until}::date`)
      .execute();
    return rows;
  }

  /** The promises made in the period, in the order they fall due, with what they covered (to tell when a kept one was kept). */
  async promisesMade(realmId: string, from: LocalDate, to: LocalDate): Promise<ReportPromise[]> {
    const rows = await this.db
      .selectFrom('promises')
      .select(['id', 'customer_id', 'made_on', 'due_on', 'status', 'plan_id', 'invoice_ids', 'amount', 'settled_on'])
      .where('realm_id', '=', realmId)
      .where('made_on', '>=', from)
      .where('made_on', '<=', to)
      .orderBy('due_on')
      .execute();
    return rows.map((row) => ({ ...row, amount: toCents(row.amount) }));
  }

  /** The promises that fall due in the period (a plan's installments each on its own date). */
  async promisesDue(realmId: string, from: LocalDate, to: LocalDate): Promise<Array<{ due_on: LocalDate; amount: Cents; status: string }>> {
    const rows = await this.db
      .selectFrom('promises')
      .select(['due_on', 'amount', 'status'])
      .where('realm_id', '=', realmId)
      .where('due_on', '>=', from)
      .where('due_on', '<=', to)
      .execute();
    return rows.map((row) => ({ due_on: row.due_on, amount: toCents(row.amount), status: row.status }));
  }

  /** Every payment dated on or before `until`, with its lines in cents. */
  async paymentsUntil(realmId: string, until: LocalDate): Promise<ReportPayment[]> {
    const rows = await this.db.selectFrom('qbo_payments').select(['txn_date', 'applied_to']).where('realm_id', '=', realmId).where('txn_date', '<=', until).execute();
    return rows.map((row) => ({ txn_date: row.txn_date, lines: paymentLines(row.applied_to) }));
  }

  async customers(realmId: string): Promise<ReportCustomer[]> {
    return this.db.selectFrom('qbo_customers').select(['id', 'display_name']).where('realm_id', '=', realmId).execute();
  }

  /** Each customer's paying account and its type, from the account directory. */
  async accounts(realmId: string): Promise<ReportAccount[]> {
    return this.db.selectFrom('customer_accounts').select(['customer_id', 'payer_id', 'customer_type']).where('realm_id', '=', realmId).execute();
  }

  /** The collection level of each invoice the playbook tracks. */
  async levels(realmId: string): Promise<Array<{ invoice_id: string; level: number }>> {
    return this.db.selectFrom('invoice_states').select(['invoice_id', 'level']).where('realm_id', '=', realmId).execute();
  }

  /** The promises (plan installments included) made from `since` up to the day before `before`. */
  async promisesMadeBetween(realmId: string, since: LocalDate, before: LocalDate): Promise<ReportPromiseFacts[]> {
    const rows = await this.db
      .selectFrom('promises')
      .select(['id', 'customer_id', 'plan_id', 'amount', 'due_on', 'made_on', 'status', 'settled_on'])
      .where('realm_id', '=', realmId)
      .where('made_on', '>=', since)
      .where('made_on', '<', before)
      .orderBy('due_on')
      .execute();
    return rows.map((row) => ({ ...row, amount: toCents(row.amount) }));
  }

  /** The disputes opened from `since` up to the day before `before`. */
  async disputesOpenedBetween(realmId: string, since: LocalDate, before: LocalDate): Promise<ReportDisputeFacts[]> {
    return this.db
      .selectFrom('disputes')
      .select(['customer_id', 'category', 'opened_on', 'status', 'resolved_on', 'invoice_ids'])
      .where('realm_id', '=', realmId)
      .where('opened_on', '>=', since)
      .where('opened_on', '<', before)
      .execute();
  }

  /** The calls where the customer said they will not pay, from `since` up to the day before `before`. */
  async refusalsBetween(realmId: string, since: LocalDate, before: LocalDate): Promise<Array<{ customer_id: string; occurred_on: LocalDate }>> {
    return this.db
      .selectFrom('activities')
      .select(['customer_id', 'occurred_on'])
      .where('realm_id', '=', realmId)
      .where('kind', '=', 'call')
      .where(sql<string>`details->>'outcome'`, '=', 'will_not_pay')
      .where('occurred_on', '>=', since)
      .where('occurred_on', '<', before)
      .execute();
  }

  /** The month's stored list of difficult customers, in rank order; none when the month is not fixed yet. */
  async difficultList(realmId: string, month: string): Promise<StoredDifficultList | undefined> {
    const list = await sql<{ month: string; as_of: LocalDate; fixed_on: LocalDate; tasks_recorded: boolean }>`
      select month, as_of::text as as_of, fixed_on::text as fixed_on, tasks_recorded
      from difficult_customer_lists where realm_id = ${realmId} and month = ${month}`.execute(this.db);
    const head = list.rows[0];
    if (!head) return undefined;
    const rows = await sql<{ customer_id: string; name: string; score: number; broken_promises: number; disputes: number; invoices_over_60: number; will_not_pay: number; balance: string; overdue_balance: string; attack_plan: string }>`
      select customer_id, name, score, broken_promises, disputes, invoices_over_60, will_not_pay, balance::text as balance, overdue_balance::text as overdue_balance, attack_plan
      from difficult_customers where realm_id = ${realmId} and month = ${month} order by rank`.execute(this.db);
    return {
      month: head.month,
      asOf: head.as_of,
      fixedOn: head.fixed_on,
      tasksRecorded: head.tasks_recorded,
      customers: rows.rows.map((r) => ({
        customerId: r.customer_id,
        name: r.name,
        score: r.score,
        brokenPromises: r.broken_promises,
        disputes: r.disputes,
        invoicesOver60: r.invoices_over_60,
        willNotPay: r.will_not_pay,
        balance: toCents(r.balance),
        overdueBalance: toCents(r.overdue_balance),
        attackPlan: r.attack_plan,
      })),
    };
  }

  /**
   * Fixes the month's list: stored once, in rank order, in one transaction. A second writer (a
   * racing worker, a second view) stores nothing; the first list stands.
   */
  async storeDifficultList(realmId: string, list: Omit<StoredDifficultList, 'tasksRecorded'>): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const head = await sql<{ month: string }>`
        insert into difficult_customer_lists (realm_id, month, as_of, fixed_on) values (${realmId}, ${list.month}, ${list.asOf}::date, ${list.fixedOn}::date)
        on conflict do nothing returning month`.execute(trx);
      if (!head.rows.length) return false;
      const ranked = list.customers.map((c, n) => ({ rank: n + 1, customer_id: c.customerId, name: c.name, score: c.score, broken_promises: c.brokenPromises, disputes: c.disputes, invoices_over_60: c.invoicesOver60, will_not_pay: c.willNotPay, balance: centsToDecimal(c.balance), overdue_balance: centsToDecimal(c.overdueBalance), attack_plan: c.attackPlan }));
      await perChunk(ranked, async (rows) => {
        await sql`insert into difficult_customers (realm_id, month, rank, customer_id, name, score, broken_promises, disputes, invoices_over_60, will_not_pay, balance, overdue_balance, attack_plan)
                  select ${realmId}, ${list.month}, d.rank, d.customer_id, d.name, d.score, d.broken_promises, d.disputes, d.invoices_over_60, d.will_not_pay, d.balance, d.overdue_balance, d.attack_plan
                  from ${recordset(rows, 'd', { rank: 'integer', customer_id: 'text', name: 'text', score: 'integer', broken_promises: 'integer', disputes: 'integer', invoices_over_60: 'integer', will_not_pay: 'integer', balance: 'numeric', overdue_balance: 'numeric', attack_plan: 'text' })}`.execute(trx);
        return [];
      });
      return true;
    });
  }

  /** The month's difficult customers have their call tasks. */
  async markDifficultTasksRecorded(realmId: string, month: string): Promise<void> {
    await sql`update difficult_customer_lists set tasks_recorded = true where realm_id = ${realmId} and month = ${month}`.execute(this.db);
  }

  async disputes(realmId: string): Promise<ReportDispute[]> {
    return this.db.selectFrom('disputes').select(['category', 'opened_on']).where('realm_id', '=', realmId).execute();
  }
}
