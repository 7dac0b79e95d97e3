import type { AppContext } from '../app-context';
import { daysBetween, localMoment, type LocalDate } from '../collections/calendar';
import type { Level } from '../collections/model';
import { describeTask, type WorkListItem } from '../collections/worklist';
import type { WorkListFilter } from '../db/worklist-repository';
import { NotFoundError } from '../errors';
import { AccountDirectoryService } from '../services/account-directory';
import { settingsFor } from './cadence';

export interface WorkList {
  date: LocalDate;
  /** How many calls the day holds (after filters); `items` is one page of them, largest first. */
  total: number;
  /** The overdue money of the customers on the list (each customer counted once). */
  totalOverdue: number;
  items: WorkListItem[];
}

export const WORKLIST_PAGE = 100;

/**
 * The calls to make on a day (today by the business clock unless given), largest first. The
 * database orders and pages the list and finds the A accounts; the playbook's `describeTask`
 * flags the lines of the page.
 */
export async function workListFor(context: AppContext, realmId: string, date?: LocalDate, page: { limit?: number; offset?: number } = {}, filter: WorkListFilter = {}): Promise<WorkList> {
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  const settings = await settingsFor(context, realmId, company.timezone);
  const now = context.clock.businessNow();
  const day = date ?? localMoment(now, settings.timezone).date;
  await new AccountDirectoryService(context.repos.accounts).ensure(realmId);
  const rows = await context.repos.workList.page(realmId, day, settings.aAccountShare, page.limit ?? WORKLIST_PAGE, page.offset ?? 0, filter);
  const items = rows.map((row) =>
    describeTask(
      { id: row.id, customerId: row.customer_id, level: row.level as Level, reason: row.reason, reasons: row.reasons, scheduledFor: row.scheduled_for, createdOn: row.created_on },
      {
        customer: row.display_name === null ? undefined : { id: row.customer_id, name: row.display_name, companyName: row.company_name, email: row.email, parentId: row.parent_id },
        type: row.customer_type ?? undefined,
        overdueBalance: Number(row.balance),
        oldestDaysOverdue: row.oldest_due ? daysBetween(row.oldest_due, day) : 0,
        aAccount: row.a_account,
        tough: row.tough,
      },
      day,
      settings,
      now,
    ),
  );
  // A page past the end has no rows to carry the totals: ask again for the first row.
  const first = rows[0] ?? (page.offset ? (await context.repos.workList.page(realmId, day, settings.aAccountShare, 1, 0, filter))[0] : undefined);
  return { date: day, total: first?.total_count ?? 0, totalOverdue: Math.round(Number(first?.total_balance ?? 0) * 100) / 100, items };
}
