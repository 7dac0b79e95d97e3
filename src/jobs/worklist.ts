import type { AppContext } from '../app-context';
import { settledAccount } from '../collections/account-state';
import { customerType } from '../collections/accounts';
import { localMoment, type LocalDate } from '../collections/calendar';
import { toCents, type Cents } from '../collections/money';
import type { Level } from '../collections/model';
import { describeTask, type WorkListItem } from '../collections/worklist';
import type { WorkListFilter } from '../db/worklist-repository';
import { NotFoundError } from '../errors';
import { AccountDirectoryService } from '../services/account-directory';
import { AccountStateService } from '../services/account-state';
import { settingsFor } from './cadence';

export interface WorkList {
  date: LocalDate;
  /** How many calls the day holds (after filters); `items` is one page of them, largest first. */
  total: number;
  /** The overdue money of the customers on the list (each customer counted once). */
  totalOverdue: Cents;
  items: WorkListItem[];
}

export const WORKLIST_PAGE = 100;

/**
 * The calls to make on a day (today by the business clock unless given), largest first: the
 * day's open tasks with their accounts' stored states (`AccountStateService`), ordered and paged
 * by the database; the playbook's `describeTask` flags the lines of the page.
 */
export async function workListFor(context: AppContext, realmId: string, date?: LocalDate, page: { limit?: number; offset?: number } = {}, filter: WorkListFilter = {}): Promise<WorkList> {
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  const settings = await settingsFor(context, realmId, company.timezone);
  const now = context.clock.businessNow();
  const day = date ?? localMoment(now, settings.timezone).date;
  const version = await accountStatesOf(context).ensure(realmId, day, settings.aAccountShare);
  const rows = await context.repos.workList.page(realmId, day, version, page.limit ?? WORKLIST_PAGE, page.offset ?? 0, filter);
  const items = rows.map((row) => {
    const customer = row.display_name === null ? undefined : { id: row.customer_id, name: row.display_name, companyName: row.company_name, email: row.email, parentId: row.parent_id };
    const type = row.customer_type ?? (customer ? customerType(customer) : 'commercial');
    const state = { ...settledAccount(row.customer_id, type, day, row.tough), overdueBalance: toCents(row.balance), oldestDue: row.oldest_due, oldestDaysOverdue: row.oldest_days_overdue, aAccount: row.a_account };
    return describeTask({ id: row.id, customerId: row.customer_id, level: row.level as Level, reason: row.reason, reasons: row.reasons, scheduledFor: row.scheduled_for, createdOn: row.created_on }, { customer, state }, day, settings, now);
  });
  // A page past the end has no rows to carry the totals: ask again for the first row.
  const first = rows[0] ?? (page.offset ? (await context.repos.workList.page(realmId, day, version, 1, 0, filter))[0] : undefined);
  return { date: day, total: first?.total_count ?? 0, totalOverdue: toCents(first?.total_balance ?? '0'), items };
}

/** The account-state service over a context's repositories. */
export function accountStatesOf(context: AppContext): AccountStateService {
  return new AccountStateService({ states: context.repos.accountStates, directory: new AccountDirectoryService(context.repos.accounts) });
}
