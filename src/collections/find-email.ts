import { addDays, daysBetween, type LocalDate } from './calendar';
import { sumCents, type Cents } from './money';
import type { Dispute, Level, MessageKind, Pause, PromiseToPay } from './model';
import type { PlaybookSettings } from './settings';

/**
 * What was held for want of an address, and goes out once one is found (SPEC §4: "no contact
 * email: a work-list task find an email address instead of the email"). The account's
 * current-level message, as the playbook would have sent it the day the level was reached.
 */

/** The message of each level (the playbook's, src/collections/playbook.ts). */
const LEVEL_MESSAGE: Record<Exclude<Level, 0>, MessageKind> = { 1: 'reminder', 2: 'second_notice', 3: 'demand_letter', 4: 'final_notice' };

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
  const promised = new Set(input.promises.filter((p) => p.status === 'open' && today <= addDays(p.dueOn, settings.promiseGraceDays)).flatMap((p) => p.invoiceIds));
  const disputed = new Set(input.disputes.filter((d) => d.status === 'open').flatMap((d) => d.invoiceIds));
  const active = input.pauses.filter((p) => p.until === null || today <= p.until);
  const covered = (invoice: HeldInvoice) =>
    promised.has(invoice.id) || disputed.has(invoice.id) || active.some((p) => p.invoiceId === invoice.id || p.customerId === invoice.customerId || p.customerId === input.payerId);
  const open = input.invoices.filter((i) => i.balance > 0 && !covered(i));
  const overdue = open.filter((i) => daysBetween(i.dueDate, today) > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
  const listing = (kind: MessageKind, invoices: HeldInvoice[]): HeldMessage => ({ kind, invoiceIds: invoices.map((i) => i.id), total: sumCents(invoices.map((i) => i.balance)) });

  const top = Math.max(0, ...overdue.map((i) => i.level)) as Level;
  if (top > 0) {
    if (top === 2 || top === 3) {
      const since = overdue.filter((i) => i.level === top).map((i) => i.level1On).filter((d): d is LocalDate => Boolean(d)).sort()[0];
      if (input.lastReachedOn && since && input.lastReachedOn >= since) return null;
    }
    return listing(LEVEL_MESSAGE[top as Exclude<Level, 0>], overdue);
  }
  const fresh = open.filter((i) => !i.verificationSentOn && daysBetween(i.dueDate, today) <= 0 && daysBetween(i.txnDate, today) >= 0 && daysBetween(i.txnDate, today) <= settings.verificationMaxAgeDays);
  return fresh.length ? listing('verification', fresh) : null;
}
