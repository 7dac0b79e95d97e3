import { accountStates, type AccountState } from './account-state';
import { localMoment, weekday, type LocalDate } from './calendar';
import type { CallTask, Customer, CustomerType, Invoice, Level } from './model';
import type { Cents } from './money';
import { customerType } from './accounts';
import { nextCallDay } from './playbook';
import type { PlaybookSettings } from './settings';

export type WorkListFlag = 'a_account' | 'tough' | 'difficult_customer' | 'problem_reported' | 'broken_promise' | 'best_time' | 'find_email' | 'call_back' | 'carried_over';
/** The flags a work list can be filtered by (best time depends on the moment, not the task). */
export const FILTER_FLAGS = ['a_account', 'tough', 'difficult_customer', 'problem_reported', 'broken_promise', 'find_email', 'call_back', 'carried_over'] as const satisfies readonly WorkListFlag[];
export type FilterFlag = (typeof FILTER_FLAGS)[number];

export interface WorkListItem {
  taskId: string;
  customer: { id: string; name: string; type: CustomerType };
  overdueBalance: Cents;
  oldestDaysOverdue: number;
  level: Level;
  scheduledFor: LocalDate;
  /** The day's list shows first the accounts whose call window is open that day. */
  group: 'best_time_today' | 'other';
  /** The account's next call-window day, from the list's day on. */
  bestDay: LocalDate;
  flags: WorkListFlag[];
}

export interface WorkListInput {
  day: LocalDate;
  /** When the list is looked at, for the best-time flag; omit to judge the whole day. */
  now?: Date;
  tasks: CallTask[];
  customers: Customer[];
  /** Open invoices; a sub-customer's count towards the task's customer through `payerOf`. */
  invoices: Invoice[];
  payerOf?: (customerId: string) => string;
  /** Customers with broken promises or open disputes. */
  toughCustomerIds: Set<string>;
}

/** What a line of the list shows of its account: the customer's name and the account's state. */
export interface TaskFacts {
  customer: Customer | undefined;
  /** The account's stored state on the day; none when the account has nothing open. */
  state: AccountState | undefined;
}

/** One line of the work list: a task with its customer's figures and flags. */
export function describeTask(task: CallTask, facts: TaskFacts, day: LocalDate, settings: PlaybookSettings, now?: Date): WorkListItem {
  const type = facts.state?.type ?? (facts.customer ? customerType(facts.customer) : 'commercial');
  const window = settings.callWindows[type];
  const local = now ? localMoment(now, settings.timezone) : undefined;
  const windowToday = window.days.includes(weekday(day));
  const inWindowToday = windowToday && (!local || local.date !== day || (local.minutes >= window.startHour * 60 && local.minutes < window.endHour * 60));
  const flags: WorkListFlag[] = [];
  if (facts.state?.aAccount) flags.push('a_account');
  if (facts.state?.tough) flags.push('tough');
  // One of the month's difficult customers (fixed on the 1st): first of its group on the list.
  for (const reason of ['difficult_customer', 'problem_reported', 'broken_promise', 'find_email', 'call_back'] as const) if (task.reasons.includes(reason)) flags.push(reason);
  if (inWindowToday) flags.push('best_time');
  // Due before the day and still open: yesterday's call was not made (or not finished).
  if (task.scheduledFor < day) flags.push('carried_over');
  return {
    taskId: task.id,
    customer: { id: task.customerId, name: facts.customer?.name ?? task.customerId, type },
    overdueBalance: facts.state?.overdueBalance ?? 0,
    oldestDaysOverdue: facts.state?.oldestDaysOverdue ?? 0,
    level: task.level,
    scheduledFor: task.scheduledFor,
    group: windowToday ? 'best_time_today' : 'other',
    bestDay: nextCallDay(day, type, settings),
    flags,
  };
}

const difficult = (item: WorkListItem) => (item.flags.includes('difficult_customer') ? 1 : 0);

/**
 * The accounts whose best time is today first; within each group the month's difficult
 * customers first, then largest overdue balance first; ties: the oldest overdue invoice first,
 * then the task id.
 */
export function compareWorkListItems(a: WorkListItem, b: WorkListItem): number {
  return (a.group === b.group ? 0 : a.group === 'best_time_today' ? -1 : 1) || difficult(b) - difficult(a) || b.overdueBalance - a.overdueBalance || b.oldestDaysOverdue - a.oldestDaysOverdue || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);
}

/**
 * The calls to make on a day, computed in memory from invoices (tests and the playbook bench):
 * the account states production stores, each task described as the API describes it, ordered as
 * the database orders the stored list.
 */
export function buildWorkList(input: WorkListInput, settings: PlaybookSettings): WorkListItem[] {
  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const payerOf = input.payerOf ?? ((id: string) => id);
  const typeOf = (id: string) => { const c = customers.get(id); return c ? customerType(c) : 'commercial'; };
  const states = accountStates({
    day: input.day,
    invoices: input.invoices.map((i) => { const payerId = payerOf(i.customerId); return { id: i.id, customerId: i.customerId, payerId, type: typeOf(payerId), balance: i.balance, dueDate: i.dueDate, level: 0 as Level, escalation: false }; }),
    toughPayers: new Set([...input.toughCustomerIds].map(payerOf)),
    aAccountShare: settings.aAccountShare,
  });
  const byPayer = new Map(states.map((s) => [s.payerId, s]));
  return input.tasks
    .filter((task) => task.scheduledFor <= input.day)
    .map((task) => describeTask(task, { customer: customers.get(task.customerId), state: byPayer.get(task.customerId) }, input.day, settings, input.now))
    .sort(compareWorkListItems);
}
