import { addDays, type LocalDate } from '../collections/calendar';
import { aging, daysSalesOutstanding, difficultCustomers, results, systemsLog, type AgingInvoice } from '../collections/reports';
import type { ReportsRepository } from '../db/reports-repository';
import type { CompanySettingsService } from './company-settings';

const DUNNING = ['reminder', 'second_notice', 'demand_letter', 'final_notice'];

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

export interface ReportsDeps {
  settings: Pick<CompanySettingsService, 'todayOf'>;
  reports: ReportsRepository;
}

/** The read models that look back: results of the collection work, aging and DSO, difficult customers, the systems log. */
export class ReportsService {
  constructor(private readonly deps: ReportsDeps) {}

  private async invoicesOf(realmId: string): Promise<AgingInvoice[]> {
    const rows = await this.deps.reports.invoices(realmId);
    return rows.map((r) => ({ customerId: r.customer_id, txnDate: r.txn_date, dueDate: r.due_date ?? r.txn_date, total: r.total, balance: r.balance }));
  }

  /** Aging, DSO and the results of collection work over a period (default: the last 30 days); money in cents. */
  async results(realmId: string, period: { from?: LocalDate; to?: LocalDate }) {
    const today = await this.deps.settings.todayOf(realmId);
    const to = period.to ?? today;
    const from = period.from ?? addDays(to, -29);
    const { reports } = this.deps;
    const [invoices, calls, emailsSent, promises, contacts, payments] = await Promise.all([
      this.invoicesOf(realmId),
      reports.calls(realmId),
      reports.sentCount(realmId, DUNNING, from),
      reports.promises(realmId),
      reports.contacts(realmId),
      reports.paymentsSince(realmId, from),
    ]);
    return {
      from,
      to,
      aging: aging(invoices, to),
      dso: daysSalesOutstanding(invoices, to),
      ...results({
        from,
        to,
        calls: calls.map((c) => ({ customerId: c.customer_id, on: c.occurred_on, reached: Boolean((c.details as { reached?: boolean }).reached) })),
        emailsSent,
        // A payment plan is one promise for these measures; it counts as kept only if every installment was.
        promises: [...groupBy(promises, (p) => p.plan_id ?? p.id).values()].map((group) => ({
          customerId: group[0]!.customer_id,
          madeOn: group[0]!.made_on,
          status: group.some((p) => p.status === 'broken' || p.status === 'partly_kept') ? 'broken' : group.every((p) => p.status === 'kept') ? 'kept' : 'open',
        })),
        contacts: contacts.flatMap((c) => c.invoice_ids.map((invoiceId) => ({ invoiceId, on: c.occurred_on }))),
        payments: payments.map((p) => ({ txnDate: p.txn_date, appliedTo: p.lines.filter((a) => a.type === 'Invoice').map((a) => ({ invoiceId: a.id, amount: a.amount })) })),
      }),
    };
  }

  /** The month's difficult customers (broken promises and disputes of the last 12 months); balances in cents. */
  async difficultCustomers(realmId: string) {
    const today = await this.deps.settings.todayOf(realmId);
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
