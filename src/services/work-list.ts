import { settledAccount } from '../collections/account-state';
import { customerType } from '../collections/accounts';
import { localMoment, weekday, type LocalDate } from '../collections/calendar';
import type { Level } from '../collections/model';
import type { Cents } from '../collections/money';
import { describeTask, type WorkListItem } from '../collections/worklist';
import type { Clock } from '../clock';
import type { WorkListFilter, WorkListRepository } from '../db/worklist-repository';
import type { AccountStateService } from './account-state';
import type { CompanySettingsService } from './company-settings';

export interface WorkList {
  date: LocalDate;
  /** How many calls the day holds (after filters); `items` is one page of them, largest first. */
  total: number;
  /** The overdue money of the accounts on the list (each account counted once), in cents. */
  totalOverdue: Cents;
  items: WorkListItem[];
  /** On a day without calls: when the next ones are due, and how many. */
  nextCalls: { date: LocalDate; count: number } | null;
}

export const WORKLIST_PAGE = 100;

export interface WorkListDeps {
  settings: CompanySettingsService;
  accountStates: AccountStateService;
  workList: WorkListRepository;
  clock: Clock;
}

/**
 * The calls to make on a day (today by the business clock unless given), largest first: the
 * day's open tasks with their accounts' stored states, ordered and paged by the database; the
 * playbook's `describeTask` flags the lines of the page.
 */
export class WorkListService {
  constructor(private readonly deps: WorkListDeps) {}

  async forDay(realmId: string, date?: LocalDate, page: { limit?: number; offset?: number } = {}, filter: WorkListFilter = {}): Promise<WorkList> {
    const settings = await this.deps.settings.settingsOf(realmId);
    const now = this.deps.clock.businessNow();
    const day = date ?? localMoment(now, settings.timezone).date;
    const version = await this.deps.accountStates.ensure(realmId, day, settings.aAccountShare);
    const windows = { commercial: settings.callWindows.commercial.days.includes(weekday(day)), personal: settings.callWindows.personal.days.includes(weekday(day)) };
    const rows = await this.deps.workList.page(realmId, day, version, windows, page.limit ?? WORKLIST_PAGE, page.offset ?? 0, filter);
    const items = rows.map((row) => {
      const customer = row.display_name === null ? undefined : { id: row.customer_id, name: row.display_name, companyName: row.company_name, email: row.email, parentId: row.parent_id };
      const type = row.customer_type ?? (customer ? customerType(customer) : 'commercial');
      const state = { ...settledAccount(row.customer_id, type, day, row.tough), overdueBalance: row.balance, oldestDue: row.oldest_due, oldestDaysOverdue: row.oldest_days_overdue, aAccount: row.a_account };
      return describeTask({ id: row.id, customerId: row.customer_id, level: row.level as Level, reason: row.reason, reasons: row.reasons, scheduledFor: row.scheduled_for, createdOn: row.created_on }, { customer, state }, day, settings, now);
    });
    // A page past the end has no rows to carry the totals: ask again for the first row.
    const first = rows[0] ?? (page.offset ? (await this.deps.workList.page(realmId, day, version, windows, 1, 0, filter))[0] : undefined);
    const total = first?.total_count ?? 0;
    const nextCalls = total === 0 ? ((await this.deps.workList.nextDue(realmId, day)) ?? null) : null;
    return { date: day, total, totalOverdue: first?.total_balance ?? 0, items, nextCalls };
  }
}
