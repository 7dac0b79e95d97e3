import { addDays, daysBetween, type LocalDate } from './calendar';
import { DUNNING_KINDS } from './message-kinds';
import type { Cents } from './money';

/** The measures of SPEC §4 "Results", difficult customers and the systems log, as pure functions. Money in cents. */

export interface AgingInvoice {
  customerId: string;
  txnDate: LocalDate;
  dueDate: LocalDate;
  total: Cents;
  balance: Cents;
}

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export function agingBucket(dueDate: LocalDate, today: LocalDate): AgingBucket {
  const days = daysBetween(dueDate, today);
  if (days <= 0) return 'current';
  if (days <= 30) return '1-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  return '90+';
}

/** The open balances in each bucket, in cents (exact sums). */
export function aging(invoices: AgingInvoice[], today: LocalDate): Record<AgingBucket, Cents> {
  const totals = Object.fromEntries(AGING_BUCKETS.map((b) => [b, 0])) as Record<AgingBucket, Cents>;
  for (const invoice of invoices) if (invoice.balance > 0) totals[agingBucket(invoice.dueDate, today)] += invoice.balance;
  return totals;
}

/** Days sales outstanding: receivables ÷ credit sales of the last `days` days × `days`. */
export function daysSalesOutstanding(invoices: AgingInvoice[], today: LocalDate, days = 90): number | null {
  const receivables = invoices.reduce((sum, i) => sum + Math.max(0, i.balance), 0);
  const since = addDays(today, -days);
  const sales = invoices.filter((i) => i.txnDate > since && i.txnDate <= today).reduce((sum, i) => sum + i.total, 0);
  return sales > 0 ? Math.round((receivables / sales) * days * 10) / 10 : null;
}

/** The messages that ask for money (SPEC §4 "asks"): the dunning messages, never the verification letter. */
export const ASK_MESSAGE_KINDS: readonly string[] = [...new Set([...DUNNING_KINDS, 'overdue_statement'])];

/** A recorded call: `reached` when someone who could answer for the account was reached. */
export interface CallRecord {
  customerId: string;
  on: LocalDate;
  reached: boolean;
  invoiceIds: string[];
}

/** A message that went out, on the company's local date it was sent, with the invoices it listed. */
export interface SentMessageRecord {
  kind: string;
  on: LocalDate;
  invoiceIds: string[];
}

export interface PromiseRecord {
  customerId: string;
  madeOn: LocalDate;
  status: 'open' | 'kept' | 'partly_kept' | 'broken';
}

/** A payment: the invoices it paid (credit memos applied through it included) and the credit it used. */
export interface PaymentRecord {
  txnDate: LocalDate;
  appliedTo: Array<{ invoiceId: string; amount: Cents }>;
  /** What credit memos applied in the same payment (QuickBooks applies a credit through a payment); not money collected. */
  creditApplied?: Cents;
}

export interface Results {
  /** Calls that reached someone and dunning messages sent, in the period. */
  asks: { calls: number; emails: number; total: number };
  /** Calls that reached nobody (no answer, voicemail, wrong person, call back): attempts, not asks. */
  attempts: number;
  promises: number;
  promiseRate: number | null;
  keptRate: number | null;
  collectedAfterContact: Cents;
}

/** Whether a recorded contact asked for money: a call that reached someone, or a dunning message. */
function isAsk(contact: CallRecord | SentMessageRecord): boolean {
  return 'reached' in contact ? contact.reached : ASK_MESSAGE_KINDS.includes(contact.kind);
}

/**
 * Results, not effort: asks, promises per call that reached someone, promises kept, money that
 * followed an ask. Every count is of the period (`from` to `to`, both included); an ask before
 * the period still counts for money collected in it.
 */
export function results(input: { from: LocalDate; to: LocalDate; calls: CallRecord[]; messages: SentMessageRecord[]; promises: PromiseRecord[]; payments: PaymentRecord[] }): Results {
  const inRange = (date: LocalDate) => date >= input.from && date <= input.to;
  const calls = input.calls.filter((c) => inRange(c.on));
  const reached = calls.filter(isAsk).length;
  const emails = input.messages.filter((m) => inRange(m.on) && isAsk(m)).length;
  const promises = input.promises.filter((p) => inRange(p.madeOn));
  const settled = promises.filter((p) => p.status !== 'open');
  const firstAsk = new Map<string, LocalDate>();
  for (const contact of [...input.calls, ...input.messages]) {
    if (!isAsk(contact) || contact.on > input.to) continue;
    for (const invoiceId of contact.invoiceIds) {
      const known = firstAsk.get(invoiceId);
      if (!known || contact.on < known) firstAsk.set(invoiceId, contact.on);
    }
  }
  let collected: Cents = 0;
  for (const payment of input.payments) {
    if (!inRange(payment.txnDate)) continue;
    const applied = payment.appliedTo.reduce((sum, line) => sum + line.amount, 0);
    const asked = payment.appliedTo.reduce((sum, line) => {
      const on = firstAsk.get(line.invoiceId);
      return on && on <= payment.txnDate ? sum + line.amount : sum;
    }, 0);
    // A credit applied in the same payment is not money: the asked invoices get their share of the cash.
    const cash = applied - (payment.creditApplied ?? 0);
    collected += applied > 0 && cash < applied ? Math.round((asked * Math.max(0, cash)) / applied) : asked;
  }
  return {
    asks: { calls: reached, emails, total: reached + emails },
    attempts: calls.length - reached,
    promises: promises.length,
    promiseRate: reached ? Math.round((promises.length / reached) * 1000) / 1000 : null,
    keptRate: settled.length ? Math.round((settled.filter((p) => p.status === 'kept').length / settled.length) * 1000) / 1000 : null,
    collectedAfterContact: collected,
  };
}

/** An invoice of the copy without its balance: the history gives the balance on any day. */
export type BookInvoice = Omit<AgingInvoice, 'balance'> & { id: string };

/**
 * Each invoice issued by `day` with its balance at the end of that day: its total less what
 * payments dated on or before it applied (a credit memo reaches an invoice through a payment, so
 * its applications are among them). Voided invoices have a total of 0 in the copy.
 */
export function balancesAsOf(invoices: BookInvoice[], payments: PaymentRecord[], day: LocalDate): AgingInvoice[] {
  const applied = new Map<string, Cents>();
  for (const payment of payments) {
    if (payment.txnDate > day) continue;
    for (const line of payment.appliedTo) applied.set(line.invoiceId, (applied.get(line.invoiceId) ?? 0) + line.amount);
  }
  return invoices
    .filter((i) => i.txnDate <= day)
    .map((i) => ({ customerId: i.customerId, txnDate: i.txnDate, dueDate: i.dueDate, total: i.total, balance: i.total - (applied.get(i.id) ?? 0) }));
}

export interface DifficultCustomer {
  customerId: string;
  name: string;
  brokenPromises: number;
  disputes: number;
  invoicesOver60: number;
  balance: Cents;
  score: number;
  attackPlan: string;
}

/** Ranked by broken promises × 2 + disputes + invoices over 60 days overdue, then by balance. */
export function difficultCustomers(input: {
  today: LocalDate;
  customers: Array<{ id: string; name: string }>;
  invoices: AgingInvoice[];
  brokenPromises: Array<{ customerId: string }>;
  disputes: Array<{ customerId: string }>;
}): DifficultCustomer[] {
  const tally = (rows: Array<{ customerId: string }>) => rows.reduce((m, r) => m.set(r.customerId, (m.get(r.customerId) ?? 0) + 1), new Map<string, number>());
  const broken = tally(input.brokenPromises);
  const disputes = tally(input.disputes);
  const over60 = tally(input.invoices.filter((i) => i.balance > 0 && daysBetween(i.dueDate, input.today) > 60));
  const balances = new Map<string, Cents>();
  for (const invoice of input.invoices) balances.set(invoice.customerId, (balances.get(invoice.customerId) ?? 0) + Math.max(0, invoice.balance));
  return input.customers
    .map((customer) => {
      const b = broken.get(customer.id) ?? 0;
      const d = disputes.get(customer.id) ?? 0;
      const o = over60.get(customer.id) ?? 0;
      const plan = [
        b ? `${b} broken promise${b > 1 ? 's' : ''}: ask for a smaller amount on a near date, confirm in writing the same day, call on the day it falls due` : '',
        d ? `${d} open dispute${d > 1 ? 's' : ''}: settle the facts first (order, delivery, price) with the person who approves payment` : '',
        o ? `${o} invoice${o > 1 ? 's' : ''} over 60 days: be firm; explain the escalation to an agency or small claims and its date` : '',
      ].filter(Boolean);
      return { customerId: customer.id, name: customer.name, brokenPromises: b, disputes: d, invoicesOver60: o, balance: balances.get(customer.id) ?? 0, score: b * 2 + d + o, attackPlan: plan.join('. ') };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || b.balance - a.balance || a.name.localeCompare(b.name));
}

/** Process problems by category and month, so the business can fix their causes. */
export function systemsLog(disputes: Array<{ category: string; openedOn: LocalDate }>): Array<{ month: string; category: string; count: number }> {
  const counts = new Map<string, number>();
  for (const dispute of disputes) {
    const key = `${dispute.openedOn.slice(0, 7)}|${dispute.category}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [month, category] = key.split('|') as [string, string];
      return { month, category, count };
    })
    .sort((a, b) => b.month.localeCompare(a.month) || b.count - a.count || a.category.localeCompare(b.category));
}
