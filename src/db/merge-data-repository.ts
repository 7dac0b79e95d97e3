import { sql, type Selectable } from 'kysely';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import type { Company, ContactsTable, PromisesTable, QboCustomersTable, QboInvoicesTable, QboTermsTable } from './schema';

export type MergeCustomer = Omit<Selectable<QboCustomersTable>, 'balance'> & { balance: Cents };
export type MergeInvoice = Omit<Selectable<QboInvoicesTable>, 'total' | 'balance'> & { total: Cents; balance: Cents };
export type Approver = Pick<Selectable<ContactsTable>, 'name' | 'phone'>;
export type MergeTerm = Pick<Selectable<QboTermsTable>, 'id' | 'name' | 'due_days'>;
export type ConfirmedPromise = Pick<Selectable<PromisesTable>, 'due_on' | 'made_on'> & { amount: Cents };
export type PlanInstallment = Pick<Selectable<PromisesTable>, 'due_on'> & { amount: Cents };

/**
 * What a template's merge data is read from: the company, the customer, its contact who approves
 * payment, the invoices a message lists with their terms, and the promise or plan it confirms.
 * Amounts come back in cents.
 */
export class MergeDataRepository {
  constructor(private readonly db: Db) {}

  company(realmId: string): Promise<Company> {
    return this.db.selectFrom('companies').selectAll().where('realm_id', '=', realmId).executeTakeFirstOrThrow();
  }

  async customer(realmId: string, customerId: string): Promise<MergeCustomer | undefined> {
    const row = await this.db.selectFrom('qbo_customers').selectAll().where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
    return row && { ...row, balance: toCents(row.balance) };
  }

  /** The collector's choice of the customer's type (commercial or personal), if any. */
  async typeOverride(realmId: string, customerId: string): Promise<'commercial' | 'personal' | null> {
    const row = await this.db.selectFrom('customer_histories').select('type_override').where('realm_id', '=', realmId).where('customer_id', '=', customerId).executeTakeFirst();
    return row?.type_override ?? null;
  }

  /** The invoices of the local copy among these ids, in no particular order (none for no ids). */
  async invoices(realmId: string, invoiceIds: readonly string[]): Promise<MergeInvoice[]> {
    if (invoiceIds.length === 0) return [];
    const rows = await this.db.selectFrom('qbo_invoices').selectAll().where('realm_id', '=', realmId).where('id', 'in', invoiceIds).execute();
    return rows.map((row) => ({ ...row, total: toCents(row.total), balance: toCents(row.balance) }));
  }

  /** Of these invoices, the ids the local copy still shows with a balance. */
  async openInvoiceIds(realmId: string, invoiceIds: readonly string[]): Promise<string[]> {
    if (invoiceIds.length === 0) return [];
    const rows = await this.db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', realmId).where('id', 'in', invoiceIds).where('balance', '>', '0').execute();
    return rows.map((row) => row.id);
  }

  /** The customer's newest contact who approves payment. */
  approver(realmId: string, customerId: string): Promise<Approver | undefined> {
    return this.db
      .selectFrom('contacts')
      .select(['name', 'phone'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where('approves_payment', '=', true)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  /** The newest contact the collector found at the customer with this email address (whom a message to it reaches). */
  recipient(realmId: string, customerId: string, email: string): Promise<{ name: string; role: string | null } | undefined> {
    if (!email) return Promise.resolve(undefined);
    return this.db
      .selectFrom('contacts')
      .select(['name', 'role'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  async terms(realmId: string, termIds: readonly string[]): Promise<MergeTerm[]> {
    if (termIds.length === 0) return [];
    return this.db.selectFrom('qbo_terms').select(['id', 'name', 'due_days']).where('realm_id', '=', realmId).where('id', 'in', termIds).execute();
  }

  async promise(realmId: string, promiseId: string): Promise<ConfirmedPromise | undefined> {
    const row = await this.db.selectFrom('promises').select(['amount', 'due_on', 'made_on']).where('realm_id', '=', realmId).where('id', '=', promiseId).executeTakeFirst();
    return row && { ...row, amount: toCents(row.amount) };
  }

  /** The days the account was called from `from` to `to`, whether the call reached anyone, by day. */
  async callDays(realmId: string, customerId: string, from: string, to: string): Promise<Array<{ on: string; outcome: string; reached: boolean }>> {
    const rows = await this.db
      .selectFrom('activities')
      .select(['occurred_on', sql<string>`coalesce(details->>'outcome', '')`.as('outcome'), sql<boolean>`coalesce((details->>'reached')::boolean, false)`.as('reached')])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where('kind', '=', 'call')
      .where('occurred_on', '>=', from)
      .where('occurred_on', '<=', to)
      .orderBy('occurred_on')
      .execute();
    return rows.map((row) => ({ on: row.occurred_on, outcome: row.outcome, reached: row.reached }));
  }

  /** Dunning messages sent to the account before `before` (but `exceptId`), with what each listed. */
  async sentDunning(realmId: string, customerId: string, kinds: readonly string[], exceptId: string, before: Date): Promise<Array<{ sentAt: Date; invoiceIds: string[] }>> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'sent_at', 'invoice_ids', 'listed_invoice_ids'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where('kind', 'in', [...kinds])
      .where('status', '=', 'sent')
      .where('sent_at', '<', before)
      .orderBy('sent_at')
      .execute();
    // `exceptId` may be no message at all (a call script renders as one): compared here, not as a uuid.
    return rows.filter((row) => row.id !== exceptId).map((row) => ({ sentAt: row.sent_at!, invoiceIds: row.listed_invoice_ids ?? row.invoice_ids }));
  }

  /** A payment plan's installments, by due date. */
  async planInstallments(realmId: string, planId: string): Promise<PlanInstallment[]> {
    const rows = await this.db.selectFrom('promises').select(['amount', 'due_on']).where('realm_id', '=', realmId).where('plan_id', '=', planId).orderBy('due_on').execute();
    return rows.map((row) => ({ ...row, amount: toCents(row.amount) }));
  }
}
