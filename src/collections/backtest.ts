import { addDays, daysBetween, localMoment, zonedInstant, type LocalDate } from './calendar';
import { payerResolver } from './accounts';
import { ASKS_FOR_MONEY, DUNNING_KINDS, MESSAGE_LEVEL } from './message-kinds';
import type { Action, CallTask, CustomerHistory, Invoice, InvoiceState, Level, MessageKind, Payment, RecordedMessage, TaskReason } from './model';
import type { Cents } from './money';
import { runPlaybook } from './playbook';
import { BalanceTimeline, paidOn, type Application, type ReceivablesHistory } from './receivables-as-of';
import type { PlaybookSettings } from './settings';
import { addTo } from './grouping';

/**
 * The back-test of SPEC §4's playbook on a company's own history: day after day over a window,
 * the receivables as they were that day go through the same pure playbook the live cadence runs,
 * and its actions are applied in memory as the cadence recorder applies them in the database
 * (states and levels, first sight, customer histories, the outbox, call tasks). Each message is
 * taken as sent on its send day, after the fresh balance check drops what was paid by then.
 * Nothing is sent, nothing is written, and nobody answers a call: only what the automation does
 * by itself. Pure: the history and the settings in, a report out.
 */

/** The live cadence runs each day at 07:00 company time (CadenceService.runDay's `asOf`). */
const RUN_MINUTES = 7 * 60;

export interface BacktestOptions {
  from: LocalDate;
  to: LocalDate;
  settings: PlaybookSettings;
  /** Leave out of each day's input what the playbook cannot act on (the default; false feeds every open invoice, for tests). */
  prune?: boolean;
  /** Called after each replayed day. */
  onProgress?: (progress: { done: number; total: number; day: LocalDate }) => void;
  /** Milliseconds of a monotonic clock, for the report's timings (none given: the timings are 0). The module reads no clock itself. */
  stopwatch?: () => number;
}

export interface InvoiceStep {
  on: LocalDate;
  /** A dunning message that listed the invoice, or the level it entered. */
  kind: MessageKind | 'level';
  level?: Level;
}

export interface LateInvoice {
  invoiceId: string;
  docNumber: string | null;
  /** The paying account. */
  customerId: string;
  dueDate: LocalDate;
  /** The first day of the window it was overdue, and its balance then. */
  lateOn: LocalDate;
  lateBalance: Cents;
  /** The send day of the first dunning message that listed it (the first reminder, or the overdue statement). */
  firstReminderOn: LocalDate | null;
  firstReminderKind: MessageKind | null;
  /** Every dunning message that listed it and every level it entered, in order. */
  steps: InvoiceStep[];
  /** The day the history shows it paid in full (perhaps after the window), or null. */
  paidOn: LocalDate | null;
  /** Money applied to it after the first reminder's day (all known history). */
  paidAfterContact: Cents;
}

export interface WeekFigures {
  /** ISO week, e.g. 2025-W07. */
  week: string;
  messages: Partial<Record<MessageKind, number>>;
  totalMessages: number;
  /** Calls put on the list: tasks opened or back on the list, and tasks raised to a higher level. */
  callsOpened: number;
  callsRaised: number;
  /** The longest the list of due calls was on a day of the week (nobody works it in a back-test). */
  listMax: number;
}

export interface Escalation {
  customerId: string;
  name: string;
  on: LocalDate;
  invoiceIds: string[];
  /** The account's open balance of those invoices that day. */
  balance: Cents;
}

export interface BacktestReport {
  from: LocalDate;
  to: LocalDate;
  days: number;
  settings: Pick<PlaybookSettings, 'levelDays' | 'minDaysBetweenLevels' | 'dunningGapDays' | 'verificationMaxAgeDays' | 'timezone'>;
  lateInvoices: LateInvoice[];
  weeks: WeekFigures[];
  busiestDays: Array<{ day: LocalDate; messages: number }>;
  totals: {
    messages: Partial<Record<MessageKind, number>>;
    sentMessages: number;
    /** Messages that went out with nothing left to list (the fresh check) and so were not sent. */
    cancelledMessages: number;
    callsOpened: number;
    lateInvoices: number;
    lateDollars: Cents;
    /** Of the late dollars, what was paid after the day Ardesk would first have contacted the customer about them. */
    paidAfterFirstContact: Cents;
    paidAfterFirstContactShare: number | null;
    /** Median days from the due date to the first reminder (late invoices that got one). */
    medianDaysDueToFirstReminder: number | null;
    /** Median days from the first contact to the day the invoice was paid in full (invoices paid after it). */
    medianDaysFirstContactToPaid: number | null;
    /** Invoices whose balance today the history does not explain (dated the day QuickBooks last changed them). */
    unexplainedBalances: number;
  };
  escalations: Escalation[];
  timings: { replayMs: number; playbookMs: number };
}

interface SimMessage extends RecordedMessage {
  key: string;
}

interface SimTask extends CallTask {
  status: 'open' | 'retired';
}

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

/** A dunning message of each level, for the summaries of what sent messages told. */
const LEVEL_KIND: Record<number, MessageKind> = { 1: 'reminder', 2: 'second_notice', 3: 'demand_letter', 4: 'final_notice' };

/** ISO 8601 week of a local date: YYYY-Www. */
export function isoWeek(day: LocalDate): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
  date.setUTCDate(date.getUTCDate() - weekday + 3); // the week's Thursday decides the year
  const year = date.getUTCFullYear();
  const week = 1 + Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Replays the playbook over [from, to] on the history; see the module's comment. */
/** The back-test in one go (the CLI, the tests): see `backtestDays`. */
export function runBacktest(history: ReceivablesHistory, options: BacktestOptions): BacktestReport {
  const days = backtestDays(history, options);
  for (;;) {
    const step = days.next();
    if (step.done) return step.value;
  }
}

/** The replay, one business day per step (it yields after each day it decides), then the report. */
export function* backtestDays(history: ReceivablesHistory, options: BacktestOptions): Generator<void, BacktestReport, void> {
  const { from, to, settings, prune = true } = options;
  if (from > to) throw new Error(`the back-test window ends (${to}) before it starts (${from})`);
  const stopwatch = options.stopwatch ?? (() => 0);
  const started = stopwatch();
  let playbookMs = 0;
  const timeline = new BalanceTimeline(history);
  const applications = timeline.applications;
  const payerOf = payerResolver(history.customers);
  const names = new Map(history.customers.map((c) => [c.id, c.name]));

  // The copy as the playbook reads it: invoices with a due date, their balance that day.
  const invoices = new Map<string, Invoice>();
  for (const i of history.invoices) {
    if (!i.dueDate) continue;
    invoices.set(i.id, { id: i.id, customerId: i.customerId, docNumber: i.docNumber, txnDate: i.txnDate, dueDate: i.dueDate, total: i.total, balance: 0, billEmail: i.billEmail });
  }
  const open = new Set<string>();
  /** The open invoices of each paying account, kept as balances change. */
  const openOf = new Map<string, Map<string, Invoice>>();
  const payerOfInvoice = new Map([...invoices.values()].map((i) => [i.id, payerOf(i.customerId)]));

  // What the recorder keeps, in memory.
  const states = new Map<string, InvoiceState>();
  const histories = new Map<string, CustomerHistory>();
  const historyOf = (customerId: string) => {
    let h = histories.get(customerId);
    if (!h) histories.set(customerId, (h = { customerId, lastDunningOn: null, lastReachedOn: null, contactedInvoiceIds: [] }));
    return h;
  };
  /** The outbox's queued messages (cancelled and sent ones leave it). */
  const queued = new Map<string, SimMessage>();
  /**
   * What the sent dunning messages told each invoice: the highest level whose message listed it.
   * The playbook reads sent messages for that alone (the last dunning day is the history's), so
   * each day's input gets one summary per account and level instead of every message ever sent.
   */
  const sentLevel = new Map<string, number>();
  const usedKeys = new Set<string>();
  let messageSeq = 0;
  const tasks = new Map<string, SimTask>();
  const openTaskOf = new Map<string, SimTask>();
  const retiredOf = new Map<string, SimTask>();
  const usedTaskKeys = new Set<string>();
  let taskSeq = 0;

  // What the report gathers.
  const late = new Map<string, LateInvoice>();
  const weeks = new Map<string, WeekFigures>();
  const perDay = new Map<LocalDate, number>();
  const totalsByKind: Partial<Record<MessageKind, number>> = {};
  let sentMessages = 0;
  let cancelledMessages = 0;
  let callsOpened = 0;
  const escalations = new Map<string, Escalation>();
  const weekOf = (day: LocalDate) => {
    const week = isoWeek(day);
    let figures = weeks.get(week);
    if (!figures) weeks.set(week, (figures = { week, messages: {}, totalMessages: 0, callsOpened: 0, callsRaised: 0, listMax: 0 }));
    return figures;
  };

  const tasksOf = new Map<string, SimTask[]>();
  /** The account's newest retired task (by the day it was created), the one that comes back, as the repository finds it. */
  const findRetired = (customerId: string) => {
    let newest: SimTask | undefined;
    for (const t of tasksOf.get(customerId) ?? []) if (t.status === 'retired' && (!newest || t.createdOn > newest.createdOn)) newest = t;
    if (newest) retiredOf.set(customerId, newest);
    else retiredOf.delete(customerId);
  };

  const apply = (day: LocalDate, actions: Action[]) => {
    const of = <T extends Action['type']>(type: T) => actions.filter((a): a is Of<T> => a.type === type);
    // cancel_pending: the state goes, the invoice's own queued letters are cancelled, the history forgets it.
    for (const a of of('cancel_pending')) {
      states.delete(a.invoiceId);
      for (const m of [...queued.values()]) if (m.kind !== 'thank_you' && m.invoiceIds.length === 1 && m.invoiceIds[0] === a.invoiceId) queued.delete(m.id);
      const h = histories.get(a.customerId);
      if (h) h.contactedInvoiceIds = h.contactedInvoiceIds.filter((id) => id !== a.invoiceId);
    }
    for (const a of of('cancel_message')) queued.delete(a.messageId);
    const ensureState = (invoiceId: string) => {
      if (!states.has(invoiceId)) states.set(invoiceId, { invoiceId, level: 0, levelEnteredOn: null, level1On: null, level2On: null, firstSeenOn: day, verificationSentOn: null, escalateNow: false });
      return states.get(invoiceId)!;
    };
    for (const a of of('first_seen')) ensureState(a.invoiceId);
    for (const a of of('level_change')) {
      const s = ensureState(a.invoiceId);
      if (s.level !== a.from) continue;
      s.level = a.to;
      s.levelEnteredOn = day;
      s.level1On = s.level1On ?? (a.to === 1 ? day : null);
      s.level2On = a.to === 2 ? day : (s.level2On ?? null);
      s.escalateNow = false;
      late.get(a.invoiceId)?.steps.push({ on: day, kind: 'level', level: a.to });
    }
    for (const a of of('escalation_candidate')) {
      if (escalations.has(a.customerId)) continue;
      const balance = a.invoiceIds.reduce((sum, id) => sum + (invoices.get(id)?.balance ?? 0), 0);
      escalations.set(a.customerId, { customerId: a.customerId, name: names.get(a.customerId) ?? a.customerId, on: day, invoiceIds: a.invoiceIds, balance });
    }
    for (const a of of('send_message')) {
      if (usedKeys.has(a.key)) continue;
      usedKeys.add(a.key);
      const message = { id: `m${++messageSeq}`, customerId: a.customerId, kind: a.kind, invoiceIds: a.invoiceIds, status: 'queued' as const, queuedOn: day, sendOn: localMoment(a.sendAt, settings.timezone).date, key: a.key, total: a.total };
      queued.set(message.id, message);
      if (DUNNING_KINDS.has(a.kind)) {
        const h = historyOf(a.customerId);
        h.contactedInvoiceIds = [...new Set([...h.contactedInvoiceIds, ...a.invoiceIds])];
      }
      if (a.kind === 'verification') for (const id of a.invoiceIds) if (states.has(id)) states.get(id)!.verificationSentOn = day;
    }
    // Retire and restore before opening: an account never holds two open tasks.
    for (const a of of('retire_task')) {
      const task = tasks.get(a.taskId);
      if (task?.status !== 'open') continue;
      task.status = 'retired';
      openTaskOf.delete(task.customerId);
      findRetired(task.customerId);
    }
    for (const a of of('restore_task')) {
      const task = tasks.get(a.taskId);
      if (!task || task.status !== 'retired' || openTaskOf.has(task.customerId)) continue;
      task.status = 'open';
      task.scheduledFor = a.scheduledFor;
      openTaskOf.set(task.customerId, task);
      findRetired(task.customerId);
      callsOpened += 1;
      weekOf(day).callsOpened += 1;
    }
    for (const a of of('open_task')) {
      if (usedTaskKeys.has(a.key) || openTaskOf.has(a.customerId)) continue;
      usedTaskKeys.add(a.key);
      const task: SimTask = { id: `t${++taskSeq}`, customerId: a.customerId, level: a.level, reason: a.reason, reasons: [a.reason], scheduledFor: a.scheduledFor, createdOn: day, status: 'open' };
      tasks.set(task.id, task);
      addTo(tasksOf, task.customerId, task);
      openTaskOf.set(task.customerId, task);
      callsOpened += 1;
      weekOf(day).callsOpened += 1;
    }
    for (const a of of('add_reason')) {
      const task = openTaskOf.get(a.customerId);
      if (!task || task.reasons.includes(a.reason)) continue;
      task.reasons = [...task.reasons, a.reason as TaskReason];
      if (a.scheduledFor < task.scheduledFor) task.scheduledFor = a.scheduledFor;
    }
    for (const a of of('raise_task')) {
      const task = tasks.get(a.taskId);
      if (!task || task.level >= a.level) continue;
      task.level = a.level;
      weekOf(day).callsRaised += 1;
    }
  };

  /** The send path on its day: the fresh balance check drops paid invoices; a dunning message is the account's last dunning contact. */
  const send = (day: LocalDate) => {
    for (const message of [...queued.values()]) {
      if (!message.sendOn || message.sendOn > day) continue;
      queued.delete(message.id);
      const listed = ASKS_FOR_MONEY.has(message.kind) ? message.invoiceIds.filter((id) => (invoices.get(id)?.balance ?? 0) > 0) : message.invoiceIds;
      if (!listed.length) {
        cancelledMessages += 1;
        continue;
      }
      if (DUNNING_KINDS.has(message.kind)) {
        const h = historyOf(message.customerId);
        if (!h.lastDunningOn || day > h.lastDunningOn) h.lastDunningOn = day;
        const level = MESSAGE_LEVEL[message.kind] ?? 0;
        for (const id of listed) {
          if (level > (sentLevel.get(id) ?? 0)) sentLevel.set(id, level);
          const entry = late.get(id);
          if (!entry) continue;
          entry.steps.push({ on: day, kind: message.kind });
          if (!entry.firstReminderOn) {
            entry.firstReminderOn = day;
            entry.firstReminderKind = message.kind;
          }
        }
      }
      sentMessages += 1;
      totalsByKind[message.kind] = (totalsByKind[message.kind] ?? 0) + 1;
      const week = weekOf(day);
      week.messages[message.kind] = (week.messages[message.kind] ?? 0) + 1;
      week.totalMessages += 1;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
  };

  const total = daysBetween(from, to) + 1;
  let done = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const changed = timeline.advanceTo(day);
    for (const id of changed) {
      const invoice = invoices.get(id);
      if (!invoice) continue;
      invoice.balance = timeline.balanceOf(id);
      const payer = payerOfInvoice.get(id)!;
      if (invoice.balance > 0) {
        open.add(id);
        let owed = openOf.get(payer);
        if (!owed) openOf.set(payer, (owed = new Map()));
        owed.set(id, invoice);
      } else {
        open.delete(id);
        openOf.get(payer)?.delete(id);
        if (openOf.get(payer)?.size === 0) openOf.delete(payer);
      }
    }
    // The day's input: the invoices open that day, and those with a state (paid since the last run).
    const settledOf = new Map<string, Invoice[]>();
    for (const id of states.keys()) {
      if (open.has(id)) continue;
      const invoice = invoices.get(id)!;
      const payer = payerOf(invoice.customerId);
      addTo(settledOf, payer, invoice);
    }
    const queuedFor = new Set([...queued.values()].map((m) => m.customerId));
    const firstLevelAt = Math.min(1, settings.levelDays[0]);
    /**
     * What the playbook cannot act on today is left out of its input, so a day costs what can
     * change (the decision is the same: `prune: false` feeds everything, and a test compares).
     * An account is dormant when every invoice it owes is at the last level and was told so, it
     * has its open task and no queued message, and nothing it owes is new or paid: the playbook
     * has nothing to do for it. Of the others, an invoice already seen that is not yet due takes
     * part only in keeping a find-an-email task.
     */
    const dormant = (payer: string, owed: Map<string, Invoice>) => {
      if (settledOf.has(payer) || queuedFor.has(payer) || !openTaskOf.has(payer)) return false;
      for (const id of owed.keys()) if (states.get(id)?.level !== 4 || sentLevel.get(id) !== 4 || changed.has(id)) return false;
      return true;
    };
    const dayInvoices: Invoice[] = [];
    const dayStates: InvoiceState[] = [];
    const skipped = new Set<string>();
    for (const [payer, owed] of openOf) {
      // A dormant account's invoices were all late, and noted, on the days they rose to the last level.
      if (prune && dormant(payer, owed)) {
        skipped.add(payer);
        continue;
      }
      const findingEmail = openTaskOf.get(payer)?.reasons.includes('find_email') ?? false;
      for (const invoice of owed.values()) {
        if (invoice.dueDate < day && !late.has(invoice.id)) {
          late.set(invoice.id, { invoiceId: invoice.id, docNumber: invoice.docNumber, customerId: payer, dueDate: invoice.dueDate, lateOn: day, lateBalance: invoice.balance, firstReminderOn: null, firstReminderKind: null, steps: [], paidOn: null, paidAfterContact: 0 });
        }
        const state = states.get(invoice.id);
        if (prune && state && state.level === 0 && !findingEmail && daysBetween(invoice.dueDate, day) < firstLevelAt) continue;
        dayInvoices.push(invoice);
        if (state) dayStates.push(state);
      }
    }
    const payments: Payment[] = [];
    for (const invoice of [...settledOf.values()].flat()) {
      const id = invoice.id;
      dayInvoices.push(invoice);
      dayStates.push(states.get(id)!);
      for (const a of applications.get(id) ?? []) {
        if (a.source === 'payment' && a.on <= day) payments.push({ id: a.paymentId!, customerId: invoice.customerId, txnDate: a.on, appliedTo: [{ invoiceId: id, amount: a.amount }] });
      }
    }
    const dayMessages: RecordedMessage[] = [];
    for (const q of queued.values()) if (ASKS_FOR_MONEY.has(q.kind)) dayMessages.push({ ...q, invoiceIds: [...q.invoiceIds] });
    const told = new Map<string, RecordedMessage>();
    for (const invoice of dayInvoices) {
      const level = sentLevel.get(invoice.id);
      if (!level) continue;
      const payer = payerOf(invoice.customerId);
      const key = `${payer}:${level}`;
      let summary = told.get(key);
      if (!summary) told.set(key, (summary = { id: `sent:${key}`, customerId: payer, kind: LEVEL_KIND[level]!, invoiceIds: [], status: 'sent', queuedOn: day, sendOn: null }));
      summary.invoiceIds.push(invoice.id);
    }
    dayMessages.push(...told.values());
    const decided = stopwatch();
    const actions = runPlaybook(
      {
        now: zonedInstant(day, RUN_MINUTES, settings.timezone),
        connectedOn: from,
        customers: history.customers,
        invoices: dayInvoices,
        states: dayStates,
        histories: [...histories.values()].map((h) => ({ ...h })),
        promises: [],
        disputes: [],
        pauses: [],
        payments,
        // The playbook adds reasons and levels to the tasks it is given: it gets copies.
        openTasks: [...openTaskOf.values()].filter((t) => !skipped.has(t.customerId)).map((t) => ({ ...t, reasons: [...t.reasons] })),
        retiredTasks: [...retiredOf.values()].filter((t) => !skipped.has(t.customerId)).map((t) => ({ ...t, reasons: [...t.reasons] })),
        callAttempts: [],
        messages: dayMessages,
      },
      settings,
    );
    playbookMs += stopwatch() - decided;
    apply(day, actions);
    send(day);
    const week = weekOf(day);
    week.listMax = Math.max(week.listMax, openTaskOf.size);
    done += 1;
    options.onProgress?.({ done, total, day });
    yield;
  }

  // The facts of the history after the first contact: no claim that the contact caused them.
  const historyInvoices = new Map(history.invoices.map((i) => [i.id, i]));
  const daysToPaid: number[] = [];
  const daysToFirst: number[] = [];
  let lateDollars = 0;
  let paidAfter = 0;
  for (const entry of late.values()) {
    const apps: Application[] = applications.get(entry.invoiceId) ?? [];
    entry.paidOn = paidOn(historyInvoices.get(entry.invoiceId)!, apps);
    lateDollars += entry.lateBalance;
    if (!entry.firstReminderOn) continue;
    const first = entry.firstReminderOn;
    daysToFirst.push(daysBetween(entry.dueDate, first));
    entry.paidAfterContact = Math.min(entry.lateBalance, apps.filter((a) => a.on > first).reduce((sum, a) => sum + a.amount, 0));
    paidAfter += entry.paidAfterContact;
    if (entry.paidOn && entry.paidOn > first) daysToPaid.push(daysBetween(first, entry.paidOn));
  }
  const lateInvoices = [...late.values()].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.invoiceId.localeCompare(b.invoiceId));
  const unexplained = [...applications.values()].filter((list) => list.some((a) => a.source === 'unexplained')).length;
  return {
    from,
    to,
    days: total,
    settings: { levelDays: settings.levelDays, minDaysBetweenLevels: settings.minDaysBetweenLevels, dunningGapDays: settings.dunningGapDays, verificationMaxAgeDays: settings.verificationMaxAgeDays, timezone: settings.timezone },
    lateInvoices,
    weeks: [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week)),
    busiestDays: [...perDay].map(([day, count]) => ({ day, messages: count })).sort((a, b) => b.messages - a.messages || a.day.localeCompare(b.day)).slice(0, 5),
    totals: {
      messages: totalsByKind,
      sentMessages,
      cancelledMessages,
      callsOpened,
      lateInvoices: lateInvoices.length,
      lateDollars,
      paidAfterFirstContact: paidAfter,
      paidAfterFirstContactShare: lateDollars > 0 ? paidAfter / lateDollars : null,
      medianDaysDueToFirstReminder: median(daysToFirst),
      medianDaysFirstContactToPaid: median(daysToPaid),
      unexplainedBalances: unexplained,
    },
    escalations: [...escalations.values()].sort((a, b) => a.on.localeCompare(b.on) || a.customerId.localeCompare(b.customerId)),
    timings: { replayMs: Math.round(stopwatch() - started), playbookMs: Math.round(playbookMs) },
  };
}
