import { addDays, type LocalDate } from '../collections/calendar';
import type { Level } from '../collections/model';
import { sumCents } from '../collections/money';
import { nextCallDay } from '../collections/playbook';
import { aging, ASK_MESSAGE_KINDS, balancesAsOf, daysSalesOutstanding, difficultCustomers, keptWhen, results, systemsLog, type AgingInvoice, type DifficultCustomer, type PaymentRecord } from '../collections/reports';
import type { PlaybookSettings } from '../collections/settings';
import { weeklyResults } from '../collections/weekly-results';
import type { CallTasksRepository } from '../db/call-tasks-repository';
import type { CoverageRepository } from '../db/coverage-repository';
import { mayBeContacted } from '../collections/do-not-contact';
import type { ReportPayment, ReportsRepository, StoredDifficultCustomer, StoredDifficultList } from '../db/reports-repository';
import type { AccountDirectoryService } from './account-directory';
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
  settings: Pick<CompanySettingsService, 'company' | 'settingsOf' | 'todayIn'>;
  directory: Pick<AccountDirectoryService, 'ensure'>;
  reports: ReportsRepository;
  tasks: Pick<CallTasksRepository, 'wantDifficultCustomerReason'>;
  /** Whether an account may be contacted: one marked do not contact gets no difficult-customer task. */
  coverage: Pick<CoverageRepository, 'contactFacts'>;
}

/** The month's difficult customers as fixed on its first day; money in cents. */
export interface DifficultCustomersReport {
  month: string;
  /** The day the list stands on: the first of the month. */
  asOf: LocalDate;
  /** When it was fixed (the first day the month's list was asked for). */
  fixedOn: LocalDate;
  customers: StoredDifficultCustomer[];
}

/** The read models that look back: results of the collection work, aging and DSO, difficult customers, the systems log. */
export class ReportsService {
  constructor(private readonly deps: ReportsDeps) {}

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
   * and DSO as of the period's end (today at the latest); money in cents. Kept promises count
   * apart as kept on their date and kept within the grace days (`promiseGraceDays`) after it.
   */
  async results(realmId: string, period: { from?: LocalDate; to?: LocalDate }) {
    const settings = await this.deps.settings.settingsOf(realmId);
    const today = this.deps.settings.todayIn(settings);
    const to = period.to ?? today;
    const from = period.from ?? addDays(to, -29);
    const asOf = to < today ? to : today;
    const { reports } = this.deps;
    // Payments to today: a promise made in the period may have been kept after it (every measure below keeps to its own dates).
    const [calls, messages, promises, paymentRows, due] = await Promise.all([
      reports.calls(realmId, to),
      reports.sentMessages(realmId, ASK_MESSAGE_KINDS, to, settings.timezone),
      reports.promisesMade(realmId, from, to),
      reports.paymentsUntil(realmId, to > today ? to : today),
      reports.promisesDue(realmId, from, to),
    ]);
    const payments = paymentRows.map(paymentRecord);
    const invoices = await this.invoicesAsOf(realmId, asOf, today, payments);
    const timing = keptWhen(
      promises.map((p) => ({ id: p.id, planId: p.plan_id, invoiceIds: p.invoice_ids, amount: p.amount, dueOn: p.due_on, madeOn: p.made_on, status: p.status, settledOn: p.settled_on })),
      payments,
    );
    return {
      from,
      to,
      agingAsOf: asOf,
      weekly: weeklyResults(from, to, payments, due.map((p) => ({ dueOn: p.due_on, amount: p.amount, kept: p.status === 'kept' }))),
      promiseGraceDays: settings.promiseGraceDays,
      aging: aging(invoices, asOf),
      dso: daysSalesOutstanding(invoices, asOf),
      ...results({
        from,
        to,
        calls: calls.map((c) => ({ customerId: c.customer_id, on: c.occurred_on, reached: c.reached, invoiceIds: c.invoice_ids })),
        messages: messages.map((m) => ({ kind: m.kind, on: m.sent_on, invoiceIds: m.invoice_ids })),
        // A payment plan is one promise for these measures; it counts as kept only if every
        // installment was, and as kept on the date only if every installment was paid by its date.
        promises: [...groupBy(promises, (p) => p.plan_id ?? p.id).values()].map((group) => ({
          customerId: group[0]!.customer_id,
          madeOn: group[0]!.made_on,
          status: group.some((p) => p.status === 'broken' || p.status === 'partly_kept') ? 'broken' : group.every((p) => p.status === 'kept') ? 'kept' : 'open',
          kept: group.some((p) => timing.get(p.id) === 'within_grace') ? 'within_grace' : 'on_date',
        })),
        payments,
      }),
    };
  }

  /**
   * The month's difficult customers: the list fixed on the first of the month, fixing it now if
   * this is the month's first look (the daily cadence run looks first). Fixing it puts a
   * "difficult customer" reason on each listed account that owes overdue money, due on its next
   * call day.
   */
  async difficultCustomers(realmId: string, day?: LocalDate): Promise<DifficultCustomersReport> {
    const settings = await this.deps.settings.settingsOf(realmId);
    const today = day ?? this.deps.settings.todayIn(settings);
    const month = today.slice(0, 7);
    let list = await this.deps.reports.difficultList(realmId, month);
    if (!list) {
      const asOf = `${month}-01`;
      const customers = await this.rankDifficultCustomers(realmId, asOf);
      await this.deps.reports.storeDifficultList(realmId, { month, asOf, fixedOn: today, customers });
      list = (await this.deps.reports.difficultList(realmId, month))!;
    }
    if (!list.tasksRecorded) {
      await this.recordDifficultTasks(realmId, list, today, settings);
      await this.deps.reports.markDifficultTasksRecorded(realmId, month);
    }
    return { month: list.month, asOf: list.asOf, fixedOn: list.fixedOn, customers: list.customers };
  }

  /** Who pays for each customer (sub-customers roll up), and each paying account's type. */
  private async directoryOf(realmId: string) {
    await this.deps.directory.ensure(realmId);
    const rows = await this.deps.reports.accounts(realmId);
    const payerOf = new Map(rows.map((r) => [r.customer_id, r.payer_id]));
    const typeOf = new Map(rows.map((r) => [r.customer_id, r.customer_type]));
    return { payer: (id: string) => payerOf.get(id) ?? id, type: (id: string) => typeOf.get(id) ?? 'commercial' };
  }

  /** The ranking as the facts stood at the start of `asOf`: what was recorded before it, balances after the payments dated before it. */
  private async rankDifficultCustomers(realmId: string, asOf: LocalDate): Promise<DifficultCustomer[]> {
    const { reports } = this.deps;
    const since = addDays(asOf, -365);
    const before = addDays(asOf, -1);
    const [company, directory, customers, invoiceRows, paymentRows, levelRows, promiseRows, disputeRows, refusalRows] = await Promise.all([
      this.deps.settings.company(realmId),
      this.directoryOf(realmId),
      reports.customers(realmId),
      reports.invoices(realmId),
      reports.paymentsUntil(realmId, before),
      reports.levels(realmId),
      reports.promisesMadeBetween(realmId, since, asOf),
      reports.disputesOpenedBetween(realmId, since, asOf),
      reports.refusalsBetween(realmId, since, asOf),
    ]);
    const names = new Map(customers.map((c) => [c.id, c.display_name]));
    const levels = new Map(levelRows.map((r) => [r.invoice_id, r.level]));
    const invoices = balancesAsOf(
      invoiceRows.map((r) => ({ id: r.id, docNumber: r.doc_number, customerId: directory.payer(r.customer_id), txnDate: r.txn_date, dueDate: r.due_date ?? r.txn_date, total: r.total })),
      paymentRows.map(paymentRecord),
      before,
    );
    const accountLevel = new Map<string, Level>();
    for (const invoice of invoices) {
      const level = (levels.get(invoice.id) ?? 0) as Level;
      if (invoice.balance > 0 && level > (accountLevel.get(invoice.customerId) ?? 0)) accountLevel.set(invoice.customerId, level);
    }
    const promises = promiseRows.map((p) => ({ id: p.id, customerId: directory.payer(p.customer_id), planId: p.plan_id, amount: p.amount, dueOn: p.due_on, madeOn: p.made_on, status: p.settled_on && p.settled_on < asOf ? p.status : ('open' as const) }));
    const disputes = disputeRows.map((d) => ({ customerId: directory.payer(d.customer_id), category: d.category, openedOn: d.opened_on, open: d.status === 'open' || (d.resolved_on !== null && d.resolved_on >= asOf), invoiceIds: d.invoice_ids }));
    const willNotPay = refusalRows.map((r) => ({ customerId: directory.payer(r.customer_id), on: r.occurred_on }));
    const payers = new Set([...invoices, ...promises, ...disputes, ...willNotPay].map((row) => row.customerId));
    return difficultCustomers({
      asOf,
      currency: company.currency,
      accounts: [...payers].map((id) => ({ id, name: names.get(id) ?? id, level: accountLevel.get(id) ?? 0 })),
      invoices,
      promises,
      disputes,
      willNotPay,
    });
  }

  /** Each listed account that owes overdue money gets the reason on its task, due on its next call day. */
  private async recordDifficultTasks(realmId: string, list: StoredDifficultList, today: LocalDate, settings: PlaybookSettings): Promise<void> {
    const owing = list.customers.filter((c) => c.overdueBalance > 0);
    if (!owing.length) return;
    const [directory, invoiceRows, levelRows] = await Promise.all([this.directoryOf(realmId), this.deps.reports.invoices(realmId), this.deps.reports.levels(realmId)]);
    const levels = new Map(levelRows.map((r) => [r.invoice_id, r.level]));
    const accountLevel = new Map<string, number>();
    for (const invoice of invoiceRows) {
      const payer = directory.payer(invoice.customer_id);
      if (invoice.balance > 0) accountLevel.set(payer, Math.max(accountLevel.get(payer) ?? 1, levels.get(invoice.id) ?? 1));
    }
    for (const customer of owing) {
      if (!mayBeContacted(await this.deps.coverage.contactFacts(realmId, customer.customerId), customer.customerId)) continue;
      await this.deps.tasks.wantDifficultCustomerReason(realmId, {
        customerId: customer.customerId,
        level: (accountLevel.get(customer.customerId) ?? 1) as Level,
        scheduledFor: nextCallDay(today, directory.type(customer.customerId), settings),
        createdOn: today,
        month: list.month,
      });
    }
  }

  async systemsLog(realmId: string) {
    const rows = await this.deps.reports.disputes(realmId);
    return { entries: systemsLog(rows.map((r) => ({ category: r.category, openedOn: r.opened_on }))) };
  }
}

export type ResultsReport = Awaited<ReturnType<ReportsService['results']>>;
