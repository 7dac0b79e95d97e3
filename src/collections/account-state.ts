import { daysBetween, type LocalDate } from './calendar';
import type { CustomerType, Level } from './model';
import { shareOf, type Cents } from './money';

/** An open invoice as the account state needs it: whose it is, who pays it, and its level. */
export interface OpenInvoiceFacts {
  id: string;
  customerId: string;
  payerId: string;
  /** The paying account's type (the user's override included), from the account directory. */
  type: CustomerType;
  balance: Cents;
  dueDate: LocalDate;
  level: Level;
  escalation: boolean;
}

/**
 * One paying account on one business day: the figures every reader shows (work list, call
 * sheet, customer page, the account API). Overdue is the exact sum of the open invoices due
 * before the day; the level is the highest of its open invoices'.
 */
export interface AccountState {
  payerId: string;
  day: LocalDate;
  type: CustomerType;
  openBalance: Cents;
  overdueBalance: Cents;
  openInvoices: number;
  overdueInvoices: number;
  oldestDue: LocalDate | null;
  oldestDaysOverdue: number;
  level: Level;
  escalationCandidate: boolean;
  /** Among the fewest accounts holding the A-account share of all overdue money. */
  aAccount: boolean;
  /** A broken (or partly kept) promise, or an open dispute. */
  tough: boolean;
}

export interface AccountStateInput {
  day: LocalDate;
  invoices: OpenInvoiceFacts[];
  /** Paying accounts with a broken or partly kept promise or an open dispute. */
  toughPayers: Set<string>;
  aAccountShare: number;
}

/** An invoice counts as overdue on `day` from the day after its due date. */
export function daysOverdue(dueDate: LocalDate, day: LocalDate): number {
  return Math.max(0, daysBetween(dueDate, day));
}

/** Every paying account with an open invoice, and its state on `input.day`. */
export function accountStates(input: AccountStateInput): AccountState[] {
  const states = new Map<string, AccountState>();
  for (const invoice of input.invoices) {
    if (invoice.balance <= 0) continue;
    let state = states.get(invoice.payerId);
    if (!state) {
      state = { payerId: invoice.payerId, day: input.day, type: invoice.type, openBalance: 0, overdueBalance: 0, openInvoices: 0, overdueInvoices: 0, oldestDue: null, oldestDaysOverdue: 0, level: 0, escalationCandidate: false, aAccount: false, tough: input.toughPayers.has(invoice.payerId) };
      states.set(invoice.payerId, state);
    }
    state.openBalance += invoice.balance;
    state.openInvoices += 1;
    if (invoice.level > state.level) state.level = invoice.level;
    if (invoice.escalation) state.escalationCandidate = true;
    const late = daysOverdue(invoice.dueDate, input.day);
    if (late > 0) {
      state.overdueBalance += invoice.balance;
      state.overdueInvoices += 1;
      if (late > state.oldestDaysOverdue) {
        state.oldestDaysOverdue = late;
        state.oldestDue = invoice.dueDate;
      }
    }
  }
  const all = [...states.values()];
  for (const payerId of aAccountsOf(all, input.aAccountShare)) states.get(payerId)!.aAccount = true;
  return all;
}

/**
 * A accounts: the fewest accounts holding `share` (80%) of all overdue money, largest first
 * (ties: the account id, as PostgreSQL's "C" collation orders it). An account is one when the
 * accounts before it hold less than the share.
 */
export function aAccountsOf(accounts: Array<{ payerId: string; overdueBalance: Cents }>, share: number): Set<string> {
  const overdue = accounts.filter((a) => a.overdueBalance > 0).sort((a, b) => b.overdueBalance - a.overdueBalance || (a.payerId < b.payerId ? -1 : a.payerId > b.payerId ? 1 : 0));
  const total = overdue.reduce((sum, a) => sum + a.overdueBalance, 0);
  // The share of the total, rounded to the cent: no float error decides an account.
  const threshold = shareOf(total, share);
  const aAccounts = new Set<string>();
  let covered = 0;
  for (const account of overdue) {
    if (covered >= threshold) break;
    aAccounts.add(account.payerId);
    covered += account.overdueBalance;
  }
  return aAccounts;
}

/** The state of an account with nothing open on `day` (paid in full, or never invoiced). */
export function settledAccount(payerId: string, type: CustomerType, day: LocalDate, tough = false): AccountState {
  return { payerId, day, type, openBalance: 0, overdueBalance: 0, openInvoices: 0, overdueInvoices: 0, oldestDue: null, oldestDaysOverdue: 0, level: 0, escalationCandidate: false, aAccount: false, tough };
}
