import { daysBetween, localMoment, weekday, type LocalDate } from './calendar';
import type { CallTask, Customer, CustomerType, Invoice, Level } from './model';
import { customerType } from './accounts';
import type { PlaybookSettings } from './settings';

export type WorkListFlag = 'a_account' | 'tough' | 'broken_promise' | 'best_time' | 'find_email' | 'call_back';
/** The flags a work list can be filtered by (best time depends on the moment, not the task). */
export const FILTER_FLAGS = ['a_account', 'tough', 'broken_promise', 'find_email', 'call_back'] as const satisfies readonly WorkListFlag[];
export type FilterFlag = (typeof FILTER_FLAGS)[number];

export interface WorkListItem {
  taskId: string;
  customer: { id: string; name: string; type: CustomerType };
  overdueBalance: number;
  oldestDaysOverdue: number;
  level: Level;
  scheduledFor: LocalDate;
  flags: WorkListFlag[];
}

export interface OverdueSummary {
  balance: number;
  oldestDue: LocalDate;
}

export interface WorkListInput {
  day: LocalDate;
  /** When the list is looked at, for the best-time flag; omit to judge the whole day. */
  now?: Date;
  tasks: CallTask[];
  customers: Customer[];
  /** Open invoices; a sub-customer's count towards the task's customer through `payerOf`. */
  invoices?: Invoice[];
  /** Or, already summed per paying customer (by the database): overdue balance and oldest due date. */
  overdueByCustomer?: Map<string, OverdueSummary>;
  payerOf?: (customerId: string) => string;
  /** Customers with broken promises or open disputes. */
  toughCustomerIds: Set<string>;
}

/** Overdue balance and oldest due date per paying customer, from open invoices. */
export function summariseOverdue(invoices: Invoice[], day: LocalDate, payerOf: (id: string) => string = (id) => id): Map<string, OverdueSummary> {
  // ISO dates compare as strings: days are counted once per customer, not once per invoice.
  const sums = new Map<string, OverdueSummary>();
  for (const invoice of invoices) {
    if (invoice.balance <= 0.005 || invoice.dueDate >= day) continue;
    const payer = payerOf(invoice.customerId);
    const entry = sums.get(payer);
    if (!entry) sums.set(payer, { balance: invoice.balance, oldestDue: invoice.dueDate });
    else {
      entry.balance += invoice.balance;
      if (invoice.dueDate < entry.oldestDue) entry.oldestDue = invoice.dueDate;
    }
  }
  return sums;
}

/**
 * A accounts: the fewest customers holding `share` (80%) of all overdue dollars, largest first.
 * A customer is one when the customers before it hold less than the share.
 */
export function aAccountsOf(overdue: Map<string, { balance: number }>, share: number): Set<string> {
  const aAccounts = new Set<string>();
  const totalOverdue = [...overdue.values()].reduce((sum, e) => sum + e.balance, 0);
  let covered = 0;
  for (const [customerId, entry] of [...overdue].sort((a, b) => b[1].balance - a[1].balance)) {
    if (covered >= totalOverdue * share - 0.005) break;
    aAccounts.add(customerId);
    covered += entry.balance;
  }
  return aAccounts;
}

export interface TaskFacts {
  customer: Customer | undefined;
  /** The account's type as stored in the account directory; else derived from `customer`. */
  type?: CustomerType;
  overdueBalance: number;
  oldestDaysOverdue: number;
  aAccount: boolean;
  tough: boolean;
}

/** One line of the work list: a task with its customer's figures and flags. */
export function describeTask(task: CallTask, facts: TaskFacts, day: LocalDate, settings: PlaybookSettings, now?: Date): WorkListItem {
  const type = facts.type ?? (facts.customer ? customerType(facts.customer) : 'commercial');
  const window = settings.callWindows[type];
  const local = now ? localMoment(now, settings.timezone) : undefined;
  const inWindowToday = window.days.includes(weekday(day)) && (!local || local.date !== day || (local.minutes >= window.startHour * 60 && local.minutes < window.endHour * 60));
  const flags: WorkListFlag[] = [];
  if (facts.aAccount) flags.push('a_account');
  if (facts.tough) flags.push('tough');
  for (const reason of ['broken_promise', 'find_email', 'call_back'] as const) if (task.reasons.includes(reason)) flags.push(reason);
  if (inWindowToday) flags.push('best_time');
  return {
    taskId: task.id,
    customer: { id: task.customerId, name: facts.customer?.name ?? task.customerId, type },
    overdueBalance: Math.round(facts.overdueBalance * 100) / 100,
    oldestDaysOverdue: facts.oldestDaysOverdue,
    level: task.level,
    scheduledFor: task.scheduledFor,
    flags,
  };
}

/** Largest overdue balance first; ties: the oldest overdue invoice first, then the task id. */
export function compareWorkListItems(a: WorkListItem, b: WorkListItem): number {
  return b.overdueBalance - a.overdueBalance || b.oldestDaysOverdue - a.oldestDaysOverdue || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);
}

/**
 * The calls to make on a day: every open task scheduled on or before it, largest overdue balance
 * first (ties: the oldest overdue invoice first). A accounts are the fewest customers holding
 * the configured share (80%) of all overdue dollars.
 */
export function buildWorkList(input: WorkListInput, settings: PlaybookSettings): WorkListItem[] {
  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const overdue = input.overdueByCustomer ?? summariseOverdue(input.invoices ?? [], input.day, input.payerOf);
  const aAccounts = aAccountsOf(overdue, settings.aAccountShare);
  return input.tasks
    .filter((task) => task.scheduledFor <= input.day)
    .map((task) => {
      const entry = overdue.get(task.customerId);
      const facts = {
        customer: customers.get(task.customerId),
        overdueBalance: entry?.balance ?? 0,
        oldestDaysOverdue: entry ? daysBetween(entry.oldestDue, input.day) : 0,
        aAccount: aAccounts.has(task.customerId),
        tough: input.toughCustomerIds.has(task.customerId),
      };
      return describeTask(task, facts, input.day, settings, input.now);
    })
    .sort(compareWorkListItems);
}
