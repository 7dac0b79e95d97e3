import type { Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import { paymentLines, type PaymentLine } from './payment-lines';
import type { ActivitiesTable, DisputesTable, PromisesTable, QboCustomersTable, QboInvoicesTable, QboPaymentsTable } from './schema';

export type ReportInvoice = Pick<Selectable<QboInvoicesTable>, 'customer_id' | 'txn_date' | 'due_date'> & { total: Cents; balance: Cents };
export type ReportCall = Pick<Selectable<ActivitiesTable>, 'customer_id' | 'occurred_on' | 'details'>;
export type ReportPromise = Pick<Selectable<PromisesTable>, 'id' | 'customer_id' | 'made_on' | 'status' | 'plan_id'>;
export type ReportContact = Pick<Selectable<ActivitiesTable>, 'invoice_ids' | 'occurred_on'>;
export type ReportPayment = Pick<Selectable<QboPaymentsTable>, 'txn_date'> & { lines: PaymentLine[] };
export type ReportCustomer = Pick<Selectable<QboCustomersTable>, 'id' | 'display_name'>;
export type ReportDispute = Pick<Selectable<DisputesTable>, 'category' | 'opened_on'>;

/** What the collection reports (aging, DSO, results, difficult customers, systems log) are computed from; amounts in cents. */
export class ReportsRepository {
  constructor(private readonly db: Db) {}

  async invoices(realmId: string): Promise<ReportInvoice[]> {
    const rows = await this.db.selectFrom('qbo_invoices').select(['customer_id', 'txn_date', 'due_date', 'total', 'balance']).where('realm_id', '=', realmId).execute();
    return rows.map((row) => ({ ...row, total: toCents(row.total), balance: toCents(row.balance) }));
  }

  async calls(realmId: string): Promise<ReportCall[]> {
    return this.db.selectFrom('activities').select(['customer_id', 'occurred_on', 'details']).where('realm_id', '=', realmId).where('kind', '=', 'call').execute();
  }

  /** How many messages of these kinds were sent from `from` on. */
  async sentCount(realmId: string, kinds: string[], from: LocalDate): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('realm_id', '=', realmId)
      .where('status', '=', 'sent')
      .where('kind', 'in', kinds)
      .where('send_at', '>=', new Date(`${from}T00:00:00Z`))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Every promise, in the order they fall due. */
  async promises(realmId: string): Promise<ReportPromise[]> {
    return this.db.selectFrom('promises').select(['id', 'customer_id', 'made_on', 'status', 'plan_id']).where('realm_id', '=', realmId).orderBy('due_on').execute();
  }

  /** The calls and queued messages, with the invoices each was about. */
  async contacts(realmId: string): Promise<ReportContact[]> {
    return this.db.selectFrom('activities').select(['invoice_ids', 'occurred_on']).where('realm_id', '=', realmId).where('kind', 'in', ['call', 'message_queued']).execute();
  }

  async paymentsSince(realmId: string, from: LocalDate): Promise<ReportPayment[]> {
    const rows = await this.db.selectFrom('qbo_payments').select(['txn_date', 'applied_to']).where('realm_id', '=', realmId).where('txn_date', '>=', from).execute();
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
