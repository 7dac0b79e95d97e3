import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { addDays, localMoment, type LocalDate } from '../collections/calendar';
import { amountSchema, collectorText, dateOutOfRange, DATE_HORIZON_YEARS, quickBooksIdSchema } from '../collections/collector-input';
import { markedOne, mayBeContacted, stoppedCallNotice } from '../collections/do-not-contact';
import { heldMessage } from '../collections/find-email';
import { localDateSchema } from '../collections/local-date-schema';
import type { Level } from '../collections/model';
import { centsToNumber, sumCents, type Cents } from '../collections/money';
import { customerType, nextCallDay, nextSendTime } from '../collections/playbook';
import type { PlaybookSettings } from '../collections/settings';
import type { Clock } from '../clock';
import { AccountsRepository } from '../db/accounts-repository';
import { recordActions, recordActivities } from '../db/cadence-recorder';
import { CallOutcomesRepository, type CallTask, type RecordedOutcome } from '../db/call-outcomes-repository';
import { CallTasksRepository, type TaskSnapshot } from '../db/call-tasks-repository';
import { ContactsRepository } from '../db/contacts-repository';
import { CoverageRepository } from '../db/coverage-repository';
import { DoNotContactRepository } from '../db/do-not-contact-repository';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { AppError, BadRequestError, NotFoundError } from '../errors';
import type { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import type { FreshBalances } from '../mail/fresh-balances';
import type { QuickBooksClient } from '../quickbooks/client';
import { parseEntity } from '../quickbooks/schemas';
import type { AccountDirectoryService } from './account-directory';
import type { CompanySettingsService } from './company-settings';
import type { NotesService } from './notes';

const isoDate = localDateSchema;
const money = amountSchema;
const invoiceIds = z.array(quickBooksIdSchema).min(1).max(500).optional();
const notes = collectorText({ max: 2000 }).optional();
const email = collectorText({ max: 254 }).pipe(z.email());
const contact = (required: 'name' | 'email') =>
  z
    .object({
      name: required === 'name' ? collectorText({ min: 1, max: 200 }) : collectorText({ max: 200 }).optional(),
      role: collectorText({ max: 200 }).optional(),
      phone: collectorText({ max: 50 }).optional(),
      email: required === 'email' ? email : email.optional(),
      approvesPayment: z.boolean().default(true),
    })
    .strict();

/** One form, nine outcomes (SPEC §4): each with what it needs and nothing else. */
export const callOutcomeSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('promised'), promise: z.object({ amount: money, dueOn: isoDate, invoiceIds }).strict(), notes }).strict(),
  z.object({ outcome: z.literal('cannot_pay'), plan: z.object({ installments: z.array(z.object({ dueOn: isoDate, amount: money }).strict()).min(1).max(36), invoiceIds }).strict(), notes }).strict(),
  z.object({ outcome: z.literal('will_not_pay'), notes }).strict(),
  z
    .object({
      outcome: z.literal('disputes'),
      dispute: z.object({ category: z.enum(['pricing', 'not_received', 'quality', 'missing_po', 'billing_contact', 'other']), text: collectorText({ min: 1, max: 2000 }), invoiceIds }).strict(),
      notes,
    })
    .strict(),
  z.object({ outcome: z.literal('wrong_person'), contact: contact('name'), notes }).strict(),
  // A *find an email* task done: the address (and who it reaches) found.
  z.object({ outcome: z.literal('email_found'), contact: contact('email'), notes }).strict(),
  z.object({ outcome: z.literal('no_answer'), notes }).strict(),
  z.object({ outcome: z.literal('voicemail'), notes }).strict(),
  z.object({ outcome: z.literal('call_back'), callBackOn: isoDate, notes }).strict(),
]);

/** A call's outcome as recorded: its amounts in cents. */
export type CallOutcome = z.infer<typeof callOutcomeSchema>;
export type OutcomeKind = CallOutcome['outcome'];

/**
 * What the form was shown with, beside the outcome: the last outcome of the task it saw
 * (`none` before any), so a form saved twice (the Back button, a second tab) is refused; or the
 * last outcome it corrects.
 */
const stampSchema = z
  .object({
    lastOutcomeId: z.union([z.literal('none'), z.uuid()]).optional(),
    corrects: z.uuid().optional(),
  })
  .strict();
type Stamp = z.infer<typeof stampSchema>;

function splitBody(body: unknown): { stamp: Stamp; outcome: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { stamp: {}, outcome: body };
  const { lastOutcomeId, corrects, ...outcome } = body as Record<string, unknown>;
  const given = Object.fromEntries(Object.entries({ lastOutcomeId, corrects }).filter(([, value]) => value !== undefined));
  return { stamp: stampSchema.parse(given), outcome };
}

/** The outcome as the call's activity keeps it: amounts in currency units, as the collector gave them. */
function asRecorded(input: CallOutcome): Record<string, unknown> {
  if (input.outcome === 'promised') return { ...input, promise: { ...input.promise, amount: centsToNumber(input.promise.amount) } };
  if (input.outcome === 'cannot_pay') return { ...input, plan: { ...input.plan, installments: input.plan.installments.map((i) => ({ ...i, amount: centsToNumber(i.amount) })) } };
  return input;
}

function refuseDate(problem: string | undefined): void {
  if (problem) throw new BadRequestError(problem);
}

const REACHED = new Set<OutcomeKind>(['promised', 'cannot_pay', 'will_not_pay', 'disputes']);
const SUMMARY: Record<OutcomeKind, string> = {
  promised: 'called: reached, promised to pay',
  cannot_pay: 'called: reached, cannot pay now; payment plan agreed',
  will_not_pay: 'called: reached, will not pay',
  disputes: 'called: reached, disputes the invoice',
  wrong_person: 'called: wrong person; the right contact recorded',
  email_found: 'email found',
  no_answer: 'called: no answer',
  voicemail: 'called: left a voicemail',
  call_back: 'called: asked to call back',
};

/** What an outcome did, kept with it, so a correction the same day can take it back. */
interface Effects {
  promiseIds: string[];
  planId: string | null;
  disputeId: string | null;
  contactId: string | null;
  /** Keys of the messages it queued: the confirmation, or what a found address released. */
  messageKeys: string[];
  /** Invoices whose next level it let come at once. */
  escalated: string[];
  /** It reached someone: the day someone was last reached before it. */
  reached: { before: LocalDate | null } | null;
  task: TaskSnapshot;
}

/** The last outcome of a task as a person sees it. */
export interface ShownOutcome {
  id: string;
  outcome: string;
  summary: string;
  on: LocalDate;
  at: string;
  /** Recorded today: it may be corrected. */
  correctable: boolean;
}

/** A stale form or a finished task: 409, with what was recorded. */
export class OutcomeConflictError extends AppError {
  constructor(
    message: string,
    readonly taskStatus: string,
    readonly lastOutcome: ShownOutcome | null,
  ) {
    super('outcome_conflict', message, { status: 409, details: { taskStatus, lastOutcome } });
  }
}

export interface OutcomeResult {
  taskId: string;
  /** `retired`: the customer is marked do not contact, so the task is not kept (see `doNotContact`). */
  taskStatus: 'open' | 'done' | 'retired';
  scheduledFor: LocalDate;
  /** The outcome just recorded: what the next form of this task must say it saw. */
  outcomeId: string;
  promiseIds: string[];
  disputeId?: string;
  messageQueued: boolean;
  /** A correction: the outcome it replaced, and whether its confirmation had already gone out. */
  corrected?: { outcomeId: string; messageAlreadySent: boolean };
  /** An address found: written to the QuickBooks customer, not allowed by the company, or failed (why). */
  customerEmail?: { status: 'written' | 'not_allowed' | 'failed'; reason?: string };
  /** The customer is marked do not contact: the call is noted, nothing follows from it; this says so to the collector. */
  doNotContact?: string;
}

export interface CallOutcomesDeps {
  db: Db;
  settings: Pick<CompanySettingsService, 'company' | 'settingsOf'>;
  directory: Pick<AccountDirectoryService, 'ensure'>;
  /** The balance re-read of the send path, so a confirmation never lists what was paid today. */
  balances: Pick<FreshBalances, 'read'>;
  quickbooks: Pick<QuickBooksClient, 'updateCustomerEmail'>;
  notes: Pick<NotesService, 'queueSoon'>;
  queues: Pick<JobQueues, 'enqueue'>;
  clock: Clock;
  logger: Logger;
}

function shown(last: RecordedOutcome | undefined, today: LocalDate): ShownOutcome | null {
  if (!last) return null;
  const details = last.details as { outcome?: string };
  return { id: last.id, outcome: String(details.outcome ?? 'call'), summary: last.summary, on: last.occurred_on, at: new Date(last.created_at).toISOString(), correctable: last.occurred_on === today };
}

function sequenceOf(last: RecordedOutcome | undefined): number {
  const seq = Number((last?.details as { seq?: unknown } | undefined)?.seq ?? 0);
  return Number.isFinite(seq) ? seq : 0;
}

function snapshotOf(task: CallTask): TaskSnapshot {
  return { status: task.status, scheduledFor: task.scheduled_for, outcome: task.outcome, reason: task.reason, reasons: task.reasons, closedAt: task.closed_at ? new Date(task.closed_at).toISOString() : null };
}

/**
 * Recording what a call (or a search) found, once: a promise (confirmed in writing the same
 * day, never listing what QuickBooks shows paid), a payment plan, a dispute, the right contact,
 * an email address found (written to the QuickBooks customer and releasing what was held for
 * want of it), a call back. A finished task or a form older than the task's last outcome is
 * refused with what was recorded; the day's last outcome may be corrected, which takes back
 * what it did and records the correction. Everything one outcome records commits together.
 */
export class CallOutcomesService {
  private readonly log: Logger;

  constructor(private readonly deps: CallOutcomesDeps) {
    this.log = deps.logger;
  }

  /** The task's last outcome, for the form that records the next one. */
  async lastOutcome(realmId: string, task: Pick<CallTask, 'id' | 'customer_id'>): Promise<ShownOutcome | null> {
    const company = await this.deps.settings.company(realmId);
    const settings = await this.deps.settings.settingsOf(realmId, company.timezone);
    const last = await new CallOutcomesRepository(this.deps.db).lastOutcome(realmId, task.customer_id, task.id);
    return shown(last, localMoment(this.deps.clock.businessNow(), settings.timezone).date);
  }

  async record(realmId: string, taskId: string, body: unknown): Promise<OutcomeResult> {
    const { stamp, outcome } = splitBody(body);
    const input = callOutcomeSchema.parse(outcome);
    const company = await this.deps.settings.company(realmId);
    const settings = await this.deps.settings.settingsOf(realmId, company.timezone);
    const now = this.deps.clock.businessNow();
    const today = localMoment(now, settings.timezone).date;
    // Who pays comes from the account directory (brought up to date here, outside the
    // transaction: the embedded database has one connection).
    await this.deps.directory.ensure(realmId);
    const paidNow = input.outcome === 'promised' || input.outcome === 'cannot_pay' ? await this.paidInQuickBooks(realmId, taskId) : new Set<string>();

    const result = await this.deps.db.transaction().execute((trx) => this.inTransaction(trx, { realmId, taskId, input, stamp, settings, now, today, paidNow }));
    if (result.write) result.result.customerEmail = await this.writeCustomerEmail(realmId, result.write);
    return result.result;
  }

  /** What follows a recorded call: its note goes to QuickBooks now, a queued message goes out now. */
  async after(realmId: string, result: OutcomeResult, log: Logger): Promise<void> {
    await this.deps.notes.queueSoon(realmId, log);
    // The mail pass every minute sends it anyway; a queue hiccup only delays it.
    if (result.messageQueued) await this.deps.queues.enqueue('mail.dispatch', {}).catch((error) => log.warn({ err: error }, 'could not queue the message now'));
  }

  private async inTransaction(
    trx: Transaction<Database>,
    { realmId, taskId, input, stamp, settings, now, today, paidNow }: { realmId: string; taskId: string; input: CallOutcome; stamp: Stamp; settings: PlaybookSettings; now: Date; today: LocalDate; paidNow: Set<string> },
  ): Promise<{ result: OutcomeResult; write?: { customerId: string; email: string; requestId: string } }> {
    const outcomes = new CallOutcomesRepository(trx);
    const tasks = new CallTasksRepository(trx);
    const contacts = new ContactsRepository(trx);
    let task = await outcomes.lockTask(realmId, taskId);
    if (!task) throw new NotFoundError('No such call task');
    // Marked do not contact (the mark retires the task; a form opened before it can still be
    // saved): what the call found is recorded, but it opens no task and queues no message.
    const contact = await new CoverageRepository(trx).contactFacts(realmId, task.customer_id);
    const stopped = !mayBeContacted(contact, task.customer_id);
    const last = await outcomes.lastOutcome(realmId, task.customer_id, taskId);
    const recorded = shown(last, today);
    let corrected: OutcomeResult['corrected'];

    if (stamp.corrects) {
      if (!last || last.id !== stamp.corrects) throw new OutcomeConflictError('Not saved: the outcome you are correcting is no longer the last one of this call.', task.status, recorded);
      if (!recorded!.correctable) throw new OutcomeConflictError('Not saved: only an outcome recorded today can be corrected.', task.status, recorded);
      if (task.status !== 'open' && (await outcomes.otherOpenTask(realmId, task.customer_id, taskId))) throw new OutcomeConflictError('Not saved: the account has a newer call task; record the call there.', task.status, recorded);
      corrected = { outcomeId: last.id, messageAlreadySent: await this.undo(outcomes, tasks, contacts, realmId, task, last) };
      task = (await outcomes.lockTask(realmId, taskId))!;
    } else {
      if (task.status !== 'open' && !(stopped && task.status === 'retired')) throw new OutcomeConflictError(`Not saved: this call task is already ${task.status === 'done' ? 'done' : task.status}.`, task.status, recorded);
      if (stamp.lastOutcomeId !== undefined && stamp.lastOutcomeId !== (last?.id ?? 'none')) throw new OutcomeConflictError('Not saved: this call was recorded after the page was opened.', task.status, recorded);
    }

    const customer = await outcomes.customer(realmId, task.customer_id);
    const accounts = new AccountsRepository(trx);
    const account = await accounts.accountOf(realmId, task.customer_id);
    const members = await accounts.membersOf(realmId, task.customer_id);
    const memberIds = members.length ? members : [task.customer_id];
    // What QuickBooks shows paid a moment ago is not open, whatever the local copy says.
    const openInvoices = (await outcomes.openInvoices(realmId, memberIds)).filter((i) => !paidNow.has(i.id));
    const chosen = (ids: string[] | undefined, field: string) => {
      const known = new Set(openInvoices.map((i) => i.id));
      const paid = (ids ?? []).filter((id) => paidNow.has(id));
      if (paid.length) throw new BadRequestError(`${field}: invoice(s) ${paid.join(', ')} are paid in QuickBooks`);
      const unknown = (ids ?? []).filter((id) => !known.has(id));
      if (unknown.length) throw new BadRequestError(`${field}: invoice(s) ${unknown.join(', ')} are not open invoices of this customer`);
      const picked = ids ?? openInvoices.filter((i) => i.due_date && i.due_date < today).map((i) => i.id);
      if (picked.length === 0) throw new BadRequestError(`${field}: this customer has no overdue invoice; name the invoices`);
      return picked;
    };
    // The contact email as the playbook reads it: QuickBooks' address, else the one a collector found.
    const contactEmail = openInvoices.find((i) => i.bill_email)?.bill_email || customer?.email || (await contacts.foundEmails(realmId, [task.customer_id])).get(task.customer_id) || null;
    const seq = sequenceOf(last) + 1;
    const key = `call:${taskId}:${randomUUID()}`;
    const effects: Effects = { promiseIds: [], planId: null, disputeId: null, contactId: null, messageKeys: [], escalated: [], reached: null, task: snapshotOf(task) };
    const result: OutcomeResult = { taskId, taskStatus: 'done', scheduledFor: task.scheduled_for, outcomeId: '', promiseIds: [], messageQueued: false, ...(corrected ? { corrected } : {}) };
    let write: { customerId: string; email: string; requestId: string } | undefined;
    let coveredIds: string[] = [];
    let reasonsLeft = task.reasons;

    const queueConfirmation = async (kind: 'promise_confirmation' | 'plan_confirmation', messageKey: string, ids: string[], total: Cents) => {
      if (!contactEmail || stopped) return;
      effects.messageKeys.push(messageKey);
      result.messageQueued = await outcomes.queueConfirmation(realmId, { customerId: task.customer_id, kind, toAddress: contactEmail, invoiceIds: ids, total, sendAt: nextSendTime(now, settings), key: messageKey });
    };
    const insertPromise = (amount: Cents, dueOn: LocalDate, planId: string | null): Promise<string> =>
      outcomes.insertPromise(realmId, { customerId: task.customer_id, invoiceIds: coveredIds, amount, dueOn, madeOn: today, planId });

    /** An address for an account that had none (or a task to find one): kept, written, and what was held goes out. */
    const addressFound = async (address: string) => {
      if (!task.reasons.includes('find_email') && contactEmail) return;
      reasonsLeft = await tasks.dropReason(taskId, 'find_email');
      const held = stopped ? null : await this.heldFor(outcomes, realmId, task.customer_id, memberIds, today, settings);
      if (held) {
        const messageKey = `email-found:${taskId}:${seq}`;
        const counts = await recordActions(trx, realmId, today, [{ type: 'send_message', kind: held.kind, customerId: task.customer_id, to: address, invoiceIds: held.invoiceIds, total: held.total, sendAt: nextSendTime(now, settings), key: messageKey }]);
        if (counts.send_message) {
          effects.messageKeys.push(messageKey);
          result.messageQueued = true;
        }
      }
      write = { customerId: task.customer_id, email: address, requestId: randomUUID() };
    };

    switch (input.outcome) {
      case 'promised': {
        refuseDate(dateOutOfRange('promise.dueOn', input.promise.dueOn, today, DATE_HORIZON_YEARS.promise, 'a promise cannot be due in the past'));
        coveredIds = chosen(input.promise.invoiceIds, 'promise.invoiceIds');
        const promiseId = await insertPromise(input.promise.amount, input.promise.dueOn, null);
        result.promiseIds.push(promiseId);
        await queueConfirmation('promise_confirmation', `promise-confirmation:${promiseId}`, coveredIds, input.promise.amount);
        break;
      }
      case 'cannot_pay': {
        const installments = [...input.plan.installments].sort((a, b) => a.dueOn.localeCompare(b.dueOn));
        refuseDate(dateOutOfRange('plan.installments', installments[0]!.dueOn, today, DATE_HORIZON_YEARS.installment, 'the first installment cannot be due in the past'));
        refuseDate(dateOutOfRange('plan.installments', installments.at(-1)!.dueOn, today, DATE_HORIZON_YEARS.installment));
        coveredIds = chosen(input.plan.invoiceIds, 'plan.invoiceIds');
        const planId = await outcomes.insertPlan(realmId, task.customer_id, today);
        effects.planId = planId;
        for (const installment of installments) result.promiseIds.push(await insertPromise(installment.amount, installment.dueOn, planId));
        await queueConfirmation('plan_confirmation', `plan-confirmation:${planId}`, coveredIds, sumCents(installments.map((i) => i.amount)));
        break;
      }
      case 'will_not_pay': {
        coveredIds = openInvoices.map((i) => i.id);
        // Firm: the next level may come at once.
        effects.escalated = await outcomes.notEscalating(realmId, coveredIds);
        if (coveredIds.length) await outcomes.escalateNow(realmId, coveredIds);
        break;
      }
      case 'disputes': {
        coveredIds = chosen(input.dispute.invoiceIds, 'dispute.invoiceIds');
        result.disputeId = await outcomes.insertDispute(realmId, { customerId: task.customer_id, invoiceIds: coveredIds, category: input.dispute.category, text: input.dispute.text, openedOn: today });
        effects.disputeId = result.disputeId;
        break;
      }
      case 'wrong_person':
      case 'email_found': {
        const given = input.contact;
        effects.contactId = await contacts.insert(realmId, { customerId: task.customer_id, name: given.name || given.email || 'Accounts payable', role: given.role ?? null, phone: given.phone ?? null, email: given.email ?? null, approvesPayment: given.approvesPayment });
        if (given.email) await addressFound(given.email);
        // The right person is still to be called; an address found closes the task unless it has other reasons.
        result.taskStatus = reasonsLeft.length === 0 || (input.outcome === 'email_found' && !reasonsLeft.some((r) => r !== 'find_email')) ? 'done' : 'open';
        break;
      }
      case 'no_answer':
      case 'voicemail': {
        // Try again at the customer's next call window, of the account's type as the directory has it (the user's override included).
        const type = account?.type ?? (customer ? customerType({ id: customer.id, name: customer.display_name, companyName: customer.company_name, email: customer.email, parentId: null }) : 'commercial');
        result.taskStatus = 'open';
        result.scheduledFor = nextCallDay(addDays(today, 1), type, settings);
        break;
      }
      case 'call_back': {
        refuseDate(dateOutOfRange('callBackOn', input.callBackOn, today, DATE_HORIZON_YEARS.callBack));
        result.taskStatus = 'open';
        result.scheduledFor = input.callBackOn;
        break;
      }
    }
    effects.promiseIds = result.promiseIds;
    if (stopped) {
      // Nothing to call back or try again: the task goes as the mark retired it, and the collector is told why.
      result.taskStatus = 'retired';
      result.scheduledFor = task.scheduled_for;
      const marked = markedOne(contact, task.customer_id);
      const mark = marked ? await new DoNotContactRepository(trx).find(realmId, marked) : undefined;
      result.doNotContact = stoppedCallNotice(customer?.display_name ?? 'This customer', mark);
    }

    await outcomes.updateTask(
      taskId,
      result.taskStatus === 'done' || result.taskStatus === 'retired'
        ? { status: result.taskStatus, outcome: input.outcome, closed_at: now }
        : { scheduled_for: result.scheduledFor, outcome: input.outcome, ...(input.outcome === 'call_back' ? { reason: 'call_back' as const } : {}) },
    );
    const reached = REACHED.has(input.outcome);
    if (reached) {
      effects.reached = { before: await outcomes.reachedOn(realmId, task.customer_id) };
      await outcomes.markReached(realmId, task.customer_id, today);
    }
    const said = `${SUMMARY[input.outcome]}${stopped ? '; nothing set up: the customer is marked do not contact' : ''}`;
    const summary = corrected ? `correction: ${said} (recorded first as "${last!.summary}")` : said;
    await recordActivities(trx, realmId, today, [
      {
        customerId: task.customer_id,
        invoiceIds: coveredIds,
        kind: 'call',
        summary: input.outcome === 'email_found' || (input.outcome === 'wrong_person' && write) ? `${summary}: ${write?.email ?? ''}`.replace(/: $/, '') : summary,
        details: { ...asRecorded(input), taskId, seq, reached, asked: input.outcome !== 'email_found', effects, ...(corrected ? { corrects: corrected.outcomeId } : {}), ...(stopped ? { doNotContact: true } : {}) },
        key,
      },
    ]);
    const mine = await outcomes.lastOutcome(realmId, task.customer_id, taskId);
    result.outcomeId = mine!.id;
    if (corrected) await outcomes.markCorrected(realmId, corrected.outcomeId, { on: today, by: mine!.id });
    return { result, write };
  }

  /** Takes back what `last` did; true when a message it queued had already gone out. */
  private async undo(outcomes: CallOutcomesRepository, tasks: CallTasksRepository, contacts: ContactsRepository, realmId: string, task: CallTask, last: RecordedOutcome): Promise<boolean> {
    const effects = (last.details as { effects?: Effects }).effects;
    if (!effects) return false;
    await outcomes.removePromises(realmId, effects.promiseIds, effects.planId);
    if (effects.disputeId) await outcomes.removeDispute(realmId, effects.disputeId);
    if (effects.contactId) await contacts.remove(realmId, effects.contactId);
    let alreadySent = false;
    for (const messageKey of effects.messageKeys) {
      if ((await outcomes.cancelQueued(realmId, messageKey, 'the call outcome that queued it was corrected')) === 'gone') alreadySent = true;
    }
    await outcomes.clearEscalateNow(realmId, effects.escalated);
    if (effects.reached) await outcomes.restoreReached(realmId, task.customer_id, effects.reached.before);
    await tasks.restore(task.id, effects.task);
    return alreadySent;
  }

  /** The message held for want of an address (SPEC §4), from the account's invoices and what covers them. */
  private async heldFor(outcomes: CallOutcomesRepository, realmId: string, payerId: string, memberIds: string[], today: LocalDate, settings: PlaybookSettings) {
    const [invoices, cover, lastReachedOn] = await Promise.all([outcomes.accountInvoices(realmId, memberIds), outcomes.accountCover(realmId, memberIds, today), outcomes.reachedOn(realmId, payerId)]);
    return heldMessage({
      today,
      payerId,
      invoices: invoices
        .filter((i) => i.due_date)
        .map((i) => ({ id: i.id, customerId: i.customer_id, txnDate: i.txn_date, dueDate: i.due_date!, balance: i.balance, level: (i.level ?? 0) as Level, level1On: i.level1_on, verificationSentOn: i.verification_sent_on })),
      promises: cover.promises.map((p) => ({ id: p.id, customerId: p.customer_id, invoiceIds: p.invoice_ids, amount: p.amount, dueOn: p.due_on, madeOn: p.made_on, status: p.status, planId: p.plan_id })),
      disputes: cover.disputes.map((d) => ({ id: d.id, customerId: d.customer_id, invoiceIds: d.invoice_ids, status: d.status })),
      pauses: cover.pauses.map((p) => ({ customerId: p.customer_id, invoiceId: p.invoice_id, until: p.until })),
      lastReachedOn,
      settings,
    });
  }

  /**
   * The account's open invoices that QuickBooks shows paid right now (the send path's re-read):
   * a promise made today neither covers nor confirms them. QuickBooks out of reach: the local
   * copy stands, and the send path reads again before the confirmation goes out.
   */
  private async paidInQuickBooks(realmId: string, taskId: string): Promise<Set<string>> {
    const outcomes = new CallOutcomesRepository(this.deps.db);
    const task = await outcomes.findTask(realmId, taskId);
    if (!task) return new Set();
    const members = await new AccountsRepository(this.deps.db).membersOf(realmId, task.customer_id);
    const open = await outcomes.openInvoices(realmId, members.length ? members : [task.customer_id]);
    if (open.length === 0) return new Set();
    try {
      const fresh = await this.deps.balances.read(realmId, open.map((i) => i.id));
      return new Set(open.filter((i) => (fresh.get(i.id)?.balance ?? 0) <= 0).map((i) => i.id));
    } catch (error) {
      this.log.warn({ err: error, realmId, taskId }, 'QuickBooks could not be read before recording a promise; the local copy stands');
      return new Set();
    }
  }

  /** Writes a found address to the QuickBooks customer, when the company allows writes to customers. */
  private async writeCustomerEmail(realmId: string, write: { customerId: string; email: string; requestId: string }): Promise<NonNullable<OutcomeResult['customerEmail']>> {
    const settings = await this.deps.settings.settingsOf(realmId);
    if (!settings.writeCustomersToQuickBooks) return { status: 'not_allowed' };
    try {
      const answer = await this.deps.quickbooks.updateCustomerEmail(realmId, write.customerId, write.email, write.requestId);
      const parsed = parseEntity('Customer', answer);
      if (parsed.ok) await new ContactsRepository(this.deps.db).customerWritten(realmId, parsed.row);
      return { status: 'written' };
    } catch (error) {
      this.log.warn({ err: error, realmId, customerId: write.customerId }, 'the email found could not be written to the QuickBooks customer');
      return { status: 'failed', reason: (error as Error).message.slice(0, 300) };
    }
  }
}
