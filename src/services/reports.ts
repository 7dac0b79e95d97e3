import { addDays, type LocalDate } from '../collections/calendar';
import { sumCents } from '../collections/money';
import { aging, ASK_MESSAGE_KINDS, balancesAsOf, daysSalesOutstanding, difficultCustomers, results, systemsLog, type AgingInvoice, type PaymentRecord } from '../collections/reports';
import type { ReportPayment, ReportsRepository } from '../db/reports-repository';
import type { CompanySettingsService } from './company-settings';

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

function paymentRecord(payment: ReportPayment): PaymentRecord {
  return {
    txnDate: payment.txn_date,
    appliedTo: payment.lines.filter((a) => a.type === 'Invoice').map((a) => ({ invoiceId: a.id, amount: a.amount })),
    creditApplied: sumCents(payment.lines.filter((a) => a.type === 'CreditMemo').map((a) => a.amount)),
  };
}

export interface ReportsDeps {
  settings: Pick<CompanySettingsService, 'settingsOf' | 'todayIn'>;
  reports: ReportsRepository;
}

/** The read models that look back: results of the collection work, aging and DSO, difficult customers, the systems log. */
export class ReportsService {
  constructor(private readonly deps: ReportsDeps) {}

  private async invoicesOf(realmId: string): Promise<AgingInvoice[]> {
    const rows = await this.deps.reports.invoices(realmId);
    return rows.map((r) => ({ customerId: r.customer_id, txnDate: r.txn_date, dueDate: r.due_date ?? r.txn_date, total: r.total, balance: r.balance }));
  }

  /**
   * The invoices as they stood at the end of `day`: today's balances for today (what every page
   * shows), and for a past day the balances the history gives (total less what was applied by then).
   */
  private async invoicesAsOf(realmId: string, day: LocalDate, today: LocalDate, payments: PaymentRecord[]): Promise<AgingInvoice[]> {
    const rows = await this.deps.reports.invoices(realmId);
    if (day >= today) return rows.map((r) => ({ customerId: r.customer_id, txnDate: r.txn_date, dueDate: r.due_date ?? r.txn_date, total: r.total, balance: r.balance }));
    return balancesAsOf(rows.map((r) => ({ id: r.id, customerId: r.customer_id, txnDate: r.txn_date, dueDate: r.due_date ?? r.txn_date, total: r.total })), payments, day);
  }

  /**
   * The results of the collection work over a period (default: the 30 days to today), with aging
   * and DSO as of the period's end (today at the latest); money in cents.
   */
  async results(realmId: string, period: { from?: LocalDate; to?: LocalDate }) {
    const settings = await this.deps.settings.settingsOf(realmId);
    const today = this.deps.settings.todayIn(settings);
    const to = period.to ?? today;
    const from = period.from ?? addDays(to, -29);
    const asOf = to < today ? to : today;
    const { reports } = this.deps;
    const [calls, messages, promises, paymentRows] = await Promise.all([
      reports.calls(realmId, to),
      reports.sentMessages(realmId, ASK_MESSAGE_KINDS, to, settings.timezone),
      reports.promisesMade(realmId, from, to),
      reports.paymentsUntil(realmId, to),
    ]);
    const payments = paymentRows.map(paymentRecord);
    const invoices = await this.invoicesAsOf(realmId, asOf, today, payments);
    return {
      from,
      to,
      agingAsOf: asOf,
      aging: aging(invoices, asOf),
      dso: daysSalesOutstanding(invoices, asOf),
      ...results({
        from,
        to,
        calls: calls.map((c) => ({ customerId: c.customer_id, on: c.occurred_on, reached: c.reached, invoiceIds: c.invoice_ids })),
        messages: messages.map((m) => ({ kind: m.kind, on: m.sent_on, invoiceIds: m.invoice_ids })),
        // A payment plan is one promise for these measures; it counts as kept only if every installment was.
        promises: [...groupBy(promises, (p) => p.plan_id ?? p.id).values()].map((group) => ({
          customerId: group[0]!.customer_id,
          madeOn: group[0]!.made_on,
          status: group.some((p) => p.status === 'broken' || p.status === 'partly_kept') ? 'broken' : group.every((p) => p.status === 'kept') ? 'kept' : 'open',
        })),
        payments,
      }),
    };
  }

  /** The month's difficult customers (broken promises and disputes of the last 12 months); balances in cents. */
  async difficultCustomers(realmId: string) {
    const today = this.deps.settings.todayIn(await this.deps.settings.settingsOf(realmId));
    const since = addDays(today, -365);
    const { reports } = this.deps;
    const [customers, invoices, broken, disputes] = await Promise.all([
      reports.customers(realmId),
      this.invoicesOf(realmId),
      reports.brokenPromisesSince(realmId, since),
      reports.disputesSince(realmId, since),
    ]);
    return {
      month: today.slice(0, 7),
      customers: difficultCustomers({
        today,
        customers: customers.map((c) => ({ id: c.id, name: c.display_name })),
        invoices,
        brokenPromises: broken.map((b) => ({ customerId: b.customer_id })),
        disputes: disputes.map((d) => ({ customerId: d.customer_id })),
      }),
    };
  }

  async systemsLog(realmId: string) {
    const rows = await this.deps.reports.disputes(realmId);
    return { entries: systemsLog(rows.map((r) => ({ category: r.category, openedOn: r.opened_on }))) };
  }
}

export type ResultsReport = Awaited<ReturnType<ReportsService['results']>>;
export type DifficultCustomersReport = Awaited<ReturnType<ReportsService['difficultCustomers']>>;
