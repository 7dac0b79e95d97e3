import { addDays, daysBetween, localMoment, weekday, zonedInstant, type LocalDate } from './calendar';
import { customerType, payerResolver } from './accounts';
import { sumCents, type Cents } from './money';
import type { Action, CustomerType, Invoice, InvoiceState, Level, MessageKind, PlaybookInput, PromiseToPay, TaskReason } from './model';
import type { PlaybookSettings } from './settings';

/**
 * The collection playbook of SPEC §4 as one pure function: from the company's invoices,
 * customers, history and settings at an instant, the actions to take. No I/O, no clock: `now`
 * comes in with the input. Run twice on the same day with the state the first run recorded, it
 * proposes nothing new.
 */

export { customerType };

const LEVEL_MESSAGE: Record<Exclude<Level, 0>, MessageKind> = { 1: 'reminder', 2: 'second_notice', 3: 'demand_letter', 4: 'final_notice' };

/** The level an invoice this many days overdue belongs at, ignoring pacing. */
export function levelFor(daysOverdue: number, levelDays: PlaybookSettings['levelDays']): Level {
  let level: Level = 0;
  levelDays.forEach((threshold, index) => {
    if (daysOverdue >= threshold) level = (index + 1) as Level;
  });
  return level;
}

/** The next instant inside the send window (now, if now is inside it). */
export function nextSendTime(now: Date, settings: PlaybookSettings): Date {
  const { days, startHour, endHour } = settings.sendWindow;
  const local = localMoment(now, settings.timezone);
  if (days.includes(weekday(local.date)) && local.minutes >= startHour * 60 && local.minutes < endHour * 60) return now;
  let date = local.date;
  if (!(days.includes(weekday(date)) && local.minutes < startHour * 60)) date = addDays(date, 1);
  while (!days.includes(weekday(date))) date = addDays(date, 1);
  return zonedInstant(date, startHour * 60, settings.timezone);
}

/** The first day on or after `from` in the customer's call window. */
export function nextCallDay(from: LocalDate, type: CustomerType, settings: PlaybookSettings): LocalDate {
  const { days } = settings.callWindows[type];
  let date = from;
  while (!days.includes(weekday(date))) date = addDays(date, 1);
  return date;
}

interface PromiseReview {
  outcome: 'kept' | 'partly_kept' | 'broken' | 'open';
  paid: Cents;
}

/** Payments applied to the promised invoices after the promise, up to `until`. */
function paidTowards(promise: PromiseToPay, input: PlaybookInput, until: LocalDate): Cents {
  const covered = new Set(promise.invoiceIds);
  let paid = 0;
  for (const payment of input.payments) {
    if (payment.txnDate < promise.madeOn || payment.txnDate > until) continue;
    for (const line of payment.appliedTo) if (covered.has(line.invoiceId)) paid += line.amount;
  }
  return paid;
}

/**
 * Kept when the payments reach the amount. Payments take a day or two to arrive, so a promise
 * is judged partly kept or broken only once its date plus the grace days has passed.
 */
export function reviewPromise(promise: PromiseToPay, input: PlaybookInput, today: LocalDate, graceDays: number, priorInstallments: Cents = 0): PromiseReview {
  const paid = paidTowards(promise, input, today) - priorInstallments;
  if (paid >= promise.amount) return { outcome: 'kept', paid };
  if (today > addDays(promise.dueOn, graceDays)) return { outcome: paid > 0 ? 'partly_kept' : 'broken', paid: Math.max(0, paid) };
  return { outcome: 'open', paid: Math.max(0, paid) };
}

export function runPlaybook(input: PlaybookInput, settings: PlaybookSettings): Action[] {
  const today = localMoment(input.now, settings.timezone).date;
  const actions: Action[] = [];
  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const states = new Map(input.states.map((s) => [s.invoiceId, s]));
  const histories = new Map(input.histories.map((h) => [h.customerId, h]));
  const sendAt = nextSendTime(input.now, settings);

  const payerOf = payerResolver(input.customers);
  const contactFor = (invoice: Invoice): string | null => invoice.billEmail ?? customers.get(invoice.customerId)?.email ?? customers.get(payerOf(invoice.customerId))?.email ?? null;

  // ---- promises and plans: kept, partly kept, broken ---------------------------------------
  const escalate = new Set<string>();
  const brokenPayers = new Set<string>();
  const openPromises = input.promises.filter((p) => p.status === 'open');
  const plans = new Map<string, PromiseToPay[]>();
  for (const promise of openPromises) if (promise.planId) plans.set(promise.planId, [...(plans.get(promise.planId) ?? []), promise]);
  const settled = new Set<string>();
  const settle = (promise: PromiseToPay, review: PromiseReview) => {
    if (review.outcome === 'open') return;
    settled.add(promise.id);
    actions.push({ type: 'promise_outcome', promiseId: promise.id, customerId: promise.customerId, outcome: review.outcome, paid: review.paid });
    if (review.outcome !== 'kept') {
      promise.invoiceIds.forEach((id) => escalate.add(id));
      brokenPayers.add(payerOf(promise.customerId));
    }
  };
  for (const promise of openPromises.filter((p) => !p.planId)) settle(promise, reviewPromise(promise, input, today, settings.promiseGraceDays));
  for (const installments of plans.values()) {
    // Installments are judged in order against the money paid so far; one missed breaks the plan.
    let credited: Cents = 0;
    let broken = false;
    for (const installment of [...installments].sort((a, b) => a.dueOn.localeCompare(b.dueOn))) {
      const review = broken ? ({ outcome: 'broken', paid: 0 } as PromiseReview) : reviewPromise(installment, input, today, settings.promiseGraceDays, credited);
      if (review.outcome === 'kept') credited += installment.amount;
      else if (review.outcome !== 'open') broken = true;
      settle(installment, review);
      if (review.outcome === 'open') break;
    }
  }

  const promised = new Set(openPromises.filter((p) => !settled.has(p.id) && today <= addDays(p.dueOn, settings.promiseGraceDays)).flatMap((p) => p.invoiceIds));
  const disputedIds = new Set(input.disputes.filter((d) => d.status === 'open').flatMap((d) => d.invoiceIds));
  const activePauses = input.pauses.filter((p) => p.until === null || today <= p.until);
  const pausedInvoices = new Set(activePauses.flatMap((p) => (p.invoiceId ? [p.invoiceId] : [])));
  const pausedCustomers = new Set(activePauses.flatMap((p) => (p.customerId ? [p.customerId] : [])));
  const stillPromised = (invoiceId: string) => promised.has(invoiceId);
  const disputed = (invoiceId: string) => disputedIds.has(invoiceId);
  const pausedByHand = (invoice: Invoice) => pausedInvoices.has(invoice.id) || pausedCustomers.has(invoice.customerId) || pausedCustomers.has(payerOf(invoice.customerId));
  const paused = (invoice: Invoice) => stillPromised(invoice.id) || disputed(invoice.id) || pausedByHand(invoice);

  // ---- paid invoices: cancel what was pending, thank whoever we had asked ------------------
  for (const invoice of input.invoices.filter((i) => i.balance <= 0)) {
    const state = states.get(invoice.id);
    const payer = payerOf(invoice.customerId);
    const contacted = histories.get(payer)?.contactedInvoiceIds.includes(invoice.id) ?? false;
    if (!state && !contacted) continue;
    actions.push({ type: 'cancel_pending', invoiceId: invoice.id, customerId: payer });
    const to = contactFor(invoice);
    if (contacted && to) actions.push({ type: 'send_message', kind: 'thank_you', customerId: payer, to, invoiceIds: [invoice.id], total: invoice.total, sendAt, key: `thank-you:${invoice.id}` });
  }

  const open = input.invoices.filter((i) => i.balance > 0);
  const openByPayer = new Map<string, Invoice[]>();
  for (const invoice of open) {
    const payer = payerOf(invoice.customerId);
    const list = openByPayer.get(payer);
    if (list) list.push(invoice);
    else openByPayer.set(payer, [invoice]);
  }

  // ---- the account's one task: retired when nothing is collectible, back when something is ---
  const tasks = new Map(input.openTasks.map((t) => [t.customerId, t]));
  const overdueUncovered = (payer: string) => (openByPayer.get(payer) ?? []).some((i) => daysBetween(i.dueDate, today) > 0 && !paused(i));
  const openUncovered = (payer: string) => (openByPayer.get(payer) ?? []).some((i) => !paused(i));
  for (const task of input.openTasks) {
    // An address is still worth finding while anything open can be written to.
    const stillWanted = overdueUncovered(task.customerId) || (task.reasons.includes('find_email') && openUncovered(task.customerId));
    if (stillWanted) continue;
    actions.push({ type: 'retire_task', taskId: task.id, customerId: task.customerId });
    tasks.delete(task.customerId);
  }
  for (const task of input.retiredTasks ?? []) {
    if (tasks.has(task.customerId) || !overdueUncovered(task.customerId)) continue;
    actions.push({ type: 'restore_task', taskId: task.id, customerId: task.customerId, scheduledFor: today });
    tasks.set(task.customerId, task);
  }
  /** Puts `reason` on the account's task, opening one when it has none. */
  const wantTask = (payer: string, reason: TaskReason, level: Level, scheduledFor: LocalDate, key: string) => {
    const existing = tasks.get(payer);
    if (existing) {
      if (!existing.reasons.includes(reason)) {
        actions.push({ type: 'add_reason', taskId: existing.id, customerId: payer, reason, scheduledFor });
        existing.reasons = [...existing.reasons, reason];
      }
      if (level > existing.level) {
        actions.push({ type: 'raise_task', taskId: existing.id, customerId: payer, level });
        existing.level = level;
      }
      return;
    }
    actions.push({ type: 'open_task', customerId: payer, level, reason, scheduledFor, key });
    tasks.set(payer, { id: `new:${payer}`, customerId: payer, level, reason, reasons: [reason], scheduledFor, createdOn: today });
  };

  // ---- first sight and verification letters -----------------------------------------------
  const findEmail = new Set<string>();
  for (const invoice of open) {
    if (states.has(invoice.id)) continue;
    actions.push({ type: 'first_seen', invoiceId: invoice.id });
    const age = daysBetween(invoice.txnDate, today);
    const fresh = age >= 0 && age <= settings.verificationMaxAgeDays && daysBetween(invoice.dueDate, today) <= 0;
    const afterConnect = daysBetween(invoice.txnDate, input.connectedOn) <= settings.verificationMaxAgeDays;
    if (!fresh || !afterConnect || paused(invoice)) continue;
    const to = contactFor(invoice);
    const payer = payerOf(invoice.customerId);
    if (to) actions.push({ type: 'send_message', kind: 'verification', customerId: payer, to, invoiceIds: [invoice.id], total: invoice.balance, sendAt, key: `verification:${invoice.id}` });
    else findEmail.add(payer);
  }

  // ---- levels -----------------------------------------------------------------------------
  const changes = new Map<string, Array<{ invoice: Invoice; to: Level; from: Level }>>();
  for (const invoice of open) {
    const state: InvoiceState = states.get(invoice.id) ?? { invoiceId: invoice.id, level: 0, levelEnteredOn: null, level1On: null, firstSeenOn: today, verificationSentOn: null };
    const overdue = daysBetween(invoice.dueDate, today);
    const target = levelFor(overdue, settings.levelDays);
    if (target <= state.level || state.level >= 4 || paused(invoice)) continue;
    if (state.levelEnteredOn === today) continue; // at most one level a day
    const hurry = state.escalateNow || escalate.has(invoice.id);
    if (state.level > 0 && !hurry && state.levelEnteredOn && daysBetween(state.levelEnteredOn, today) < settings.minDaysBetweenLevels) continue;
    const payer = payerOf(invoice.customerId);
    const lastDunning = histories.get(payer)?.lastDunningOn;
    if (lastDunning && daysBetween(lastDunning, today) < settings.dunningGapDays) continue; // the gap: the change waits
    const to = (state.level + 1) as Level;
    changes.set(payer, [...(changes.get(payer) ?? []), { invoice, to, from: state.level }]);
  }

  // ---- one message per customer, and its call task -----------------------------------------
  for (const [payer, changed] of changes) {
    const customer = customers.get(payer);
    for (const change of changed) actions.push({ type: 'level_change', invoiceId: change.invoice.id, customerId: payer, from: change.from, to: change.to });
    const top = Math.max(...changed.map((c) => c.to)) as Exclude<Level, 0>;
    const finals = changed.filter((c) => c.to === 4).map((c) => c.invoice.id);
    if (finals.length) actions.push({ type: 'escalation_candidate', customerId: payer, invoiceIds: finals });

    // Second notices and demand letters wait on the phone: a call that reached someone since level 1 replaces them.
    const reachedOn = histories.get(payer)?.lastReachedOn ?? null;
    const level1On = (invoice: Invoice) => states.get(invoice.id)?.level1On ?? null;
    const worthSending = changed.filter((c) => {
      if (c.to === 1 || c.to === 4) return true;
      const since = level1On(c.invoice);
      return !(reachedOn && since && reachedOn >= since);
    });
    if (worthSending.length) {
      const kind = LEVEL_MESSAGE[Math.max(...worthSending.map((c) => c.to)) as Exclude<Level, 0>];
      const listed = (openByPayer.get(payer) ?? []).filter((i) => daysBetween(i.dueDate, today) > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
      const lead = [...worthSending].sort((a, b) => b.to - a.to)[0]!.invoice;
      const to = contactFor(lead) ?? listed.map(contactFor).find(Boolean) ?? null;
      if (to) {
        actions.push({
          type: 'send_message',
          kind,
          customerId: payer,
          to,
          invoiceIds: listed.map((i) => i.id),
          total: sumCents(listed.map((i) => i.balance)),
          sendAt,
          key: `dunning:${payer}:${today}`,
        });
      } else {
        findEmail.add(payer);
      }
    }

    const type = customer ? customerType(customer) : 'commercial';
    wantTask(payer, 'level', top, nextCallDay(today, type, settings), `task:${payer}:level:${today}`);
  }

  // ---- follow-ups that cannot wait for the call window --------------------------------------
  for (const payer of brokenPayers) {
    const level = Math.max(0, ...(openByPayer.get(payer) ?? []).map((i) => states.get(i.id)?.level ?? 0)) as Level;
    wantTask(payer, 'broken_promise', level, today, `task:${payer}:broken:${today}`);
  }
  for (const payer of findEmail) wantTask(payer, 'find_email', 0, today, `task:${payer}:find-email:${today}`);
  return actions;
}

