import { addDays, daysBetween, isBusinessDay, localMoment, weekday, zonedInstant, type LocalDate } from './calendar';
import { customerType, payerResolver } from './accounts';
import { contactStopped, coverage, coversInWords, type Cover } from './coverage';
import { sumCents, type Cents } from './money';
import { ASKS_FOR_MONEY, DUNNING_KINDS, levelMessage, MESSAGE_LEVEL } from './message-kinds';
import { UNANSWERED_OUTCOMES, type Action, type CallAttempt, type CustomerType, type Invoice, type InvoiceState, type Level, type PlaybookInput, type PromiseToPay, type TaskReason } from './model';
import type { PlaybookSettings } from './settings';
import { addTo } from './grouping';

/**
 * The collection playbook of SPEC §4 as one pure function: from the company's invoices,
 * customers, history and settings at an instant, the actions to take. No I/O, no clock: `now`
 * comes in with the input. Run twice on the same day with the state the first run recorded, it
 * proposes nothing new.
 */

export { customerType };

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

/** Business days (Monday to Friday) after `from`, up to and including `to`. */
export function businessDaysAfter(from: LocalDate, to: LocalDate): number {
  let count = 0;
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) if (isBusinessDay(day)) count += 1;
  return count;
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

/** Level 3's letters wait this many business days for the due call before going out anyway. */
const IDLE_DESK_BUSINESS_DAYS = 3;

export function runPlaybook(input: PlaybookInput, settings: PlaybookSettings): Action[] {
  const today = localMoment(input.now, settings.timezone).date;
  const actions: Action[] = [];
  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const states = new Map(input.states.map((s) => [s.invoiceId, s]));
  const histories = new Map(input.histories.map((h) => [h.customerId, h]));
  const sendAt = nextSendTime(input.now, settings);
  /** The day a message decided now reaches the customer: the next send window's. */
  const sendDay = localMoment(sendAt, settings.timezone).date;

  const payerOf = payerResolver(input.customers);
  const contactFor = (invoice: Invoice): string | null => invoice.billEmail ?? customers.get(invoice.customerId)?.email ?? customers.get(payerOf(invoice.customerId))?.email ?? null;

  // ---- what the record says was done: calls made and messages queued or sent ----------------
  const attemptsOf = new Map<string, CallAttempt[]>();
  for (const attempt of input.callAttempts ?? []) {
    const payer = payerOf(attempt.customerId);
    addTo(attemptsOf, payer, attempt);
  }
  const reachedSince = (payer: string, since: LocalDate) => {
    const last = histories.get(payer)?.lastReachedOn;
    return Boolean(last && last >= since) || (attemptsOf.get(payer) ?? []).some((a) => a.reached && a.on >= since && a.on <= today);
  };
  const messages = input.messages ?? [];
  /** The highest level whose contact each invoice has had: it was listed in a dunning message of that level. */
  const contactLevel = new Map<string, number>();
  /** Invoices a dunning message actually went out for: the customer was asked to pay them. */
  const askedByMessage = new Set<string>();
  for (const message of messages) {
    if (!DUNNING_KINDS.has(message.kind)) continue;
    for (const id of message.invoiceIds) {
      contactLevel.set(id, Math.max(contactLevel.get(id) ?? 0, MESSAGE_LEVEL[message.kind] ?? 0));
      if (message.status !== 'queued' && message.status !== 'failed') askedByMessage.add(id);
    }
  }

  // ---- promises and plans: kept, partly kept, broken ---------------------------------------
  const escalate = new Set<string>();
  const brokenPayers = new Set<string>();
  const dueTodayPayers = new Set<string>();
  const openPromises = input.promises.filter((p) => p.status === 'open');
  const plans = new Map<string, PromiseToPay[]>();
  for (const promise of openPromises) if (promise.planId) addTo(plans, promise.planId, promise);
  const settled = new Set<string>();
  const invoiceById = new Map(input.invoices.map((i) => [i.id, i]));
  /** The invoice of `id` while something is owed on it. */
  const openInvoice = (id: string): Invoice | undefined => {
    const invoice = invoiceById.get(id);
    return invoice && invoice.balance > 0 ? invoice : undefined;
  };
  const settle = (promise: PromiseToPay, review: PromiseReview) => {
    if (review.outcome === 'open') {
      // On its date an unpaid promise is a call to make ("the money you promised for today?"),
      // while something it covers is still owed: an account that paid all it owed, short of a
      // round figure it promised, has nothing to call about.
      if (promise.dueOn === today && promise.invoiceIds.some((id) => openInvoice(id) !== undefined)) dueTodayPayers.add(payerOf(promise.customerId));
      return;
    }
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

  /** What covers an invoice (a promise or plan, a dispute, a pause), or null: covered invoices are in no message and no task. */
  const coverOf = coverage({ promises: openPromises.filter((p) => !settled.has(p.id)), disputes: input.disputes, pauses: input.pauses, doNotContact: input.doNotContact }, today, settings.promiseGraceDays, payerOf);
  /** Marked do not contact: no message of any kind, no task (its invoices are covered too). */
  const stopped = contactStopped(input.doNotContact, payerOf);
  const paused = (invoice: Invoice) => coverOf(invoice) !== null;

  // ---- paid invoices: cancel what was pending, thank whoever we had asked ------------------
  const paidByPayment = new Set(input.payments.flatMap((p) => p.appliedTo.filter((line) => line.amount > 0).map((line) => line.invoiceId)));
  /** A call reached the account while the invoice was being collected (from its first level on). */
  const calledAbout = (invoice: Invoice, state: InvoiceState | undefined) => {
    const since = state?.level1On ?? state?.level2On ?? (state && state.level > 0 ? state.levelEnteredOn : null);
    return Boolean(since && (attemptsOf.get(payerOf(invoice.customerId)) ?? []).some((a) => a.reached && a.on >= since));
  };
  for (const invoice of input.invoices.filter((i) => i.balance <= 0)) {
    const state = states.get(invoice.id);
    const payer = payerOf(invoice.customerId);
    const asked = askedByMessage.has(invoice.id) || calledAbout(invoice, state);
    if (!state && !asked) continue;
    actions.push({ type: 'cancel_pending', invoiceId: invoice.id, customerId: payer });
    // Only a payment earns a thank-you, and only from a customer who was asked to pay (a dunning message or a call).
    const to = contactFor(invoice);
    if (asked && paidByPayment.has(invoice.id) && to && !stopped(payer)) actions.push({ type: 'send_message', kind: 'thank_you', customerId: payer, to, invoiceIds: [invoice.id], total: invoice.total, sendAt, key: `thank-you:${invoice.id}` });
  }

  const open = input.invoices.filter((i) => i.balance > 0);
  const openByPayer = new Map<string, Invoice[]>();
  for (const invoice of open) {
    const payer = payerOf(invoice.customerId);
    const list = openByPayer.get(payer);
    if (list) list.push(invoice);
    else openByPayer.set(payer, [invoice]);
  }

  // ---- queued messages that ask for what is now covered are not sent ------------------------
  const cancelledNow = new Set<string>();
  for (const message of messages) {
    if (message.status !== 'queued') continue;
    if (stopped(message.customerId)) {
      actions.push({ type: 'cancel_message', messageId: message.id, customerId: message.customerId, reason: 'the customer is marked do not contact' });
      cancelledNow.add(message.id);
      continue;
    }
    if (!ASKS_FOR_MONEY.has(message.kind)) continue;
    const covers = message.invoiceIds.map(openInvoice).map((i) => (i ? coverOf(i) : null)).filter((c): c is Cover => c !== null);
    if (!covers.length) continue;
    actions.push({ type: 'cancel_message', messageId: message.id, customerId: message.customerId, reason: `the invoices it lists are now ${coversInWords(covers)}` });
    cancelledNow.add(message.id);
  }

  // ---- the gap: counted between the days dunning messages reach the customer ----------------
  /**
   * The day each account's last dunning message reached it, or will: the history's day, a sent
   * message's, a message handed to the mail server (its fate perhaps uncertain) on that day's,
   * and a still-queued one's scheduled day, no sooner than this run's window (it cannot go out
   * before a message decided now). A queued message that will not go out (cancelled now, or
   * nothing it lists is still open: the send drops paid invoices) holds nothing back; a failed
   * one never reached anyone.
   */
  const lastDunningOf = new Map<string, LocalDate>();
  const dunnedOn = (payer: string, day: LocalDate | null | undefined) => {
    if (day && day > (lastDunningOf.get(payer) ?? '')) lastDunningOf.set(payer, day);
  };
  for (const history of input.histories) dunnedOn(payerOf(history.customerId), history.lastDunningOn);
  for (const message of messages) {
    if (!DUNNING_KINDS.has(message.kind) || message.sendOn === null || message.status === 'failed') continue;
    if (message.status === 'queued') {
      if (cancelledNow.has(message.id) || !message.invoiceIds.some((id) => openInvoice(id) !== undefined)) continue;
      dunnedOn(payerOf(message.customerId), message.sendOn > sendDay ? message.sendOn : sendDay);
    } else dunnedOn(payerOf(message.customerId), message.sendOn);
  }
  /** A dunning message decided now would reach the account sooner than the gap allows. */
  const withinGap = (payer: string) => {
    const last = lastDunningOf.get(payer);
    return last !== undefined && daysBetween(last, sendDay) < settings.dunningGapDays;
  };

  // ---- the account's one task: retired when nothing is collectible, back when something is ---
  const tasks = new Map(input.openTasks.map((t) => [t.customerId, t]));
  const openDisputePayers = new Set(input.disputes.filter((d) => d.status === 'open').map((d) => payerOf(d.customerId)));
  const overdueUncovered = (payer: string) => (openByPayer.get(payer) ?? []).some((i) => daysBetween(i.dueDate, today) > 0 && !paused(i));
  const openUncovered = (payer: string) => (openByPayer.get(payer) ?? []).some((i) => !paused(i));
  /** Something to call about: an overdue invoice nothing covers, or a promise due today and unpaid (never an account not to be contacted). */
  const collectible = (payer: string) => !stopped(payer) && (overdueUncovered(payer) || dueTodayPayers.has(payer));
  for (const task of input.openTasks) {
    // An address is still worth finding while anything open can be written to.
    // A problem the customer reported is worth a call while its dispute is open, overdue or not.
    const stillWanted = collectible(task.customerId) || (task.reasons.includes('find_email') && openUncovered(task.customerId)) || (task.reasons.includes('problem_reported') && openDisputePayers.has(task.customerId));
    if (stillWanted) continue;
    actions.push({ type: 'retire_task', taskId: task.id, customerId: task.customerId });
    tasks.delete(task.customerId);
  }
  for (const task of input.retiredTasks ?? []) {
    if (tasks.has(task.customerId) || !collectible(task.customerId)) continue;
    actions.push({ type: 'restore_task', taskId: task.id, customerId: task.customerId, scheduledFor: today });
    tasks.set(task.customerId, task);
  }
  /** Puts `reason` on the account's task, opening one when it has none; never for an account with nothing to do. */
  const wantTask = (payer: string, reason: TaskReason, level: Level, scheduledFor: LocalDate, key: string) => {
    if (!(collectible(payer) || (reason === 'find_email' && openUncovered(payer)))) return;
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

  // ---- first sight and verification letters: one letter per account and day ----------------
  const findEmail = new Set<string>();
  const toVerify = new Map<string, Invoice[]>();
  for (const invoice of open) {
    if (states.has(invoice.id)) continue;
    actions.push({ type: 'first_seen', invoiceId: invoice.id });
    const age = daysBetween(invoice.txnDate, today);
    const fresh = age >= 0 && age <= settings.verificationMaxAgeDays && daysBetween(invoice.dueDate, today) <= 0;
    const afterConnect = daysBetween(invoice.txnDate, input.connectedOn) <= settings.verificationMaxAgeDays;
    if (!fresh || !afterConnect || paused(invoice)) continue;
    const payer = payerOf(invoice.customerId);
    addTo(toVerify, payer, invoice);
  }
  for (const [payer, invoices] of toVerify) {
    invoices.sort((a, b) => a.txnDate.localeCompare(b.txnDate) || a.id.localeCompare(b.id));
    const to = invoices.map(contactFor).find(Boolean) ?? null;
    if (to) actions.push({ type: 'send_message', kind: 'verification', customerId: payer, to, invoiceIds: invoices.map((i) => i.id), total: sumCents(invoices.map((i) => i.balance)), sendAt, key: `verification:${payer}:${today}` });
    else findEmail.add(payer);
  }

  // ---- levels -----------------------------------------------------------------------------
  const changes = new Map<string, Array<{ invoice: Invoice; to: Level; from: Level; hurry: boolean }>>();
  const changeOf = new Map<string, { to: Level; hurry: boolean }>();
  for (const invoice of open) {
    const state: InvoiceState = states.get(invoice.id) ?? { invoiceId: invoice.id, level: 0, levelEnteredOn: null, level1On: null, firstSeenOn: today, verificationSentOn: null };
    const byAge = levelFor(daysBetween(invoice.dueDate, today), settings.levelDays);
    if (state.level >= 4 || paused(invoice)) continue;
    if (state.levelEnteredOn === today) continue; // at most one level a day
    // A broken promise or "will not pay": one level up at once, whatever the pacing and the age.
    const hurry = state.level >= 1 && Boolean(state.escalateNow || escalate.has(invoice.id));
    let to: Level;
    if (state.level === 0) {
      // First sight (or first level): an invoice already past level 1 enters at its age's level, at most 2, in one step.
      if (byAge === 0) continue;
      to = Math.min(byAge, 2) as Level;
    } else if (hurry) {
      to = (state.level + 1) as Level;
    } else {
      if (byAge <= state.level) continue;
      if (state.levelEnteredOn && daysBetween(state.levelEnteredOn, today) < settings.minDaysBetweenLevels) continue;
      to = (state.level + 1) as Level;
    }
    const payer = payerOf(invoice.customerId);
    if (withinGap(payer)) continue; // the gap: the change waits
    addTo(changes, payer, { invoice, to, from: state.level, hurry });
    changeOf.set(invoice.id, { to, hurry });
  }
  for (const [payer, changed] of changes) {
    for (const change of changed) actions.push({ type: 'level_change', invoiceId: change.invoice.id, customerId: payer, from: change.from, to: change.to });
    const finals = changed.filter((c) => c.to === 4).map((c) => c.invoice.id);
    if (finals.length) actions.push({ type: 'escalation_candidate', customerId: payer, invoiceIds: finals });
    // Due from today ("start early"): the call window only orders the day's list.
    wantTask(payer, 'level', Math.max(...changed.map((c) => c.to)) as Level, today, `task:${payer}:level:${today}`);
  }

  // ---- the contact each level owes: one message per account, never the same one twice -------
  /**
   * Whether the invoice, now at `level`, is owed that level's message. Level 1 and 4 always are;
   * level 2 unless a call since level 1 reached the customer; level 3 (the demand letter) only
   * after unanswered calls: a call attempt since level 2 went unanswered and none reached anyone,
   * or nobody attempted the due call within 3 business days. "Will not pay" and a broken promise
   * bring the letter at once.
   */
  const owed = (invoice: Invoice, level: Level): boolean => {
    const state = states.get(invoice.id);
    const change = changeOf.get(invoice.id);
    if (change?.hurry) return true;
    const payer = payerOf(invoice.customerId);
    if (level === 1 || level === 4) return true;
    const level2On = state?.level2On ?? (change?.to === 2 ? today : state?.level === 2 ? state.levelEnteredOn : null) ?? state?.level1On ?? state?.firstSeenOn ?? today;
    if (level === 2) return !reachedSince(payer, state?.level1On ?? level2On);
    const level3On = change?.to === 3 ? today : (state?.levelEnteredOn ?? today);
    if (reachedSince(payer, level2On)) return false;
    const attempts = (attemptsOf.get(payer) ?? []).filter((a) => a.on >= level2On && a.on <= today);
    if (attempts.some((a) => UNANSWERED_OUTCOMES.has(a.outcome))) return true;
    return attempts.every((a) => a.on < level3On) && businessDaysAfter(level3On, today) >= IDLE_DESK_BUSINESS_DAYS;
  };
  for (const [payer, invoices] of openByPayer) {
    if (withinGap(payer)) continue;
    const listed = invoices.filter((i) => daysBetween(i.dueDate, today) > 0 && !paused(i)).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
    const due = listed
      .map((invoice) => ({ invoice, level: (changeOf.get(invoice.id)?.to ?? states.get(invoice.id)?.level ?? 0) as Level }))
      .filter(({ invoice, level }) => level >= 1 && (contactLevel.get(invoice.id) ?? 0) < level && owed(invoice, level));
    if (due.length === 0) continue;
    const top = Math.max(...due.map((d) => d.level)) as Exclude<Level, 0>;
    // An invoice that skipped level 1 (first seen late) is told of honestly: no "perhaps it is on its way".
    const skippedLevel1 = (invoice: Invoice) => (states.get(invoice.id)?.level1On ?? null) === null;
    const kind = levelMessage(top, due.some((d) => d.level === 2 && skippedLevel1(d.invoice)));
    const lead = [...due].sort((a, b) => b.level - a.level)[0]!.invoice;
    const to = contactFor(lead) ?? listed.map(contactFor).find(Boolean) ?? null;
    if (!to) {
      findEmail.add(payer);
      continue;
    }
    actions.push({ type: 'send_message', kind, customerId: payer, to, invoiceIds: listed.map((i) => i.id), total: sumCents(listed.map((i) => i.balance)), sendAt, key: `dunning:${payer}:${today}` });
  }

  // ---- follow-ups that cannot wait for the call window --------------------------------------
  const accountLevel = (payer: string) => Math.max(0, ...(openByPayer.get(payer) ?? []).filter((i) => !paused(i)).map((i) => changeOf.get(i.id)?.to ?? states.get(i.id)?.level ?? 0)) as Level;
  for (const payer of brokenPayers) wantTask(payer, 'broken_promise', accountLevel(payer), today, `task:${payer}:broken:${today}`);
  for (const payer of dueTodayPayers) wantTask(payer, 'promise_due_today', Math.max(0, ...(openByPayer.get(payer) ?? []).map((i) => states.get(i.id)?.level ?? 0)) as Level, today, `task:${payer}:promise-due:${today}`);
  for (const payer of findEmail) wantTask(payer, 'find_email', 0, today, `task:${payer}:find-email:${today}`);
  return actions;
}
