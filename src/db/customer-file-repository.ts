import { sql, type Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import type {
  ActivitiesTable,
  CallTasksTable,
  ContactsTable,
  CustomerHistoriesTable,
  DisputesTable,
  InvoiceStatesTable,
  MessagesTable,
  PausesTable,
  PromisesTable,
  QboCustomersTable,
  QboInvoicesTable,
  QboPaymentsTable,
} from './schema';

// Money leaves this repository as cents (numeric text read with toCents).
export type FileCustomer = Omit<Selectable<QboCustomersTable>, 'balance'> & { balance: Cents };
export type FileCustomerName = Pick<FileCustomer, 'id' | 'display_name'>;
export type FileInvoice = Pick<Selectable<QboInvoicesTable>, 'id' | 'doc_number' | 'txn_date' | 'due_date' | 'customer_id'> & { total: Cents; balance: Cents };
export type FilePayment = Pick<Selectable<QboPaymentsTable>, 'id' | 'txn_date' | 'applied_to'> & { total: Cents };
export type FilePromise = Omit<Selectable<PromisesTable>, 'amount' | 'paid'> & { amount: Cents; paid: Cents | null };
export type InvoiceRow = Omit<Selectable<QboInvoicesTable>, 'total' | 'balance'> & { total: Cents; balance: Cents };
export type FileActivity = Pick<Selectable<ActivitiesTable>, 'id' | 'kind' | 'summary' | 'occurred_on' | 'invoice_ids' | 'details' | 'note_status'>;
export type FileLevel = Pick<Selectable<InvoiceStatesTable>, 'invoice_id' | 'level' | 'escalation_candidate'>;
export type InvoiceActivity = Pick<Selectable<ActivitiesTable>, 'occurred_on' | 'kind' | 'summary' | 'note_status'>;
export type InvoiceMessage = Pick<Selectable<MessagesTable>, 'id' | 'kind' | 'status' | 'send_at' | 'sent_at' | 'to_address'>;

const INVOICE_TIMELINE_LIMIT = 200;

/** Rows that name the invoice among their `invoice_ids`. */
function namesInvoice(invoiceId: string) {
  return sql<boolean>`invoice_ids @> ${JSON.stringify([invoiceId])}::jsonb`;
}

/**
 * What the customer page, the call sheet and the invoice page show: the customer, the invoices
 * of the accounts it pays for, payments, promises, disputes, contacts, pauses, the timeline and
 * the open task. Takes the database or a transaction.
 */
export class CustomerFileRepository {
  constructor(private readonly db: Db) {}

  async customer(realmId: string, customerId: string): Promise<FileCustomer | undefined> {
    const row = await this.db.selectFrom('qbo_customers').selectAll().where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
    return row && { ...row, balance: toCents(row.balance) };
  }

  async customerExists(realmId: string, customerId: string): Promise<boolean> {
    const row = await this.db.selectFrom('qbo_customers').select('id').where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
    return Boolean(row);
  }

  async customerName(realmId: string, customerId: string): Promise<FileCustomerName | undefined> {
    return this.db.selectFrom('qbo_customers').select(['id', 'display_name']).where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
  }

  /** The user's choice of the customer's type; null: as the playbook decides. */
  async setTypeOverride(realmId: string, customerId: string, override: CustomerHistoriesTable['type_override']): Promise<void> {
    await this.db
      .insertInto('customer_histories')
      .values({ realm_id: realmId, customer_id: customerId, type_override: override })
      .onConflict((oc) => oc.columns(['realm_id', 'customer_id']).doUpdateSet({ type_override: override }))
      .execute();
  }

  /** The invoices of these customers, by due date. */
  async invoicesOf(realmId: string, customerIds: string[]): Promise<FileInvoice[]> {
    const rows = await this.db.selectFrom('qbo_invoices').select(['id', 'doc_number', 'txn_date', 'due_date', 'total', 'balance', 'customer_id']).where('realm_id', '=', realmId).where('customer_id', 'in', customerIds).orderBy('due_date').execute();
    return rows.map((row) => ({ ...row, total: toCents(row.total), balance: toCents(row.balance) }));
  }

  /** The payments of these customers, newest first. */
  async paymentsOf(realmId: string, customerIds: string[]): Promise<FilePayment[]> {
    const rows = await this.db.selectFrom('qbo_payments').select(['id', 'txn_date', 'total', 'applied_to']).where('realm_id', '=', realmId).where('customer_id', 'in', customerIds).orderBy('txn_date', 'desc').execute();
    return rows.map((row) => ({ ...row, total: toCents(row.total) }));
  }

  async history(realmId: string, customerId: string): Promise<Selectable<CustomerHistoriesTable> | undefined> {
    return this.db.selectFrom('customer_histories').selectAll().where('realm_id', '=', realmId).where('customer_id', '=', customerId).executeTakeFirst();
  }

  /** The customer's promises, latest due first. */
  async promises(realmId: string, customerId: string): Promise<FilePromise[]> {
    const rows = await this.db.selectFrom('promises').selectAll().where('realm_id', '=', realmId).where('customer_id', '=', customerId).orderBy('due_on', 'desc').execute();
    return rows.map((row) => ({ ...row, amount: toCents(row.amount), paid: row.paid === null ? null : toCents(row.paid) }));
  }

  /** The customer's disputes, latest opened first. */
  async disputes(realmId: string, customerId: string): Promise<Array<Selectable<DisputesTable>>> {
    return this.db.selectFrom('disputes').selectAll().where('realm_id', '=', realmId).where('customer_id', '=', customerId).orderBy('opened_on', 'desc').execute();
  }

  /** The customer's contacts, newest first. */
  async contacts(realmId: string, customerId: string): Promise<Array<Selectable<ContactsTable>>> {
    return this.db.selectFrom('contacts').selectAll().where('realm_id', '=', realmId).where('customer_id', '=', customerId).orderBy('created_at', 'desc').execute();
  }

  /** The pauses in force on `today` of the customer or of an invoice of `payers`, newest first. */
  async pausesInForce(realmId: string, customerId: string, payers: string[], today: LocalDate): Promise<Array<Selectable<PausesTable>>> {
    return this.db
      .selectFrom('pauses')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('invoice_id', 'in', eb.selectFrom('qbo_invoices').select('id').where('realm_id', '=', realmId).where('customer_id', 'in', payers))]))
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>=', today)]))
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** The customer's latest `limit` activities, newest first. */
  async timeline(realmId: string, customerId: string, limit: number): Promise<FileActivity[]> {
    return this.db.selectFrom('activities').select(['id', 'kind', 'summary', 'occurred_on', 'invoice_ids', 'details', 'note_status']).where('realm_id', '=', realmId).where('customer_id', '=', customerId).orderBy('created_at', 'desc').limit(limit).execute();
  }

  /** The level and escalation mark of each invoice of these customers. */
  async levelsOf(realmId: string, customerIds: string[]): Promise<FileLevel[]> {
    return this.db
      .selectFrom('invoice_states as s')
      .innerJoin('qbo_invoices as i', (join) => join.onRef('i.realm_id', '=', 's.realm_id').onRef('i.id', '=', 's.invoice_id'))
      .select(['s.invoice_id', 's.level', 's.escalation_candidate'])
      .where('s.realm_id', '=', realmId)
      .where('i.customer_id', 'in', customerIds)
      .execute();
  }

  async openTask(realmId: string, customerId: string): Promise<Selectable<CallTasksTable> | undefined> {
    return this.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('customer_id', '=', customerId).where('status', '=', 'open').executeTakeFirst();
  }

  async invoice(realmId: string, invoiceId: string): Promise<InvoiceRow | undefined> {
    const row = await this.db.selectFrom('qbo_invoices').selectAll().where('realm_id', '=', realmId).where('id', '=', invoiceId).executeTakeFirst();
    return row && { ...row, total: toCents(row.total), balance: toCents(row.balance) };
  }

  async invoiceState(realmId: string, invoiceId: string): Promise<Selectable<InvoiceStatesTable> | undefined> {
    return this.db.selectFrom('invoice_states').selectAll().where('realm_id', '=', realmId).where('invoice_id', '=', invoiceId).executeTakeFirst();
  }

  /** The invoice's latest activities, newest first. */
  async invoiceActivities(realmId: string, invoiceId: string): Promise<InvoiceActivity[]> {
    return this.db.selectFrom('activities').select(['occurred_on', 'kind', 'summary', 'note_status']).where('realm_id', '=', realmId).where(namesInvoice(invoiceId)).orderBy('created_at', 'desc').limit(INVOICE_TIMELINE_LIMIT).execute();
  }

  /** The messages about the invoice, latest send time first. */
  async invoiceMessages(realmId: string, invoiceId: string): Promise<InvoiceMessage[]> {
    return this.db.selectFrom('messages').select(['id', 'kind', 'status', 'send_at', 'sent_at', 'to_address']).where('realm_id', '=', realmId).where(namesInvoice(invoiceId)).orderBy('send_at', 'desc').execute();
  }
}
