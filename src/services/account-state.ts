import type { AppContext } from '../app-context';
import type { LocalDate } from '../collections/calendar';
import { todayFor } from '../jobs/cadence';
import { customerFile } from '../web/presenters/customer-file';

/**
 * The state of one paying account on one business day, as the call sheet shows it: the same
 * figures the work list carries for the account's task (both read the account directory's
 * "who pays" and the same open invoices). A day after today is a projection and says so.
 */
export async function accountState(context: AppContext, realmId: string, customerId: string, day?: LocalDate) {
  const file = await customerFile(context, realmId, customerId, day);
  const company = (await context.repos.companies.find(realmId))!;
  const today = await todayFor(context, realmId, company.timezone);
  const oldest = file.overdue.reduce((max, i) => Math.max(max, i.daysOverdue), 0);
  return {
    date: file.today,
    projected: file.today > today,
    customer: { id: file.customer.id, name: file.customer.name, type: file.customer.type },
    openBalance: file.openBalance,
    overdueBalance: file.overdueBalance,
    oldestDaysOverdue: oldest,
    level: file.openInvoices.reduce((max, i) => Math.max(max, i.level), 0),
    escalationCandidate: file.openInvoices.some((i) => i.escalation),
    openInvoices: file.openInvoices.map((i) => ({ id: i.id, number: i.number, dueDate: i.dueDate, balance: i.balance, daysOverdue: i.daysOverdue, level: i.level })),
    task: file.openTask,
  };
}

export type AccountState = Awaited<ReturnType<typeof accountState>>;
