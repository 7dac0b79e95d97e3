import type { Selectable, Updateable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { centsToDecimal, toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import type { CallTasksTable, DisputesTable, QboCustomersTable, QboInvoicesTable } from './schema';

export type CallTask = Selectable<CallTasksTable>;
export type CalledCustomer = Pick<Selectable<QboCustomersTable>, 'id' | 'display_name' | 'company_name' | 'email'>;
export type OpenInvoice = Pick<Selectable<QboInvoicesTable>, 'id' | 'due_date' | 'bill_email'> & { balance: Cents };
export type TaskChange = Updateable<CallTasksTable>;

export interface ConfirmationMessage {
  customerId: string;
  kind: 'promise_confirmation' | 'plan_confirmation';
  toAddress: string;
  invoiceIds: string[];
  total: Cents;
  sendAt: Date;
  key: string;
}

export interface NewPromise {
  customerId: string;
  invoiceIds: string[];
  amount: Cents;
  dueOn: LocalDate;
  madeOn: LocalDate;
  planId: string | null;
}

export interface NewDispute {
  customerId: string;
  invoiceIds: string[];
  category: DisputesTable['category'];
  text: string;
  openedOn: LocalDate;
}

export interface NewContact {
  customerId: string;
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  approvesPayment: boolean;
}

/**
 * What recording a call outcome reads and writes: the locked task, the account's open invoices,
 * promises, plans, disputes, contacts and the confirmation letter. Built on the transaction the
 * outcome is recorded in, so every statement commits or rolls back with it.
 */
export class CallOutcomesRepository {
  constructor(private readonly db: Db) {}

  /** The task, locked until the transaction ends, so two outcomes of one call are recorded in turn. */
  async lockTask(realmId: string, taskId: string): Promise<CallTask | undefined> {
    return this.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('id', '=', taskId).forUpdate().executeTakeFirst();
  }

  async customer(realmId: string, customerId: string): Promise<CalledCustomer | undefined> {
    return this.db.selectFrom('qbo_customers').select(['id', 'display_name', 'company_name', 'email']).where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
  }

  async openInvoices(realmId: string, customerIds: string[]): Promise<OpenInvoice[]> {
    const rows = await this.db
      .selectFrom('qbo_invoices')
      .select(['id', 'balance', 'due_date', 'bill_email'])
      .where('realm_id', '=', realmId)
      .where('balance', '>', '0')
      .where('customer_id', 'in', customerIds)
      .execute();
    return rows.map((row) => ({ ...row, balance: toCents(row.balance) }));
  }

  /** Queues the confirmation once per key; false when it was already queued. */
  async queueConfirmation(realmId: string, message: ConfirmationMessage): Promise<boolean> {
    const inserted = await this.db
      .insertInto('messages')
      .values({ realm_id: realmId, customer_id: message.customerId, kind: message.kind, to_address: message.toAddress, invoice_ids: JSON.stringify(message.invoiceIds), total: centsToDecimal(message.total), send_at: message.sendAt, key: message.key })
      .onConflict((oc) => oc.columns(['realm_id', 'key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return Boolean(inserted);
  }

  async insertPromise(realmId: string, promise: NewPromise): Promise<string> {
    const row = await this.db
      .insertInto('promises')
      .values({ realm_id: realmId, customer_id: promise.customerId, invoice_ids: JSON.stringify(promise.invoiceIds), amount: centsToDecimal(promise.amount), due_on: promise.dueOn, made_on: promise.madeOn, plan_id: promise.planId })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async insertPlan(realmId: string, customerId: string, createdOn: LocalDate): Promise<string> {
    const row = await this.db.insertInto('payment_plans').values({ realm_id: realmId, customer_id: customerId, created_on: createdOn }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /** The next level of these invoices may come at once. */
  async escalateNow(realmId: string, invoiceIds: string[]): Promise<void> {
    await this.db.updateTable('invoice_states').set({ escalate_now: true }).where('realm_id', '=', realmId).where('invoice_id', 'in', invoiceIds).execute();
  }

  async insertDispute(realmId: string, dispute: NewDispute): Promise<string> {
    const row = await this.db
      .insertInto('disputes')
      .values({ realm_id: realmId, customer_id: dispute.customerId, invoice_ids: JSON.stringify(dispute.invoiceIds), category: dispute.category, text: dispute.text, opened_on: dispute.openedOn })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async insertContact(realmId: string, contact: NewContact): Promise<void> {
    await this.db
      .insertInto('contacts')
      .values({ realm_id: realmId, customer_id: contact.customerId, name: contact.name, role: contact.role, phone: contact.phone, email: contact.email, approves_payment: contact.approvesPayment })
      .execute();
  }

  async updateTask(taskId: string, change: TaskChange): Promise<void> {
    await this.db.updateTable('call_tasks').set(change).where('id', '=', taskId).execute();
  }

  /** Remembers the day someone at the customer was reached. */
  async markReached(realmId: string, customerId: string, on: LocalDate): Promise<void> {
    await this.db.insertInto('customer_histories').values({ realm_id: realmId, customer_id: customerId }).onConflict((oc) => oc.columns(['realm_id', 'customer_id']).doNothing()).execute();
    await this.db.updateTable('customer_histories').set({ last_reached_on: on }).where('realm_id', '=', realmId).where('customer_id', '=', customerId).execute();
  }
}
