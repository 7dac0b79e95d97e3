import { addDays, weekday, type LocalDate } from './calendar';
import { sumCents, type Cents } from './money';
import type { PaymentRecord } from './reports';

/** A promise by the day it fell due, and whether it was kept (on its date or within grace). */
export interface DuePromise {
  dueOn: LocalDate;
  amount: Cents;
  kept: boolean;
}

export interface WeekOfResults {
  /** The Monday the week starts on. */
  weekOf: LocalDate;
  /** Money paid on invoices that week (credits applied are not money coming in). */
  collected: Cents;
  promisesDue: number;
  promisesKept: number;
  promisedAmountDue: Cents;
  promisedAmountKept: Cents;
}

/** What a payment brought in: what it paid on invoices, less the credits it applied with it. */
function moneyIn(payment: PaymentRecord): Cents {
  return Math.max(0, sumCents(payment.appliedTo.map((line) => line.amount)) - (payment.creditApplied ?? 0));
}

/** The Monday of a date's week. */
export function mondayOf(date: LocalDate): LocalDate {
  return addDays(date, -((weekday(date) + 6) % 7));
}

/**
 * The period's weeks, Monday to Sunday, first and last cut to the period: what came in on
 * invoices each week, and the promises that fell due each week against those kept.
 */
export function weeklyResults(from: LocalDate, to: LocalDate, payments: readonly PaymentRecord[], promises: readonly DuePromise[]): WeekOfResults[] {
  const weeks: WeekOfResults[] = [];
  for (let monday = mondayOf(from); monday <= to; monday = addDays(monday, 7)) {
    const start = monday < from ? from : monday;
    const sunday = addDays(monday, 6);
    const end = sunday > to ? to : sunday;
    const inWeek = (day: LocalDate) => day >= start && day <= end;
    const due = promises.filter((p) => inWeek(p.dueOn));
    const kept = due.filter((p) => p.kept);
    weeks.push({
      weekOf: monday,
      collected: sumCents(payments.filter((p) => inWeek(p.txnDate)).map(moneyIn)),
      promisesDue: due.length,
      promisesKept: kept.length,
      promisedAmountDue: sumCents(due.map((p) => p.amount)),
      promisedAmountKept: sumCents(kept.map((p) => p.amount)),
    });
  }
  return weeks;
}
