import { sql } from 'kysely';
import { localMoment, type LocalDate } from '../collections/calendar';
import { ASKS_FOR_MONEY } from '../collections/message-kinds';
import type { Action, CallTask, Level, MessageKind, PlaybookInput, RecordedMessage } from '../collections/model';
import { toCents } from '../collections/money';
import type { Db } from './database';
import { recordActions, recordActivities, type AppliedCounts } from './cadence-recorder';
import { ContactsRepository } from './contacts-repository';
import { InboundRepository } from './inbound-repository';
import { paymentLines } from './payment-lines';

export type { AppliedCounts };

const ANALYZE_AFTER = 5000;

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

  /** The playbook's input for one company, its amounts in cents. */
  async loadInput(realmId: string, now: Date, today: LocalDate, connectedOn: LocalDate): Promise<PlaybookInput> {
    const [customers, histories, invoices, states, promises, disputes, pauses, openTasks, retiredTasks, calls, messages, doNotContact] = await Promise.all([
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
      // The newest retired task of each account: the one that comes back.
      this.db.selectFrom('call_tasks').selectAll().distinctOn('customer_id').where('realm_id', '=', realmId).where('status', '=', 'retired').orderBy('customer_id').orderBy('created_on', 'desc').orderBy('id').execute(),
      // The recorded calls (each outcome an activity of kind 'call'), for the letters after unanswered calls.
      this.db
        .selectFrom('activities')
        .select(['customer_id', 'occurred_on', sql<string>`coalesce(details->>'outcome', '')`.as('outcome'), sql<boolean>`coalesce((details->>'reached')::boolean, false)`.as('reached')])
        .where('realm_id', '=', realmId)
        .where('kind', '=', 'call')
        .where('occurred_on', '<=', today)
        .execute(),
      // Messages that ask for money, queued or sent: what each invoice has already been told. A
      // sent one's business day is its `sent:` activity's (the day it went out where the company is).
      this.db
        .selectFrom('messages as m')
        .leftJoin('activities as sent', (join) => join.onRef('sent.realm_id', '=', 'm.realm_id').on('sent.key', '=', sql<string>`'sent:' || m.id::text`))
        .select(['m.id', 'm.customer_id', 'm.kind', 'm.invoice_ids', 'm.listed_invoice_ids', 'm.status', 'm.created_at', 'm.send_at', 'sent.occurred_on as sent_on'])
        .where('m.realm_id', '=', realmId)
        .where('m.kind', 'in', [...ASKS_FOR_MONEY])
        .where('m.status', '!=', 'cancelled')
        .execute(),
      this.db.selectFrom('do_not_contact').select('customer_id').where('realm_id', '=', realmId).execute(),
    ]);
    const task = (t: (typeof openTasks)[number]): CallTask => ({ id: t.id, customerId: t.customer_id, level: t.level as Level, reason: t.reason, reasons: t.reasons.length ? t.reasons : [t.reason], scheduledFor: t.scheduled_for, createdOn: t.created_on });
    const earliestPromise = promises.reduce<string | undefined>((min, p) => (!min || p.made_on < min ? p.made_on : min), undefined);
    // Payments since the earliest open promise (to judge it), and those applied to an invoice now at 0 (a payment, not a void, brought it there).
    const settledIds = invoices.filter((i) => toCents(i.balance) <= 0).map((i) => i.id);
    const payments =
      earliestPromise || settledIds.length
        ? await this.db
            .selectFrom('qbo_payments')
            .select(['id', 'customer_id', 'txn_date', 'applied_to'])
            .where('realm_id', '=', realmId)
            .where((eb) =>
              eb.or([
                ...(earliestPromise ? [eb('txn_date', '>=', earliestPromise)] : []),
                ...(settledIds.length ? [sql<boolean>`exists (select 1 from jsonb_array_elements(applied_to) line where line->>'type' = 'Invoice' and line->>'id' in (select jsonb_array_elements_text(${JSON.stringify(settledIds)}::jsonb)))`] : []),
              ]),
            )
            .execute()
        : [];
    const timezone = await this.db.selectFrom('companies').select('timezone').where('realm_id', '=', realmId).executeTakeFirst();
    const dayOf = (instant: Date) => localMoment(instant, timezone?.timezone ?? 'America/New_York').date;
    /**
     * The business day a message reached the customer (sent), or is due to go out (queued); one
     * handed to the mail server whose fate is not known yet (sending, uncertain) counts on the
     * day it was due, when it was handed over (the claim's own stamp is real time).
     */
    const sendOn = (m: (typeof messages)[number]): LocalDate | null => {
      if (m.status === 'failed') return null;
      if (m.status === 'sent' && m.sent_on) return m.sent_on;
      return dayOf(m.send_at);
    };
    // Where QuickBooks has no address, the one a collector found (and kept in Ardesk) is the customer's.
    const foundEmails = await new ContactsRepository(this.db).foundEmails(realmId);
    // An address a bounce showed to be bad is no address: the account gets a *find an email* task.
    const bad = await new InboundRepository(this.db).badAddresses(realmId);
    const good = (address: string | null | undefined) => (address && !bad.has(address.trim().toLowerCase()) ? address : null);
    const overrides = new Map(histories.map((h) => [h.customer_id, h.type_override]));
    return {
      now,
      connectedOn,
      customers: customers.map((c) => ({ id: c.id, name: c.display_name, companyName: c.company_name, email: good(c.email) || good(foundEmails.get(c.id)) || null, parentId: c.parent_id, typeOverride: overrides.get(c.id) ?? null })),
      invoices: invoices
        .filter((i) => i.due_date)
        .map((i) => ({ id: i.id, customerId: i.customer_id, docNumber: i.doc_number, txnDate: i.txn_date, dueDate: i.due_date!, total: toCents(i.total), balance: toCents(i.balance), billEmail: good(i.bill_email) })),
      states: states.map((s) => ({
        invoiceId: s.invoice_id,
        level: s.level as Level,
        levelEnteredOn: s.level_entered_on,
        level1On: s.level1_on,
        level2On: s.level2_on,
        firstSeenOn: s.first_seen_on,
        verificationSentOn: s.verification_sent_on,
        escalateNow: s.escalate_now,
      })),
      histories: histories.map((h) => ({ customerId: h.customer_id, lastDunningOn: h.last_dunning_on, lastReachedOn: h.last_reached_on, contactedInvoiceIds: h.contacted_invoice_ids })),
      promises: promises.map((p) => ({ id: p.id, customerId: p.customer_id, invoiceIds: p.invoice_ids, amount: toCents(p.amount), dueOn: p.due_on, madeOn: p.made_on, status: p.status, planId: p.plan_id })),
      disputes: disputes.map((d) => ({ id: d.id, customerId: d.customer_id, invoiceIds: d.invoice_ids, status: d.status })),
      pauses: pauses.map((p) => ({ customerId: p.customer_id, invoiceId: p.invoice_id, until: p.until })),
      doNotContact: doNotContact.map((d) => d.customer_id),
      payments: payments.map((p) => ({
        id: p.id,
        customerId: p.customer_id,
        txnDate: p.txn_date,
        appliedTo: paymentLines(p.applied_to)
          .filter((a) => a.type === 'Invoice')
          .map((a) => ({ invoiceId: a.id, amount: a.amount })),
      })),
      openTasks: openTasks.map(task),
      retiredTasks: retiredTasks.map(task),
      callAttempts: calls.map((c) => ({ customerId: c.customer_id, on: c.occurred_on, outcome: c.outcome, reached: c.reached })),
      messages: messages.map((m) => ({
        id: m.id,
        customerId: m.customer_id,
        kind: m.kind as MessageKind,
        invoiceIds: m.listed_invoice_ids ?? m.invoice_ids,
        status: m.status as RecordedMessage['status'],
        queuedOn: dayOf(m.created_at),
        sendOn: sendOn(m),
      })),
    };
  }

  async callTask(realmId: string, taskId: string) {
    return this.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('id', '=', taskId).executeTakeFirst();
  }

  async customerName(realmId: string, customerId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('qbo_customers').select('display_name').where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst())?.display_name;
  }

  /** Pauses a customer's automatic collection (until a date, or until further notice), as an activity. */
  async pauseCustomer(realmId: string, customerId: string, today: LocalDate, pause: { until?: LocalDate; reason?: string }): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx.insertInto('pauses').values({ realm_id: realmId, customer_id: customerId, until: pause.until ?? null, reason: pause.reason || null }).returning('id').executeTakeFirstOrThrow();
      const summary = `automatic collection paused ${pause.until ? `until ${pause.until}` : 'until further notice'}${pause.reason ? `: ${pause.reason}` : ''}`;
      await recordActivities(trx, realmId, today, [{ customerId, invoiceIds: [], kind: 'paused', summary, details: { pauseId: id, until: pause.until ?? null }, key: `pause:${id}` }]);
      return id;
    });
  }

  /**
   * Ends a pause of this customer: its own, or one on an invoice it pays (its own or its
   * sub-customers'), as its page shows them. Another customer's pause is not found, and nothing
   * changes. Returns whether a pause was ended.
   */
  async endPause(realmId: string, customerId: string, pauseId: string, today: LocalDate): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const pause = await trx
        .deleteFrom('pauses')
        .where('realm_id', '=', realmId)
        .where('id', '=', pauseId)
        .where((eb) =>
          eb.or([
            eb('customer_id', '=', customerId),
            eb(
              'invoice_id',
              'in',
              eb
                .selectFrom('qbo_invoices')
                .select('id')
                .where('realm_id', '=', realmId)
                .where((inner) => inner.or([inner('customer_id', '=', customerId), inner('customer_id', 'in', inner.selectFrom('qbo_customers').select('id').where('realm_id', '=', realmId).where('parent_id', '=', customerId))])),
            ),
          ]),
        )
        .returning(['invoice_id'])
        .executeTakeFirst();
      if (!pause) return false;
      await recordActivities(trx, realmId, today, [{ customerId, invoiceIds: pause.invoice_id ? [pause.invoice_id] : [], kind: 'pause_ended', summary: 'automatic collection resumed', details: { pauseId }, key: `pause-ended:${pauseId}` }]);
      return true;
    });
  }

  /** Records the playbook's actions for `today` in one transaction; returns what was new. */
  async apply(realmId: string, today: LocalDate, actions: Action[]): Promise<AppliedCounts> {
    const counts = await this.db.transaction().execute((trx) => recordActions(trx, realmId, today, actions));
    // A first run over a large book writes tens of thousands of rows: give the planner fresh statistics. Of activities, the
    // columns queries filter and sort on (their summaries and jsonb details, read back only, took three quarters of the
    // time), from a sample of 3,000 rows a table (statistics target 10, not 100): what the planner needs of a table that
    // was empty is its size and rough spread; autovacuum's own analyze, due for these tables, fills in the rest.
    const written = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
    if (written >= ANALYZE_AFTER) {
      await this.db.transaction().execute(async (trx) => {
        await sql`set local default_statistics_target = 10`.execute(trx);
        await sql`analyze invoice_states, call_tasks, activities (realm_id, customer_id, kind, occurred_on, created_at, note_status, note_batch), messages, customer_histories`.execute(trx);
      });
    }
    return counts;
  }
}
