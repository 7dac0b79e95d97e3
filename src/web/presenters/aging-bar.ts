import { sumCents, type Cents } from '../../collections/money';
import { aging, AGING_BUCKETS, type AgingBucket } from '../../collections/reports';
import type { LocalDate } from '../../collections/calendar';

const LABELS: Record<AgingBucket, string> = { current: 'Not yet due', '1-30': '1-30 days', '31-60': '31-60 days', '61-90': '61-90 days', '90+': 'Over 90 days' };

/** A customer's open balance by age as one bar: each bucket's share of it, in whole percent, and its amount. */
export function agingBar(invoices: ReadonlyArray<{ dueDate: LocalDate; balance: Cents }>, today: LocalDate) {
  // Only the due date and the balance decide a bucket.
  const totals = aging(invoices.map((i) => ({ customerId: '', dueDate: i.dueDate, balance: i.balance, txnDate: i.dueDate, total: i.balance })), today);
  const total = sumCents(Object.values(totals));
  return {
    total,
    buckets: AGING_BUCKETS.map((bucket) => ({ bucket, label: LABELS[bucket], amount: totals[bucket], tone: bucket === '90+' ? '90' : bucket, width: total > 0 ? Math.round((totals[bucket] / total) * 100) : 0 })),
  };
}
