import { sql, type Selectable, type Updateable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { centsToDecimal, toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import type { ActivitiesTable, CallTasksTable, DisputesTable, PausesTable, QboCustomersTable, QboInvoicesTable } from './schema';

export type CallTask = Selectable<CallTasksTable>;
export type CalledCustomer = Pick<Selectable<QboCustomersTable>, 'id' | 'display_name' | 'company_name' | 'email'>;
export type OpenInvoice = Pick<Selectable<QboInvoicesTable>, 'id' | 'due_date' | 'bill_email'> & { balance: Cents };
export type TaskChange = Updateable<CallTasksTable>;

/** The call activity an outcome was recorded as (the last one of a task is what a form must have seen). */
export type RecordedOutcome = Pick<Selectable<ActivitiesTable>, 'id' | 'summary' | 'occurred_on' | 'created_at' | 'details'>;

/** An open invoice of the account with the state the playbook keeps of it. */
export interface AccountInvoice {
  id: string;
  customer_id: string;
  txn_date: string;
  due_date: string | null;
  balance: Cents;
  level: number | null;
  level1_on: string | null;
  verification_sent_on: string | null;
}

/** What covers an account's invoices: open promises and disputes, pauses not yet over. */
export interface AccountCover {
  promises: Array<{ id: string; customer_id: string; invoice_ids: string[]; amount: Cents; due_on: string; made_on: string; status: 'open' | 'kept' | 'partly_kept' | 'broken'; plan_id: string | null }>;
  disputes: Array<{ id: string; customer_id: string; invoice_ids: string[]; status: 'open' | 'resolved' }>;
  pauses: Array<Pick<Selectable<PausesTable>, 'customer_id' | 'invoice_id' | 'until'>>;
}

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
  /** Who made it (a collector, unless the customer did on its statement page). */
  source?: 'collector' | 'customer';
}

export interface NewDispute {
  customerId: string;
  invoiceIds: string[];
  category: DisputesTable['category'];
  text: string;
  openedOn: LocalDate;
  /** Who raised it (a collector, unless the customer did answering a letter). */
  source?: 'collector' | 'customer';
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

  async findTask(realmId: string, taskId: string): Promise<CallTask | undefined> {
    return this.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('id', '=', taskId).executeTakeFirst();
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
      .values({ realm_id: realmId, customer_id: promise.customerId, invoice_ids: JSON.stringify(promise.invoiceIds), amount: centsToDecimal(promise.amount), due_on: promise.dueOn, made_on: promise.madeOn, plan_id: promise.planId, ...(promise.source ? { source: promise.source } : {}) })
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
      .values({ realm_id: realmId, customer_id: dispute.customerId, invoice_ids: JSON.stringify(dispute.invoiceIds), category: dispute.category, text: dispute.text, opened_on: dispute.openedOn, ...(dispute.source ? { source: dispute.source } : {}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The last outcome recorded on the task (a corrected one no longer counts), or none. */
  async lastOutcome(realmId: string, customerId: string, taskId: string): Promise<RecordedOutcome | undefined> {
    return this.db
      .selectFrom('activities')
      .select(['id', 'summary', 'occurred_on', 'created_at', 'details'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where('kind', '=', 'call')
      .where(sql<boolean>`details->>'taskId' = ${taskId}`)
      // Outcomes of a task are numbered under its lock; older records without a number come first.
      .orderBy(sql`coalesce((details->>'seq')::int, 0)`, 'desc')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** A call replaced by its correction: kept in the history (its note may be in QuickBooks), no longer a call. */
  async markCorrected(realmId: string, activityId: string, correction: { on: string; by: string }): Promise<void> {
    await sql`update activities set kind = 'call_corrected', details = details || ${JSON.stringify({ correctedOn: correction.on, correctedBy: correction.by })}::jsonb
              where realm_id = ${realmId} and id = ${activityId}`.execute(this.db);
  }

  /** Another open task of the account than `taskId` (a closed task cannot be reopened beside it). */
  async otherOpenTask(realmId: string, customerId: string, taskId: string): Promise<boolean> {
    const row = await this.db.selectFrom('call_tasks').select('id').where('realm_id', '=', realmId).where('customer_id', '=', customerId).where('status', '=', 'open').where('id', '!=', taskId).executeTakeFirst();
    return Boolean(row);
  }

  /** Promises (and a plan, with its installments) made by an outcome that was corrected the same day. */
  async removePromises(realmId: string, promiseIds: string[], planId: string | null): Promise<void> {
    if (promiseIds.length) await this.db.deleteFrom('promises').where('realm_id', '=', realmId).where('id', 'in', promiseIds).where('status', '=', 'open').execute();
    if (planId) await this.db.deleteFrom('payment_plans').where('realm_id', '=', realmId).where('id', '=', planId).execute();
  }

  async removeDispute(realmId: string, disputeId: string): Promise<void> {
    await this.db.deleteFrom('disputes').where('realm_id', '=', realmId).where('id', '=', disputeId).where('status', '=', 'open').execute();
  }

  /** Cancels a message still queued; says what became of it (sent or on its way: too late to stop). */
  async cancelQueued(realmId: string, key: string, reason: string): Promise<'cancelled' | 'gone' | 'absent'> {
    const cancelled = await this.db.updateTable('messages').set({ status: 'cancelled', status_reason: reason }).where('realm_id', '=', realmId).where('key', '=', key).where('status', '=', 'queued').returning('id').executeTakeFirst();
    if (cancelled) return 'cancelled';
    const present = await this.db.selectFrom('messages').select('status').where('realm_id', '=', realmId).where('key', '=', key).executeTakeFirst();
    return present && present.status !== 'cancelled' ? 'gone' : 'absent';
  }

  async clearEscalateNow(realmId: string, invoiceIds: string[]): Promise<void> {
    if (invoiceIds.length) await this.db.updateTable('invoice_states').set({ escalate_now: false }).where('realm_id', '=', realmId).where('invoice_id', 'in', invoiceIds).execute();
  }

  /** Invoices among `invoiceIds` whose next level may not yet come at once. */
  async notEscalating(realmId: string, invoiceIds: string[]): Promise<string[]> {
    if (!invoiceIds.length) return [];
    const rows = await this.db.selectFrom('invoice_states').select('invoice_id').where('realm_id', '=', realmId).where('invoice_id', 'in', invoiceIds).where('escalate_now', '=', false).execute();
    return rows.map((r) => r.invoice_id);
  }

  async reachedOn(realmId: string, customerId: string): Promise<string | null> {
    const row = await this.db.selectFrom('customer_histories').select('last_reached_on').where('realm_id', '=', realmId).where('customer_id', '=', customerId).executeTakeFirst();
    return row?.last_reached_on ?? null;
  }

  /** Puts back the day someone was last reached, as it was before a corrected call. */
  async restoreReached(realmId: string, customerId: string, on: string | null): Promise<void> {
    await this.db.updateTable('customer_histories').set({ last_reached_on: on }).where('realm_id', '=', realmId).where('customer_id', '=', customerId).execute();
  }

  /** The account's open invoices with their playbook state, for the message held for want of an address. */
  async accountInvoices(realmId: string, customerIds: string[]): Promise<AccountInvoice[]> {
    const rows = await this.db
      .selectFrom('qbo_invoices as i')
      .leftJoin('invoice_states as s', (join) => join.onRef('s.realm_id', '=', 'i.realm_id').onRef('s.invoice_id', '=', 'i.id'))
      .select(['i.id', 'i.customer_id', 'i.txn_date', 'i.due_date', 'i.balance', 's.level', 's.level1_on', 's.verification_sent_on'])
      .where('i.realm_id', '=', realmId)
      .where('i.customer_id', 'in', customerIds)
      .where('i.balance', '>', '0')
      .execute();
    return rows.map((row) => ({ ...row, balance: toCents(row.balance) }));
  }

  async accountCover(realmId: string, customerIds: string[], today: string): Promise<AccountCover> {
    const [promises, disputes, pauses] = await Promise.all([
      this.db.selectFrom('promises').select(['id', 'customer_id', 'invoice_ids', 'amount', 'due_on', 'made_on', 'status', 'plan_id']).where('realm_id', '=', realmId).where('customer_id', 'in', customerIds).where('status', '=', 'open').execute(),
      this.db.selectFrom('disputes').select(['id', 'customer_id', 'invoice_ids', 'status']).where('realm_id', '=', realmId).where('customer_id', 'in', customerIds).where('status', '=', 'open').execute(),
      this.db
        .selectFrom('pauses')
        .select(['customer_id', 'invoice_id', 'until'])
        .where('realm_id', '=', realmId)
        .where((eb) => eb.or([eb('customer_id', 'in', customerIds), eb('invoice_id', 'is not', null)]))
        .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>=', today)]))
        .execute(),
    ]);
    return { promises: promises.map((p) => ({ ...p, amount: toCents(p.amount) })), disputes, pauses };
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
