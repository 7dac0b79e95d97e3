import { daysBetween, type LocalDate } from './calendar';
import { coverage } from './coverage';
import { levelMessage } from './message-kinds';
import { sumCents, type Cents } from './money';
import type { Dispute, Level, MessageKind, Pause, PromiseToPay } from './model';
import type { PlaybookSettings } from './settings';

/**
 * What was held for want of an address, and goes out once one is found (SPEC §4: "no contact
 * email: a work-list task find an email address instead of the email"). The account's
 * current-level message, as the playbook would have sent it the day the level was reached.
 */

export interface HeldInvoice {
  id: string;
  customerId: string;
  txnDate: LocalDate;
  dueDate: LocalDate;
  balance: Cents;
  level: Level;
  level1On: LocalDate | null;
  verificationSentOn: LocalDate | null;
}

export interface HeldMessageInput {
  today: LocalDate;
  payerId: string;
  /** The account's open invoices (its own and its sub-customers'). */
  invoices: HeldInvoice[];
  promises: PromiseToPay[];
  disputes: Dispute[];
  pauses: Pause[];
  /** When a call last reached someone at the account. */
  lastReachedOn: LocalDate | null;
  settings: Pick<PlaybookSettings, 'promiseGraceDays' | 'verificationMaxAgeDays'>;
}

export interface HeldMessage {
  kind: MessageKind;
  invoiceIds: string[];
  total: Cents;
}

/**
 * The message an account with a new address is owed, or null. Overdue invoices at a level: that
 * level's message listing every open overdue invoice not covered by a promise, dispute or pause
 * (a second notice or demand letter only when no call has reached the account since level 1:
 * the call replaced it). Nothing overdue at a level yet: the verification letter of the fresh
 * invoices that never had one.
 */
export function heldMessage(input: HeldMessageInput): HeldMessage | null {
  const { today, settings } = input;
  // What the playbook leaves out of a message (src/collections/coverage.ts); every invoice here is the payer's account's.
  const coverOf = coverage(input, today, settings.promiseGraceDays, () => input.payerId);
  const covered = (invoice: HeldInvoice) => coverOf(invoice) !== null;
  const open = input.invoices.filter((i) => i.balance > 0 && !covered(i));
  const overdue = open.filter((i) => daysBetween(i.dueDate, today) > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
  const listing = (kind: MessageKind, invoices: HeldInvoice[]): HeldMessage => ({ kind, invoiceIds: invoices.map((i) => i.id), total: sumCents(invoices.map((i) => i.balance)) });

  const top = Math.max(0, ...overdue.map((i) => i.level)) as Level;
  if (top > 0) {
    if (top === 2 || top === 3) {
      const since = overdue.filter((i) => i.level === top).map((i) => i.level1On).filter((d): d is LocalDate => Boolean(d)).sort()[0];
      if (input.lastReachedOn && since && input.lastReachedOn >= since) return null;
    }
    // An invoice first seen past level 1 is told of with the overdue statement, as the playbook does.
    return listing(levelMessage(top as Exclude<Level, 0>, overdue.some((i) => i.level === 2 && i.level1On === null)), overdue);
  }
  const fresh = open.filter((i) => !i.verificationSentOn && daysBetween(i.dueDate, today) <= 0 && daysBetween(i.txnDate, today) >= 0 && daysBetween(i.txnDate, today) <= settings.verificationMaxAgeDays);
  return fresh.length ? listing('verification', fresh) : null;
}
