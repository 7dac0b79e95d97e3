import { addDays, daysBetween, isBusinessDay, weekday, type LocalDate } from '../../src/collections/calendar';
import { centsToNumber, toCents, type Cents } from '../../src/collections/money';
import type { AccountAnswer, ArdeskClient, ListItem } from './ardesk-client';
import type { CompanyPlan, PaymentTiming, Script } from './company-plan';
import type { Dice } from './dice';

/** A payment the collector's calls set in motion: a customer paying (part of) what it promised. */
export interface PromisedPayment {
  on: LocalDate;
  invoiceId: string;
  cents: Cents;
  timing: PaymentTiming;
}

type PromiseKind = 'all' | 'part' | 'roundedUp' | 'round_figure';

export function nextBusinessDay(date: LocalDate): LocalDate {
  let day = date;
  while (!isBusinessDay(day)) day = addDays(day, 1);
  return day;
}

function nextMonday(date: LocalDate): LocalDate {
  let day = date;
  while (weekday(day) !== 1) day = addDays(day, 1);
  return day;
}

/** The account's open overdue invoices, oldest first. */
function overdueOf(account: AccountAnswer): AccountAnswer['openInvoices'] {
  return account.openInvoices.filter((i) => i.daysOverdue > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
}

/**
 * The collector working the day's list through the JSON API, and the customers' answers: no
 * answer at the top of the list; a promise for all, part or a round figure of an account's
 * overdue money, then kept, partly kept or broken as the dice say (the payments are handed back
 * to be entered in QuickBooks on their day); now and then a dispute or a call back. Customers
 * with a script (company-plan.ts) are called, or not, as it says.
 */
export class Collector {
  readonly outcomes: Record<string, number> = {};
  /** Customers who made a promise in this run. */
  private readonly promised = new Set<string>();
  private readonly scripts: Map<string, Script | undefined>;

  constructor(
    private readonly dice: Dice,
    private readonly ardesk: ArdeskClient,
    plan: CompanyPlan,
  ) {
    this.scripts = new Map(plan.customers.map((c) => [c.id, c.script]));
  }

  /** The day's calls (the `index`th business day); answers the payments they lead to. */
  async work(day: LocalDate, index: number, list: ListItem[], accounts: ReadonlyMap<string, AccountAnswer>): Promise<PromisedPayment[]> {
    const payments: PromisedPayment[] = [];
    const script = (item: ListItem) => this.scripts.get(item.customer.id);
    const candidates = list.filter((item) => toCents(item.overdueBalance) > 0 && script(item) !== 'settles_after_the_run');
    const take = () => (candidates.length ? candidates.splice(this.dice.int(0, Math.min(candidates.length - 1, 3)), 1)[0] : undefined);
    const promise = async (item: ListItem, kind: PromiseKind) => payments.push(...(await this.promise(day, item, accounts.get(item.customer.id)!, kind)));

    const roundFigure = candidates.findIndex((item) => script(item) === 'promises_a_round_figure' && !this.promised.has(item.customer.id));
    if (roundFigure >= 0) await promise(candidates.splice(roundFigure, 1)[0]!, 'round_figure');
    const unanswered = candidates.shift();
    if (unanswered) await this.record(unanswered, { outcome: index % 2 ? 'no_answer' : 'voicemail' });
    const promising = take();
    if (promising) await promise(promising, this.dice.weighted({ all: 45, part: 35, roundedUp: 20 }));
    if (index % 6 === 3) {
      const disputing = take();
      const oldest = disputing && overdueOf(accounts.get(disputing.customer.id)!)[0];
      if (disputing && oldest) {
        const category = this.dice.pick(['pricing', 'not_received', 'quality', 'missing_po'] as const);
        await this.record(disputing, { outcome: 'disputes', dispute: { category, text: `Simulated: the customer questions invoice ${oldest.number} (${category})`, invoiceIds: [oldest.id] } });
      }
    }
    if (index % 9 === 5) {
      const calling = take();
      if (calling) await this.record(calling, { outcome: 'call_back', callBackOn: addDays(day, 3) });
    }
    return payments;
  }

  private async record(item: ListItem, outcome: Record<string, unknown>): Promise<void> {
    await this.ardesk.recordOutcome(item.taskId, outcome);
    const name = String(outcome.outcome);
    this.outcomes[name] = (this.outcomes[name] ?? 0) + 1;
  }

  /**
   * A promise covering the account's overdue invoices (the API's default), and the payments
   * that answer it. `all`: what is overdue, to the cent; `part`: a round part of it;
   * `roundedUp`: a round figure a little above it; `round_figure` (the script): a round figure
   * above everything it owes, then every open invoice paid to the cent before the date.
   */
  private async promise(day: LocalDate, item: ListItem, account: AccountAnswer, kind: PromiseKind): Promise<PromisedPayment[]> {
    const dice = this.dice;
    const overdue = overdueOf(account);
    const overdueCents = overdue.reduce((sum, i) => sum + toCents(i.balance), 0);
    const openCents = account.openInvoices.reduce((sum, i) => sum + toCents(i.balance), 0);
    const amount =
      kind === 'round_figure'
        ? Math.floor(openCents / 5000) * 5000 + 5000
        : kind === 'all' || overdueCents < 2000
          ? overdueCents
          : kind === 'part'
            ? Math.round((overdueCents * dice.pick([0.3, 0.5])) / 1000) * 1000 || overdueCents
            : Math.ceil(overdueCents / 1000) * 1000;
    // The script's promise falls due on a Monday: it is judged, after the grace days, on a Thursday, a day the checks look.
    const dueOn = kind === 'round_figure' ? nextMonday(addDays(day, 2)) : nextBusinessDay(addDays(day, dice.int(2, 8)));
    await this.record(item, { outcome: 'promised', promise: { amount: centsToNumber(amount), dueOn }, notes: `Simulated promise of ${centsToNumber(amount)} by ${dueOn}` });
    this.promised.add(item.customer.id);
    const payOn = nextBusinessDay(addDays(day, dice.int(1, Math.max(1, daysBetween(day, dueOn)))));
    const on = payOn > dueOn ? dueOn : payOn;
    const timing: PaymentTiming = dice.chance(0.3) ? 'before_send' : 'morning';
    if (kind === 'round_figure') return account.openInvoices.map((invoice) => ({ on, invoiceId: invoice.id, cents: toCents(invoice.balance), timing: 'morning' }));

    const fate = dice.weighted({ kept: 55, partly: 15, broken: 30 });
    if (fate === 'broken') return [];
    const payments: PromisedPayment[] = [];
    let left = fate === 'kept' ? amount : Math.round(amount / 2);
    for (const invoice of overdue) {
      if (left <= 0) break;
      const cents = Math.min(left, toCents(invoice.balance));
      payments.push({ on, invoiceId: invoice.id, cents, timing });
      left -= cents;
    }
    return payments;
  }
}
