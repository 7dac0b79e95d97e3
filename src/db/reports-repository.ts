import { sql, type Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import { paymentLines, type PaymentLine } from './payment-lines';
import type { ActivitiesTable, DisputesTable, PromisesTable, QboCustomersTable, QboInvoicesTable, QboPaymentsTable } from './schema';

export type ReportInvoice = Pick<Selectable<QboInvoicesTable>, 'id' | 'customer_id' | 'txn_date' | 'due_date'> & { total: Cents; balance: Cents };
export type ReportCall = Pick<Selectable<ActivitiesTable>, 'customer_id' | 'occurred_on' | 'invoice_ids'> & { reached: boolean; outcome: string | null };
export type ReportMessage = { kind: string; sent_on: LocalDate; invoice_ids: string[] };
export type ReportPromise = Pick<Selectable<PromisesTable>, 'id' | 'customer_id' | 'made_on' | 'status' | 'plan_id'>;
export type ReportPayment = Pick<Selectable<QboPaymentsTable>, 'txn_date'> & { lines: PaymentLine[] };
export type ReportCustomer = Pick<Selectable<QboCustomersTable>, 'id' | 'display_name'>;
export type ReportDispute = Pick<Selectable<DisputesTable>, 'category' | 'opened_on'>;

/** What the collection reports (aging, DSO, results, difficult customers, systems log) are computed from; amounts in cents. */
export class ReportsRepository {
  constructor(private readonly db: Db) {}

  async invoices(realmId: string): Promise<ReportInvoice[]> {
    const rows = await this.db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'txn_date', 'due_date', 'total', 'balance']).where('realm_id', '=', realmId).execute();
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

  /** The promises made in the period, in the order they fall due. */
  async promisesMade(realmId: string, from: LocalDate, to: LocalDate): Promise<ReportPromise[]> {
    return this.db.selectFrom('promises').select(['id', 'customer_id', 'made_on', 'status', 'plan_id']).where('realm_id', '=', realmId).where('made_on', '>=', from).where('made_on', '<=', to).orderBy('due_on').execute();
  }

  /** Every payment dated on or before `until`, with its lines in cents. */
  async paymentsUntil(realmId: string, until: LocalDate): Promise<ReportPayment[]> {
    const rows = await this.db.selectFrom('qbo_payments').select(['txn_date', 'applied_to']).where('realm_id', '=', realmId).where('txn_date', '<=', until).execute();
    return rows.map((row) => ({ txn_date: row.txn_date, lines: paymentLines(row.applied_to) }));
  }

  async customers(realmId: string): Promise<ReportCustomer[]> {
    return this.db.selectFrom('qbo_customers').select(['id', 'display_name']).where('realm_id', '=', realmId).execute();
  }

  /** The customers of each promise broken (or partly kept) that was made from `since` on. */
  async brokenPromisesSince(realmId: string, since: LocalDate): Promise<Array<{ customer_id: string }>> {
    return this.db.selectFrom('promises').select('customer_id').where('realm_id', '=', realmId).where('status', 'in', ['broken', 'partly_kept']).where('made_on', '>=', since).execute();
  }

  /** The customers of each dispute opened from `since` on. */
  async disputesSince(realmId: string, since: LocalDate): Promise<Array<{ customer_id: string }>> {
    return this.db.selectFrom('disputes').select('customer_id').where('realm_id', '=', realmId).where('opened_on', '>=', since).execute();
  }

  async disputes(realmId: string): Promise<ReportDispute[]> {
    return this.db.selectFrom('disputes').select(['category', 'opened_on']).where('realm_id', '=', realmId).execute();
  }
}
