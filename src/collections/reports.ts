import { addDays, daysBetween, type LocalDate } from './calendar';
import { DUNNING_KINDS } from './message-kinds';
import type { Level } from './model';
import { formatMoney, type Cents } from './money';
import { groupBy } from './grouping';

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
  /** A kept promise: paid by its date, or only in the grace days after it (on its date when not told). */
  kept?: KeptWhen;
}

/** When a kept promise was kept: by its date, or in the grace days after it (SPEC §4 "Promises to pay"). */
export type KeptWhen = 'on_date' | 'within_grace';

/** A promise or plan installment with what it covered: what the results need to tell when it was kept. */
export interface PromiseTiming {
  id: string;
  planId: string | null;
  invoiceIds: string[];
  amount: Cents;
  dueOn: LocalDate;
  madeOn: LocalDate;
  status: PromiseRecord['status'];
  /** The day the playbook found it kept: the fallback when its payments are no longer in the copy. */
  settledOn: LocalDate | null;
}

/**
 * When each kept promise was kept, by the playbook's measure (reviewPromise in playbook.ts): the
 * day the payments applied to its invoices since it was made first reached its amount (a plan's
 * installments are paid in order, each after those before it). By the promise's date it was kept
 * on the date; later, within the grace days. Promises not kept are not in the answer.
 */
export function keptWhen(promises: PromiseTiming[], payments: PaymentRecord[]): Map<string, KeptWhen> {
  const byDate = [...payments].sort((a, b) => a.txnDate.localeCompare(b.txnDate));
  const reachedOn = (promise: PromiseTiming, amount: Cents): LocalDate | null => {
    const covered = new Set(promise.invoiceIds);
    let paid = 0;
    for (const payment of byDate) {
      if (payment.txnDate < promise.madeOn) continue;
      for (const line of payment.appliedTo) if (covered.has(line.invoiceId)) paid += line.amount;
      if (paid >= amount) return payment.txnDate;
    }
    return null;
  };
  const timing = new Map<string, KeptWhen>();
  /** `owed`: what the payments must reach for this promise to be kept (a plan's installments so far). */
  const judge = (promise: PromiseTiming, owed: Cents) => {
    if (promise.status !== 'kept') return;
    const on = reachedOn(promise, owed) ?? promise.settledOn;
    timing.set(promise.id, on !== null && on <= promise.dueOn ? 'on_date' : 'within_grace');
  };
  for (const promise of promises) if (!promise.planId) judge(promise, promise.amount);
  for (const installments of groupBy(promises.filter((p) => p.planId), (p) => p.planId!).values()) {
    let owed: Cents = 0;
    for (const installment of [...installments].sort((a, b) => a.dueOn.localeCompare(b.dueOn))) {
      owed += installment.amount;
      judge(installment, owed);
    }
  }
  return timing;
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
  /** Kept promises of the period, paid by their date and only in the grace days after it; their shares of the settled ones. */
  keptOnDate: number;
  keptWithinGrace: number;
  keptOnDateRate: number | null;
  keptWithinGraceRate: number | null;
  collectedAfterContact: Cents;
}

/** Whether a recorded contact asked for money: a call that reached someone, or a dunning message. */
function isAsk(contact: CallRecord | SentMessageRecord): boolean {
  return 'reached' in contact ? contact.reached : ASK_MESSAGE_KINDS.includes(contact.kind);
}

/**
 * Results, not effort: asks, promises per call that reached someone, promises kept (on their date
 * and within the grace days apart), money that followed an ask. Every count is of the period (`from` to `to`, both included); an ask before
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
  const kept = settled.filter((p) => p.status === 'kept');
  const keptWithinGrace = kept.filter((p) => p.kept === 'within_grace').length;
  const rate = (count: number) => (settled.length ? Math.round((count / settled.length) * 1000) / 1000 : null);
  return {
    asks: { calls: reached, emails, total: reached + emails },
    attempts: calls.length - reached,
    promises: promises.length,
    promiseRate: reached ? Math.round((promises.length / reached) * 1000) / 1000 : null,
    keptRate: rate(kept.length),
    keptOnDate: kept.length - keptWithinGrace,
    keptWithinGrace,
    keptOnDateRate: rate(kept.length - keptWithinGrace),
    keptWithinGraceRate: rate(keptWithinGrace),
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
export function balancesAsOf<T extends BookInvoice>(invoices: T[], payments: PaymentRecord[], day: LocalDate): Array<T & { balance: Cents }> {
  const applied = new Map<string, Cents>();
  for (const payment of payments) {
    if (payment.txnDate > day) continue;
    for (const line of payment.appliedTo) applied.set(line.invoiceId, (applied.get(line.invoiceId) ?? 0) + line.amount);
  }
  return invoices
    .filter((i) => i.txnDate <= day)
    .map((i) => ({ ...i, balance: i.total - (applied.get(i.id) ?? 0) }));
}

/** The task reason a difficult customer's account gets at the top of the next call day. */
export const DIFFICULT_CUSTOMER_REASON = 'difficult_customer';

export interface DifficultCustomer {
  customerId: string;
  name: string;
  brokenPromises: number;
  disputes: number;
  invoicesOver60: number;
  willNotPay: number;
  /** Open and overdue balances on the day the list was fixed, in cents. */
  balance: Cents;
  overdueBalance: Cents;
  score: number;
  attackPlan: string;
}

/** An invoice of a paying account (sub-customers rolled up), with its balance on the list's day. */
export interface AccountInvoice {
  id: string;
  docNumber: string | null;
  /** The paying account. */
  customerId: string;
  dueDate: LocalDate;
  balance: Cents;
}

/** A promise as it stood on the list's day; a plan's installments share its `planId`. */
export interface PromiseFacts {
  id: string;
  customerId: string;
  planId: string | null;
  amount: Cents;
  dueOn: LocalDate;
  madeOn: LocalDate;
  status: 'open' | 'kept' | 'partly_kept' | 'broken';
}

export interface DisputeFacts {
  customerId: string;
  category: string;
  openedOn: LocalDate;
  open: boolean;
  invoiceIds: string[];
}

export interface DifficultCustomersInput {
  /** The day the list is fixed (the first of the month): facts are those recorded before it. */
  asOf: LocalDate;
  currency: string;
  accounts: Array<{ id: string; name: string; level: Level }>;
  invoices: AccountInvoice[];
  /** Promises and plan installments made in the 12 months before `asOf`. */
  promises: PromiseFacts[];
  /** Disputes opened in the 12 months before `asOf`. */
  disputes: DisputeFacts[];
  /** Calls where the account said it will not pay, in the 12 months before `asOf`. */
  willNotPay: Array<{ customerId: string; on: LocalDate }>;
}

const DISPUTE_CATEGORIES: Record<string, string> = { pricing: 'pricing', not_received: 'goods not received', quality: 'quality', missing_po: 'missing purchase order', billing_contact: 'billing contact', other: 'other' };
const broke = (status: PromiseFacts['status']) => status === 'broken' || status === 'partly_kept';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const latest = <T>(rows: T[], date: (row: T) => LocalDate): T | undefined => rows.reduce<T | undefined>((last, row) => (!last || date(row) > date(last) ? row : last), undefined);

/** What to do with one account, sentence by sentence, from its facts; firmness only where nothing is being kept. */
function attackPlan(facts: {
  asOf: LocalDate;
  money: (cents: Cents) => string;
  level: Level;
  invoices: AccountInvoice[];
  promises: PromiseFacts[];
  disputes: DisputeFacts[];
  willNotPay: Array<{ on: LocalDate }>;
}): string {
  const { money } = facts;
  const sentences: string[] = [];
  const plans = [...groupBy(facts.promises.filter((p) => p.planId), (p) => p.planId!).values()];
  const plan = latest(plans, (installments) => installments[0]!.madeOn);
  const planKept = Boolean(plan && !plan.some((i) => broke(i.status)));
  const single = facts.promises.filter((p) => !p.planId);
  const brokenPromises = [...single.filter((p) => broke(p.status)), ...plans.filter((p) => p.some((i) => broke(i.status))).map((p) => p.find((i) => broke(i.status))!)];
  const disputedIds = new Set(facts.disputes.filter((d) => d.open).flatMap((d) => d.invoiceIds));
  const overdue = facts.invoices.filter((i) => i.balance > 0 && i.dueDate < facts.asOf);
  const over60 = overdue.filter((i) => daysBetween(i.dueDate, facts.asOf) > 60 && !disputedIds.has(i.id));

  if (plan && planKept) {
    const kept = plan.filter((i) => i.status === 'kept');
    const next = plan.filter((i) => i.status === 'open').sort((a, b) => a.dueOn.localeCompare(b.dueOn))[0];
    sentences.push(
      next
        ? `Payment plan agreed on ${plan[0]!.madeOn} and kept so far (${kept.length} of ${plan.length} installments paid): confirm the next installment, ${money(next.amount)} due ${next.dueOn}; keep to the plan and do not press for more`
        : `Payment plan agreed on ${plan[0]!.madeOn} paid in full (${plural(plan.length, 'installment')}): thank them and agree how the next invoices will be paid`,
    );
  }
  if (brokenPromises.length) {
    const last = latest(brokenPromises, (p) => p.dueOn)!;
    const smaller = Math.max(1, Math.floor(last.amount / 2));
    sentences.push(`${plural(brokenPromises.length, 'broken promise')}, the last ${money(last.amount)} due ${last.dueOn}: ask for a smaller amount now (${money(smaller)}) and a date for the rest; confirm it in writing the same day and call on that date`);
  }
  for (const dispute of facts.disputes.filter((d) => d.open)) {
    const docs = facts.invoices.filter((i) => dispute.invoiceIds.includes(i.id)).map((i) => i.docNumber ?? i.id);
    const undisputed = overdue.filter((i) => !disputedIds.has(i.id)).reduce((sum, i) => sum + i.balance, 0);
    sentences.push(`Dispute open since ${dispute.openedOn} (${DISPUTE_CATEGORIES[dispute.category] ?? dispute.category}${docs.length ? `, invoice${docs.length > 1 ? 's' : ''} ${docs.join(', ')}` : ''}): resolve the dispute first with the person who approves payment${undisputed > 0 ? `, then ask for the undisputed ${money(undisputed)}` : ''}`);
  }
  const refusal = latest(facts.willNotPay, (w) => w.on);
  const over60Total = over60.reduce((sum, i) => sum + i.balance, 0);
  const escalation = facts.level >= 4 ? 'the final notice has gone: hand the account to the collection agency or file in small claims, and tell them the date' : `send the ${facts.level >= 3 ? 'final notice' : 'demand letter'} now and name the escalation (collection agency or small claims) with its date`;
  if (refusal) {
    sentences.push(`Said they will not pay on ${refusal.on}${over60.length ? ` (${money(over60Total)} over 60 days)` : ''}: ${escalation}`);
  } else if (over60.length && planKept) {
    sentences.push(`${plural(over60.length, 'invoice')} over 60 days (${money(over60Total)}) ${over60.length === 1 ? 'is' : 'are'} in the plan: no escalation while it is kept`);
  } else if (over60.length) {
    const oldest = Math.max(...over60.map((i) => daysBetween(i.dueDate, facts.asOf)));
    sentences.push(`${plural(over60.length, 'invoice')} over 60 days overdue (${money(over60Total)}, the oldest ${oldest} days): be firm; ${escalation}`);
  }
  return sentences.join('. ') + (sentences.length ? '.' : '');
}


/**
 * The month's difficult customers (paying accounts), as of the day the list is fixed: ranked by
 * broken promises × 2 + disputes + invoices over 60 days overdue + refusals to pay (a "will not
 * pay" is a difficulty too), then by balance; each with an attack plan from its facts. A payment
 * plan counts as one promise: broken when an installment was.
 */
export function difficultCustomers(input: DifficultCustomersInput): DifficultCustomer[] {
  const money = (cents: Cents) => formatMoney(cents, input.currency);
  const byAccount = <T extends { customerId: string }>(rows: T[]) => groupBy(rows, (r) => r.customerId);
  const invoices = byAccount(input.invoices);
  const promises = byAccount(input.promises);
  const disputes = byAccount(input.disputes);
  const refusals = byAccount(input.willNotPay);
  return input.accounts
    .map((account) => {
      const own = invoices.get(account.id) ?? [];
      const made = promises.get(account.id) ?? [];
      const brokenPromises = [...groupBy(made, (p) => p.planId ?? p.id).values()].filter((group) => group.some((p) => broke(p.status))).length;
      const disputeCount = (disputes.get(account.id) ?? []).length;
      const over60 = own.filter((i) => i.balance > 0 && daysBetween(i.dueDate, input.asOf) > 60).length;
      const willNotPay = (refusals.get(account.id) ?? []).length;
      const balance = own.reduce((sum, i) => sum + Math.max(0, i.balance), 0);
      const overdueBalance = own.filter((i) => i.dueDate < input.asOf).reduce((sum, i) => sum + Math.max(0, i.balance), 0);
      const score = brokenPromises * 2 + disputeCount + over60 + willNotPay;
      const plan = score > 0 ? attackPlan({ asOf: input.asOf, money, level: account.level, invoices: own, promises: made, disputes: disputes.get(account.id) ?? [], willNotPay: refusals.get(account.id) ?? [] }) : '';
      return { customerId: account.id, name: account.name, brokenPromises, disputes: disputeCount, invoicesOver60: over60, willNotPay, balance, overdueBalance, score, attackPlan: plan };
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
