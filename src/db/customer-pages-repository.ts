import type { LocalDate } from '../collections/calendar';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';

/** One of the account's invoices as its customer sees it: nothing internal. */
export interface CustomerInvoice {
  id: string;
  customerId: string;
  number: string;
  txnDate: LocalDate;
  dueDate: LocalDate | null;
  total: Cents;
  balance: Cents;
  currency: string | null;
  billEmail: string | null;
}

export interface CustomerAnswerRow {
  id: string;
  messageId: string | null;
  invoiceIds: string[];
  answer: 'in_order' | 'problem';
  disputeId: string | null;
  answeredOn: LocalDate;
  answeredAt: Date;
}

/** What the customer's own pages read and write: the account's invoices, its answers to letters. */
export class CustomerPagesRepository {
  constructor(private readonly db: Db) {}

  /** The invoices of these customers (the account's members); only open ones unless `ids` names them. */
  async invoices(realmId: string, customerIds: string[], options: { openOnly: boolean }): Promise<CustomerInvoice[]> {
    if (customerIds.length === 0) return [];
    let query = this.db
      .selectFrom('qbo_invoices')
      .select(['id', 'customer_id', 'doc_number', 'txn_date', 'due_date', 'total', 'balance', 'currency', 'bill_email'])
      .where('realm_id', '=', realmId)
      .where('customer_id', 'in', customerIds);
    if (options.openOnly) query = query.where('balance', '>', '0');
    const rows = await query.orderBy('due_date').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, customerId: r.customer_id, number: r.doc_number ?? r.id, txnDate: r.txn_date, dueDate: r.due_date, total: toCents(r.total), balance: toCents(r.balance), currency: r.currency, billEmail: r.bill_email }));
  }

  async customer(realmId: string, customerId: string): Promise<{ name: string; email: string | null } | undefined> {
    const row = await this.db.selectFrom('qbo_customers').select(['display_name', 'company_name', 'email']).where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
    return row ? { name: row.company_name || row.display_name, email: row.email } : undefined;
  }

  /** The account's highest collection level among these invoices (0 before any). */
  async levelOf(realmId: string, invoiceIds: string[]): Promise<number> {
    if (invoiceIds.length === 0) return 0;
    const row = await this.db.selectFrom('invoice_states').select((eb) => eb.fn.max('level').as('level')).where('realm_id', '=', realmId).where('invoice_id', 'in', invoiceIds).executeTakeFirst();
    return Number(row?.level ?? 0);
  }

  async insertAnswer(realmId: string, answer: { customerId: string; messageId: string | null; invoiceIds: string[]; answer: 'in_order' | 'problem'; disputeId: string | null; answeredOn: LocalDate; answeredAt: Date }): Promise<string> {
    const row = await this.db
      .insertInto('customer_answers')
      .values({ realm_id: realmId, customer_id: answer.customerId, message_id: answer.messageId, invoice_ids: JSON.stringify(answer.invoiceIds), answer: answer.answer, dispute_id: answer.disputeId, answered_on: answer.answeredOn, answered_at: answer.answeredAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The answers given to one letter (none: `messageId` null matches nothing), oldest first. */
  async answersToMessage(realmId: string, customerId: string, messageId: string | undefined): Promise<CustomerAnswerRow[]> {
    if (!messageId) return [];
    return (await this.answers(realmId, customerId)).filter((a) => a.messageId === messageId);
  }

  /** Every answer the account gave on its pages, oldest first. */
  async answers(realmId: string, customerId: string): Promise<CustomerAnswerRow[]> {
    const rows = await this.db
      .selectFrom('customer_answers')
      .select(['id', 'message_id', 'invoice_ids', 'answer', 'dispute_id', 'answered_on', 'answered_at'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .orderBy('answered_at')
      .execute();
    return rows.map((r) => ({ id: r.id, messageId: r.message_id, invoiceIds: r.invoice_ids, answer: r.answer, disputeId: r.dispute_id, answeredOn: r.answered_on, answeredAt: new Date(r.answered_at) }));
  }

  /** The account's open promises (what the statement page shows the customer it promised). */
  async openPromises(realmId: string, customerIds: string[]): Promise<Array<{ id: string; amount: Cents; dueOn: LocalDate; madeOn: LocalDate; source: 'collector' | 'customer' }>> {
    if (customerIds.length === 0) return [];
    const rows = await this.db.selectFrom('promises').select(['id', 'amount', 'due_on', 'made_on', 'source']).where('realm_id', '=', realmId).where('customer_id', 'in', customerIds).where('status', '=', 'open').where('plan_id', 'is', null).orderBy('due_on').execute();
    return rows.map((r) => ({ id: r.id, amount: toCents(r.amount), dueOn: r.due_on, madeOn: r.made_on, source: r.source }));
  }
}
