import { localMoment } from '../collections/calendar';
import { toCents } from '../collections/money';
import type { ReceivablesHistory } from '../collections/receivables-as-of';
import type { Db } from './database';
import { paymentLines } from './payment-lines';

/** The synced history of QuickBooks a back-test replays, read once. */
export class BacktestRepository {
  constructor(private readonly db: Db) {}

  /**
   * Every customer, invoice, payment (with the invoices and credit memos its lines link) and
   * credit memo of the company's copy, amounts in cents; days in the company's time zone.
   */
  async loadHistory(realmId: string, timezone: string): Promise<ReceivablesHistory> {
    const [customers, invoices, payments, creditMemos, overrides] = await Promise.all([
      this.db.selectFrom('qbo_customers').select(['id', 'display_name', 'company_name', 'email', 'parent_id']).where('realm_id', '=', realmId).execute(),
      this.db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'doc_number', 'txn_date', 'due_date', 'total', 'balance', 'bill_email', 'qbo_updated_at']).where('realm_id', '=', realmId).execute(),
      this.db.selectFrom('qbo_payments').select(['id', 'customer_id', 'txn_date', 'applied_to']).where('realm_id', '=', realmId).execute(),
      this.db.selectFrom('qbo_credit_memos').select(['id', 'txn_date']).where('realm_id', '=', realmId).execute(),
      this.db.selectFrom('customer_histories').select(['customer_id', 'type_override']).where('realm_id', '=', realmId).where('type_override', 'is not', null).execute(),
    ]);
    const typeOf = new Map(overrides.map((o) => [o.customer_id, o.type_override]));
    return {
      customers: customers.map((c) => ({ id: c.id, name: c.display_name, companyName: c.company_name, email: c.email || null, parentId: c.parent_id, typeOverride: typeOf.get(c.id) ?? null })),
      invoices: invoices.map((i) => ({
        id: i.id,
        customerId: i.customer_id,
        docNumber: i.doc_number,
        txnDate: i.txn_date,
        dueDate: i.due_date,
        total: toCents(i.total),
        balance: toCents(i.balance),
        billEmail: i.bill_email,
        updatedOn: localMoment(new Date(i.qbo_updated_at), timezone).date,
      })),
      payments: payments.map((p) => ({ id: p.id, customerId: p.customer_id, txnDate: p.txn_date, lines: paymentLines(p.applied_to) })),
      creditMemos: creditMemos.map((m) => ({ id: m.id, txnDate: m.txn_date })),
    };
  }
}
