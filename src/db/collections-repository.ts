import { sql, type Transaction } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import type { Action, CallTask, Level, PlaybookInput } from '../collections/model';
import type { Db } from './database';
import type { Database } from './schema';

const DUNNING_KINDS = new Set(['reminder', 'second_notice', 'demand_letter', 'final_notice']);
const MESSAGE_NAMES: Record<string, string> = {
  verification: 'Customer satisfaction verification letter',
  reminder: 'Friendly reminder',
  second_notice: 'Second notice',
  demand_letter: 'Demand letter',
  final_notice: 'Final notice',
  thank_you: 'Thank-you note',
};

export type AppliedCounts = Partial<Record<Action['type'], number>>;

/** Loads what the playbook needs for one company and records what it decided. */
export class CollectionsRepository {
  constructor(private readonly db: Db) {}

  async settingsOf(realmId: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.selectFrom('playbook_settings').select('settings').where('realm_id', '=', realmId).executeTakeFirst())?.settings;
  }

  async saveSettings(realmId: string, settings: Record<string, unknown>): Promise<void> {
    const json = JSON.stringify(settings);
    await this.db
      .insertInto('playbook_settings')
      .values({ realm_id: realmId, settings: json })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ settings: json, updated_at: sql`now()` }))
      .execute();
  }

  async loadInput(realmId: string, now: Date, today: LocalDate, connectedOn: LocalDate): Promise<PlaybookInput> {
    const [customers, histories, invoices, states, promises, disputes, pauses, openTasks] = await Promise.all([
      this.db.selectFrom('qbo_customers').select(['id', 'display_name', 'company_name', 'email', 'parent_id']).where('realm_id', '=', realmId).execute(),
      this.db.selectFrom('customer_histories').selectAll().where('realm_id', '=', realmId).execute(),
      this.db
        .selectFrom('qbo_invoices')
        .select(['id', 'customer_id', 'doc_number', 'txn_date', 'due_date', 'total', 'balance', 'bill_email'])
        .where('realm_id', '=', realmId)
        .where((eb) => eb.or([eb('balance', '>', '0'), eb('id', 'in', eb.selectFrom('invoice_states').select('invoice_id').where('realm_id', '=', realmId))]))
        .execute(),
      this.db.selectFrom('invoice_states').selectAll().where('realm_id', '=', realmId).execute(),
      this.db.selectFrom('promises').selectAll().where('realm_id', '=', realmId).where('status', '=', 'open').execute(),
      this.db.selectFrom('disputes').select(['id', 'customer_id', 'invoice_ids', 'status']).where('realm_id', '=', realmId).where('status', '=', 'open').execute(),
      this.db.selectFrom('pauses').select(['customer_id', 'invoice_id', 'until']).where('realm_id', '=', realmId).where((eb) => eb.or([eb('until', 'is', null), eb('until', '>=', today)])).execute(),
      this.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('status', '=', 'open').execute(),
    ]);
    const earliestPromise = promises.reduce<string | undefined>((min, p) => (!min || p.made_on < min ? p.made_on : min), undefined);
    const payments = earliestPromise
      ? await this.db.selectFrom('qbo_payments').select(['id', 'customer_id', 'txn_date', 'applied_to']).where('realm_id', '=', realmId).where('txn_date', '>=', earliestPromise).execute()
      : [];
    const overrides = new Map(histories.map((h) => [h.customer_id, h.type_override]));
    return {
      now,
      connectedOn,
      customers: customers.map((c) => ({ id: c.id, name: c.display_name, companyName: c.company_name, email: c.email, parentId: c.parent_id, typeOverride: overrides.get(c.id) ?? null })),
      invoices: invoices
        .filter((i) => i.due_date)
        .map((i) => ({ id: i.id, customerId: i.customer_id, docNumber: i.doc_number, txnDate: i.txn_date, dueDate: i.due_date!, total: Number(i.total), balance: Number(i.balance), billEmail: i.bill_email })),
      states: states.map((s) => ({
        invoiceId: s.invoice_id,
        level: s.level as Level,
        levelEnteredOn: s.level_entered_on,
        level1On: s.level1_on,
        firstSeenOn: s.first_seen_on,
        verificationSentOn: s.verification_sent_on,
        escalateNow: s.escalate_now,
      })),
      histories: histories.map((h) => ({ customerId: h.customer_id, lastDunningOn: h.last_dunning_on, lastReachedOn: h.last_reached_on, contactedInvoiceIds: h.contacted_invoice_ids })),
      promises: promises.map((p) => ({ id: p.id, customerId: p.customer_id, invoiceIds: p.invoice_ids, amount: Number(p.amount), dueOn: p.due_on, madeOn: p.made_on, status: p.status, planId: p.plan_id })),
      disputes: disputes.map((d) => ({ id: d.id, customerId: d.customer_id, invoiceIds: d.invoice_ids, status: d.status })),
      pauses: pauses.map((p) => ({ customerId: p.customer_id, invoiceId: p.invoice_id, until: p.until })),
      payments: payments.map((p) => ({
        id: p.id,
        customerId: p.customer_id,
        txnDate: p.txn_date,
        appliedTo: (p.applied_to as Array<{ id: string; type: string; amount: number }>).filter((a) => a.type === 'Invoice').map((a) => ({ invoiceId: a.id, amount: a.amount })),
      })),
      openTasks: openTasks.map((t): CallTask => ({ id: t.id, customerId: t.customer_id, level: t.level as Level, reason: t.reason, scheduledFor: t.scheduled_for, createdOn: t.created_on })),
    };
  }

  /** Records the playbook's actions for `today` in one transaction; returns what was new. */
  async apply(realmId: string, today: LocalDate, actions: Action[]): Promise<AppliedCounts> {
    return this.db.transaction().execute(async (trx) => {
      const counts: AppliedCounts = {};
      const count = (type: Action['type'], changed: boolean) => {
        if (changed) counts[type] = (counts[type] ?? 0) + 1;
      };
      for (const action of actions) count(action.type, await applyOne(trx, realmId, today, action));
      return counts;
    });
  }
}

async function activity(trx: Transaction<Database>, realmId: string, today: LocalDate, entry: { customerId: string; invoiceIds: string[]; kind: string; summary: string; details?: Record<string, unknown>; key: string }): Promise<void> {
  await trx
    .insertInto('activities')
    .values({ realm_id: realmId, customer_id: entry.customerId, invoice_ids: JSON.stringify(entry.invoiceIds), kind: entry.kind, summary: entry.summary, details: JSON.stringify(entry.details ?? {}), occurred_on: today, key: entry.key })
    .onConflict((oc) => oc.columns(['realm_id', 'key']).doNothing())
    .execute();
}

async function touchHistory(trx: Transaction<Database>, realmId: string, customerId: string, changes: { lastDunningOn?: LocalDate; contacted?: string[]; drop?: string }): Promise<void> {
  await trx.insertInto('customer_histories').values({ realm_id: realmId, customer_id: customerId }).onConflict((oc) => oc.columns(['realm_id', 'customer_id']).doNothing()).execute();
  await trx
    .updateTable('customer_histories')
    .set({
      ...(changes.lastDunningOn ? { last_dunning_on: changes.lastDunningOn } : {}),
      contacted_invoice_ids: changes.drop
        ? sql`contacted_invoice_ids - ${changes.drop}::text`
        : sql`(select coalesce(jsonb_agg(distinct value), '[]'::jsonb) from jsonb_array_elements_text(contacted_invoice_ids || ${JSON.stringify(changes.contacted ?? [])}::jsonb))`,
    })
    .where('realm_id', '=', realmId)
    .where('customer_id', '=', customerId)
    .execute();
}

async function applyOne(trx: Transaction<Database>, realmId: string, today: LocalDate, action: Action): Promise<boolean> {
  switch (action.type) {
    case 'first_seen': {
      const result = await trx.insertInto('invoice_states').values({ realm_id: realmId, invoice_id: action.invoiceId, first_seen_on: today }).onConflict((oc) => oc.columns(['realm_id', 'invoice_id']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    case 'level_change': {
      await trx.insertInto('invoice_states').values({ realm_id: realmId, invoice_id: action.invoiceId, first_seen_on: today }).onConflict((oc) => oc.columns(['realm_id', 'invoice_id']).doNothing()).execute();
      const result = await trx
        .updateTable('invoice_states')
        .set({ level: action.to, level_entered_on: today, level1_on: sql`coalesce(level1_on, ${action.to === 1 ? today : null}::date)`, escalate_now: false })
        .where('realm_id', '=', realmId)
        .where('invoice_id', '=', action.invoiceId)
        .where('level', '=', action.from)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await activity(trx, realmId, today, { customerId: action.customerId, invoiceIds: [action.invoiceId], kind: 'level_change', summary: `moved to collection level ${action.to}`, details: { from: action.from, to: action.to }, key: `level:${action.invoiceId}:${action.to}` });
      return true;
    }
    case 'escalation_candidate': {
      await trx.updateTable('invoice_states').set({ escalation_candidate: true }).where('realm_id', '=', realmId).where('invoice_id', 'in', action.invoiceIds).execute();
      await activity(trx, realmId, today, { customerId: action.customerId, invoiceIds: action.invoiceIds, kind: 'escalation_candidate', summary: 'marked an escalation candidate (agency or small claims)', key: `escalation:${action.customerId}:${action.invoiceIds.join(',')}` });
      return true;
    }
    case 'send_message': {
      const inserted = await trx
        .insertInto('messages')
        .values({ realm_id: realmId, customer_id: action.customerId, kind: action.kind, to_address: action.to, invoice_ids: JSON.stringify(action.invoiceIds), total: action.total, send_at: action.sendAt, key: action.key })
        .onConflict((oc) => oc.columns(['realm_id', 'key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      if (DUNNING_KINDS.has(action.kind)) await touchHistory(trx, realmId, action.customerId, { lastDunningOn: today, contacted: action.invoiceIds });
      if (action.kind === 'verification') await trx.updateTable('invoice_states').set({ verification_sent_on: today }).where('realm_id', '=', realmId).where('invoice_id', 'in', action.invoiceIds).execute();
      await activity(trx, realmId, today, { customerId: action.customerId, invoiceIds: action.invoiceIds, kind: `message_queued`, summary: `${MESSAGE_NAMES[action.kind] ?? action.kind} queued for ${action.to}`, details: { messageId: inserted.id, kind: action.kind, total: action.total }, key: `message:${action.key}` });
      return true;
    }
    case 'open_task': {
      const result = await trx
        .insertInto('call_tasks')
        .values({ realm_id: realmId, customer_id: action.customerId, level: action.level, reason: action.reason, scheduled_for: action.scheduledFor, created_on: today, key: action.key })
        .onConflict((oc) => oc.columns(['realm_id', 'key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    case 'raise_task': {
      const result = await trx.updateTable('call_tasks').set({ level: action.level }).where('id', '=', action.taskId).where('realm_id', '=', realmId).where('level', '<', action.level).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    }
    case 'promise_outcome': {
      const result = await trx.updateTable('promises').set({ status: action.outcome, paid: action.paid, settled_on: today }).where('id', '=', action.promiseId).where('realm_id', '=', realmId).where('status', '=', 'open').returning(['plan_id', 'invoice_ids']).executeTakeFirst();
      if (!result) return false;
      if (action.outcome !== 'kept' && result.plan_id) await trx.updateTable('payment_plans').set({ status: 'broken' }).where('id', '=', result.plan_id).execute();
      const words = { kept: 'kept', partly_kept: 'partly kept', broken: 'broken' }[action.outcome];
      await activity(trx, realmId, today, { customerId: action.customerId, invoiceIds: result.invoice_ids, kind: `promise_${action.outcome}`, summary: `promise to pay ${words} (${action.paid.toFixed(2)} paid)`, details: { promiseId: action.promiseId, paid: action.paid }, key: `promise:${action.promiseId}:${action.outcome}` });
      return true;
    }
    case 'cancel_pending': {
      const removed = await trx.deleteFrom('invoice_states').where('realm_id', '=', realmId).where('invoice_id', '=', action.invoiceId).executeTakeFirst();
      await trx
        .updateTable('messages')
        .set({ status: 'cancelled' })
        .where('realm_id', '=', realmId)
        .where('status', '=', 'queued')
        .where('kind', '!=', 'thank_you')
        .where(sql<boolean>`invoice_ids = ${JSON.stringify([action.invoiceId])}::jsonb`)
        .execute();
      await activity(trx, realmId, today, { customerId: action.customerId, invoiceIds: [action.invoiceId], kind: 'invoice_paid', summary: 'paid in full; pending collection actions cancelled', key: `paid:${action.invoiceId}` });
      await touchHistory(trx, realmId, action.customerId, { drop: action.invoiceId });
      return Number(removed.numDeletedRows) > 0;
    }
  }
}
