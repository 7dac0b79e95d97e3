import { daysBetween, type LocalDate } from './calendar';
import type { Customer } from './model';
import type { Cents } from './money';

/**
 * Receivables as of a past day, from the synced history of QuickBooks: an invoice's balance on
 * day D is its total less what was applied to it on or before D. QuickBooks applies money to an
 * invoice through a Payment's lines: a line linking the invoice (the amount it took off) and,
 * when a credit memo was used, a line linking the credit memo. A credit cannot be applied before
 * the memo exists, so such a payment counts from the later of its own date and the memos'.
 * Pure: the history comes in, balances go out.
 */

export interface HistoryInvoice {
  id: string;
  customerId: string;
  docNumber: string | null;
  txnDate: LocalDate;
  /** Null in the copy for an invoice without terms: the playbook skips it, so does the back-test. */
  dueDate: LocalDate | null;
  total: Cents;
  /** The balance in the copy today. */
  balance: Cents;
  billEmail: string | null;
  /** The company-time day QuickBooks last changed the invoice (when an unexplained change is dated). */
  updatedOn: LocalDate;
}

export interface HistoryPaymentLine {
  /** The invoice or credit memo the line links. */
  id: string;
  type: string;
  amount: Cents;
}

export interface HistoryPayment {
  id: string;
  customerId: string;
  txnDate: LocalDate;
  lines: HistoryPaymentLine[];
}

export interface HistoryCreditMemo {
  id: string;
  txnDate: LocalDate;
}

/** What the back-test reads of a company, loaded once. */
export interface ReceivablesHistory {
  customers: Customer[];
  invoices: HistoryInvoice[];
  payments: HistoryPayment[];
  creditMemos: HistoryCreditMemo[];
}

/** Money taken off an invoice on a day. */
export interface Application {
  invoiceId: string;
  on: LocalDate;
  amount: Cents;
  /** A Payment's line (what earns a thank-you), or the estimated date of a change the history does not explain. */
  source: 'payment' | 'unexplained';
  paymentId: string | null;
}

/**
 * Every application of money to each invoice, oldest first. Where the copy's balance today is
 * lower than the total less every known application (a payment the backfill did not bring, a
 * journal entry), the difference is dated the day QuickBooks last changed the invoice.
 */
export function applicationsOf(history: Pick<ReceivablesHistory, 'invoices' | 'payments' | 'creditMemos'>): Map<string, Application[]> {
  const memoDay = new Map(history.creditMemos.map((m) => [m.id, m.txnDate]));
  const byInvoice = new Map<string, Application[]>();
  for (const payment of history.payments) {
    let on = payment.txnDate;
    for (const line of payment.lines) {
      const memo = line.type === 'CreditMemo' ? memoDay.get(line.id) : undefined;
      if (memo && memo > on) on = memo;
    }
    for (const line of payment.lines) {
      if (line.type !== 'Invoice' || line.amount === 0) continue;
      const list = byInvoice.get(line.id) ?? [];
      list.push({ invoiceId: line.id, on, amount: line.amount, source: 'payment', paymentId: payment.id });
      byInvoice.set(line.id, list);
    }
  }
  for (const invoice of history.invoices) {
    const list = byInvoice.get(invoice.id) ?? [];
    const applied = list.reduce((sum, a) => sum + a.amount, 0);
    const unexplained = invoice.total - applied - invoice.balance;
    if (unexplained > 0) list.push({ invoiceId: invoice.id, on: invoice.updatedOn, amount: unexplained, source: 'unexplained', paymentId: null });
    if (list.length) byInvoice.set(invoice.id, list.sort((a, b) => a.on.localeCompare(b.on)));
  }
  return byInvoice;
}

/** The invoice's balance at the end of `day` (0 before it was issued is not asked: see `receivablesAsOf`). */
export function balanceAsOf(invoice: Pick<HistoryInvoice, 'total'>, applications: readonly Application[] | undefined, day: LocalDate): Cents {
  let balance = invoice.total;
  for (const a of applications ?? []) if (a.on <= day) balance -= a.amount;
  return Math.max(0, balance);
}

/** The first day the invoice's balance reached 0 by the history, or null while it is still owed. */
export function paidOn(invoice: Pick<HistoryInvoice, 'total'>, applications: readonly Application[] | undefined): LocalDate | null {
  let balance = invoice.total;
  if (balance <= 0) return null;
  for (const a of applications ?? []) {
    balance -= a.amount;
    if (balance <= 0) return a.on;
  }
  return null;
}

export interface OpenReceivable {
  invoice: HistoryInvoice;
  balance: Cents;
  /** Days past the due date on `day` (negative when not yet due); null without a due date. */
  daysOverdue: number | null;
}

/** Every invoice issued on or before `day` with a balance at its end, as QuickBooks' aged receivables would show it. */
export function receivablesAsOf(history: Pick<ReceivablesHistory, 'invoices' | 'payments' | 'creditMemos'>, day: LocalDate, applications = applicationsOf(history)): OpenReceivable[] {
  const open: OpenReceivable[] = [];
  for (const invoice of history.invoices) {
    if (invoice.txnDate > day) continue;
    const balance = balanceAsOf(invoice, applications.get(invoice.id), day);
    if (balance > 0) open.push({ invoice, balance, daysOverdue: invoice.dueDate ? daysBetween(invoice.dueDate, day) : null });
  }
  return open;
}

/**
 * The balances day after day, for a replay: `advanceTo(day)` applies what happened up to that day
 * and says which invoices changed, so each day costs what changed, not the whole book.
 */
export class BalanceTimeline {
  private readonly balances = new Map<string, Cents>();
  private readonly events: Array<{ on: LocalDate; invoiceId: string; amount: Cents; issue: boolean }> = [];
  private next = 0;
  private day: LocalDate | null = null;

  constructor(history: Pick<ReceivablesHistory, 'invoices' | 'payments' | 'creditMemos'>, readonly applications = applicationsOf(history)) {
    for (const invoice of history.invoices) {
      this.events.push({ on: invoice.txnDate, invoiceId: invoice.id, amount: invoice.total, issue: true });
      for (const a of applications.get(invoice.id) ?? []) this.events.push({ on: a.on, invoiceId: invoice.id, amount: -a.amount, issue: false });
    }
    // Issued before paid on the same day.
    this.events.sort((a, b) => a.on.localeCompare(b.on) || Number(b.issue) - Number(a.issue));
  }

  /** Moves to the end of `day` (never backwards); returns the invoices whose balance changed. */
  advanceTo(day: LocalDate): Set<string> {
    if (this.day && day < this.day) throw new Error(`the timeline is at ${this.day}; it cannot go back to ${day}`);
    this.day = day;
    const changed = new Set<string>();
    while (this.next < this.events.length && this.events[this.next]!.on <= day) {
      const event = this.events[this.next++]!;
      this.balances.set(event.invoiceId, (this.balances.get(event.invoiceId) ?? 0) + event.amount);
      changed.add(event.invoiceId);
    }
    return changed;
  }

  /** The balance at the end of the current day: 0 for an invoice not issued yet. */
  balanceOf(invoiceId: string): Cents {
    return Math.max(0, this.balances.get(invoiceId) ?? 0);
  }

  issued(invoiceId: string): boolean {
    return this.balances.has(invoiceId);
  }
}
