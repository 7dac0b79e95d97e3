import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { localDateSchema } from '../collections/local-date-schema';
import { amountSchema, collectorText, dateOutOfRange, DATE_HORIZON_YEARS, quickBooksIdSchema } from '../collections/collector-input';
import type { AppContext } from '../app-context';
import { addDays, localMoment, type LocalDate } from '../collections/calendar';
import { customerType, nextCallDay, nextSendTime } from '../collections/playbook';
import { centsToNumber, sumCents, type Cents } from '../collections/money';
import { AccountsRepository } from '../db/accounts-repository';
import { CallOutcomesRepository } from '../db/call-outcomes-repository';
import { AccountDirectoryService } from '../services/account-directory';
import { recordActivities } from '../db/cadence-recorder';
import { BadRequestError, NotFoundError } from '../errors';
import { settingsFor } from './cadence';
import { queueNotesSoon } from './handlers/notes';

const isoDate = localDateSchema;
const money = amountSchema;
const invoiceIds = z.array(quickBooksIdSchema).min(1).max(500).optional();
const notes = collectorText({ max: 2000 }).optional();

/** One form, eight outcomes (SPEC §4): each with what it needs and nothing else. */
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
  z
    .object({
      outcome: z.literal('wrong_person'),
      contact: z
        .object({
          name: collectorText({ min: 1, max: 200 }),
          role: collectorText({ max: 200 }).optional(),
          phone: collectorText({ max: 50 }).optional(),
          email: collectorText({ max: 254 }).pipe(z.email()).optional(),
          approvesPayment: z.boolean().default(true),
        })
        .strict(),
      notes,
    })
    .strict(),
  z.object({ outcome: z.literal('no_answer'), notes }).strict(),
  z.object({ outcome: z.literal('voicemail'), notes }).strict(),
  z.object({ outcome: z.literal('call_back'), callBackOn: isoDate, notes }).strict(),
]);

/** A call's outcome as recorded: its amounts in cents. */
export type CallOutcome = z.infer<typeof callOutcomeSchema>;

/** The outcome as the call's activity keeps it: amounts in currency units, as the collector gave them. */
function asRecorded(input: CallOutcome): Record<string, unknown> {
  if (input.outcome === 'promised') return { ...input, promise: { ...input.promise, amount: centsToNumber(input.promise.amount) } };
  if (input.outcome === 'cannot_pay') return { ...input, plan: { ...input.plan, installments: input.plan.installments.map((i) => ({ ...i, amount: centsToNumber(i.amount) })) } };
  return input;
}

function refuseDate(problem: string | undefined): void {
  if (problem) throw new BadRequestError(problem);
}

const REACHED = new Set(['promised', 'cannot_pay', 'will_not_pay', 'disputes']);
const SUMMARY: Record<CallOutcome['outcome'], string> = {
  promised: 'called: reached, promised to pay',
  cannot_pay: 'called: reached, cannot pay now; payment plan agreed',
  will_not_pay: 'called: reached, will not pay',
  disputes: 'called: reached, disputes the invoice',
  wrong_person: 'called: wrong person; the right contact recorded',
  no_answer: 'called: no answer',
  voicemail: 'called: left a voicemail',
  call_back: 'called: asked to call back',
};

export interface OutcomeResult {
  taskId: string;
  taskStatus: 'open' | 'done';
  scheduledFor: LocalDate;
  promiseIds: string[];
  disputeId?: string;
  messageQueued: boolean;
}

/**
 * Records the outcome of a call and carries out its consequence: a promise (confirmed in
 * writing the same day), a payment plan, a dispute, the right contact, a call back. Every call
 * is an activity in the collection history; reaching someone is remembered, so letters the call
 * replaces are not sent.
 */
export async function recordCallOutcome(context: AppContext, realmId: string, taskId: string, body: unknown): Promise<OutcomeResult> {
  const input = callOutcomeSchema.parse(body);
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  const settings = await settingsFor(context, realmId, company.timezone);
  const now = context.clock.businessNow();
  const today = localMoment(now, settings.timezone).date;
  // Who pays and the account's type come from the account directory (brought up to date here,
  // outside the transaction: the embedded database has one connection).
  await new AccountDirectoryService(context.repos.accounts).ensure(realmId);

  return context.db.transaction().execute(async (trx) => {
    const outcomes = new CallOutcomesRepository(trx);
    const task = await outcomes.lockTask(realmId, taskId);
    if (!task) throw new NotFoundError('No such call task');
    if (task.status !== 'open') throw new BadRequestError('This call task is already closed', { taskStatus: task.status });
    const customer = await outcomes.customer(realmId, task.customer_id);
    const accounts = new AccountsRepository(trx);
    const account = await accounts.accountOf(realmId, task.customer_id);
    const members = await accounts.membersOf(realmId, task.customer_id);
    const openInvoices = await outcomes.openInvoices(realmId, members.length ? members : [task.customer_id]);
    const chosen = (ids: string[] | undefined, field: string) => {
      const known = new Set(openInvoices.map((i) => i.id));
      const unknown = (ids ?? []).filter((id) => !known.has(id));
      if (unknown.length) throw new BadRequestError(`${field}: invoice(s) ${unknown.join(', ')} are not open invoices of this customer`);
      const picked = ids ?? openInvoices.filter((i) => i.due_date && i.due_date < today).map((i) => i.id);
      if (picked.length === 0) throw new BadRequestError(`${field}: this customer has no overdue invoice; name the invoices`);
      return picked;
    };
    const contactEmail = openInvoices.find((i) => i.bill_email)?.bill_email ?? customer?.email ?? null;
    const result: OutcomeResult = { taskId, taskStatus: 'done', scheduledFor: task.scheduled_for, promiseIds: [], messageQueued: false };
    let coveredIds: string[] = [];

    const queueConfirmation = async (kind: 'promise_confirmation' | 'plan_confirmation', key: string, ids: string[], total: Cents) => {
      if (!contactEmail) return;
      result.messageQueued = await outcomes.queueConfirmation(realmId, { customerId: task.customer_id, kind, toAddress: contactEmail, invoiceIds: ids, total, sendAt: nextSendTime(now, settings), key });
    };

    const insertPromise = (amount: Cents, dueOn: LocalDate, planId: string | null): Promise<string> =>
      outcomes.insertPromise(realmId, { customerId: task.customer_id, invoiceIds: coveredIds, amount, dueOn, madeOn: today, planId });

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
        for (const installment of installments) {
          result.promiseIds.push(await insertPromise(installment.amount, installment.dueOn, planId));
        }
        await queueConfirmation('plan_confirmation', `plan-confirmation:${planId}`, coveredIds, sumCents(installments.map((i) => i.amount)));
        break;
      }
      case 'will_not_pay': {
        coveredIds = openInvoices.map((i) => i.id);
        // Firm: the next level may come at once.
        if (coveredIds.length) await outcomes.escalateNow(realmId, coveredIds);
        break;
      }
      case 'disputes': {
        coveredIds = chosen(input.dispute.invoiceIds, 'dispute.invoiceIds');
        result.disputeId = await outcomes.insertDispute(realmId, { customerId: task.customer_id, invoiceIds: coveredIds, category: input.dispute.category, text: input.dispute.text, openedOn: today });
        break;
      }
      case 'wrong_person': {
        const { name, role, phone, email, approvesPayment } = input.contact;
        await outcomes.insertContact(realmId, { customerId: task.customer_id, name, role: role ?? null, phone: phone ?? null, email: email ?? null, approvesPayment });
        result.taskStatus = 'open';
        break;
      }
      case 'no_answer':
      case 'voicemail': {
        // Try again at the customer's next call window.
        // The account's type as the directory has it: the user's override included.
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

    await outcomes.updateTask(
      taskId,
      result.taskStatus === 'done' ? { status: 'done', outcome: input.outcome, closed_at: now } : { scheduled_for: result.scheduledFor, outcome: input.outcome, ...(input.outcome === 'call_back' ? { reason: 'call_back' as const } : {}) },
    );
    if (REACHED.has(input.outcome)) await outcomes.markReached(realmId, task.customer_id, today);
    await recordActivities(trx, realmId, today, [
      {
        customerId: task.customer_id,
        invoiceIds: coveredIds,
        kind: 'call',
        summary: SUMMARY[input.outcome],
        details: { ...asRecorded(input), taskId, reached: REACHED.has(input.outcome), asked: true },
        key: `call:${taskId}:${randomUUID()}`,
      },
    ]);
    return result;
  });
}

/** What follows a recorded call: its note goes to QuickBooks now, a confirmation goes out now. */
export async function afterCall(context: AppContext, realmId: string, result: OutcomeResult, log: AppContext['logger']): Promise<void> {
  await queueNotesSoon(context, realmId, log);
  // The mail pass every minute sends it anyway; a queue hiccup only delays it.
  if (result.messageQueued) await context.queues.enqueue('mail.dispatch', {}).catch((error) => log.warn({ err: error }, 'could not queue the confirmation now'));
}
