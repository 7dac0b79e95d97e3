import { sql } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import type { TaskReason } from '../collections/model';
import type { FilterFlag } from '../collections/worklist';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';

/** One line of the work list; money in cents. */
export interface WorkListRow {
  id: string;
  customer_id: string;
  level: number;
  reason: TaskReason;
  reasons: TaskReason[];
  scheduled_for: LocalDate;
  created_on: LocalDate;
  balance: Cents;
  oldest_due: LocalDate | null;
  oldest_days_overdue: number;
  a_account: boolean;
  tough: boolean;
  display_name: string | null;
  company_name: string | null;
  email: string | null;
  parent_id: string | null;
  customer_type: 'commercial' | 'personal' | null;
  total_count: number;
  total_balance: Cents;
}

type WorkListRecord = Omit<WorkListRow, 'balance' | 'total_balance'> & { balance: string; total_balance: string };

/** Whether each customer type's call window is open on the list's day: those accounts come first. */
export interface WindowsToday {
  commercial: boolean;
  personal: boolean;
}

export interface WorkListFilter {
  type?: 'commercial' | 'personal';
  level?: number;
  flag?: FilterFlag;
}

/**
 * The work list: the day's open tasks, each with its account's stored state (the playbook's
 * figures, A accounts and toughness included: read here, never derived again), ordered as the
 * playbook's compareWorkListItems orders them (best time today, the month's difficult customers,
 * largest overdue balance, oldest overdue invoice) and paged in one statement that also returns the whole list's count and overdue money.
 */
export class WorkListRepository {
  constructor(private readonly db: Db) {}

  async page(realmId: string, day: LocalDate, version: string, windows: WindowsToday, limit: number, offset: number, filter: WorkListFilter = {}): Promise<WorkListRow[]> {
    const conditions = [
      filter.type ? sql`d.customer_type = ${filter.type}` : sql`true`,
      filter.level !== undefined ? sql`d.level = ${filter.level}` : sql`true`,
      filter.flag === 'a_account' ? sql`d.a_account` : filter.flag === 'tough' ? sql`d.tough` : filter.flag === 'carried_over' ? sql`d.scheduled_for < ${day}::date` : filter.flag ? sql`d.reasons ? ${filter.flag}` : sql`true`,
    ];
    const result = await sql<WorkListRecord>`
      with due as (
        -- The account's level is its state's (its highest open invoice's), as every reader shows it.
        select t.id, t.customer_id, coalesce(s.level, t.level) as level, t.reason, t.reasons, t.scheduled_for, t.created_on,
               coalesce(s.overdue_balance, 0) as balance, s.oldest_due, s.oldest_days_overdue,
               coalesce(s.a_account, false) as a_account, coalesce(s.tough, false) as tough,
               coalesce(s.customer_type, a.customer_type) as customer_type,
               case coalesce(s.customer_type, a.customer_type, 'commercial') when 'personal' then ${windows.personal} else ${windows.commercial} end as best_today,
               -- One of the month's difficult customers: first of its group (the playbook's compareWorkListItems).
               t.reasons ? 'difficult_customer' as difficult
        from call_tasks t
        left join account_states s on s.realm_id = ${realmId} and s.day = ${day}::date and s.version = ${version} and s.payer_id = t.customer_id
        left join customer_accounts a on a.realm_id = ${realmId} and a.customer_id = t.customer_id
        where t.realm_id = ${realmId} and t.status = 'open' and t.scheduled_for <= ${day}::date
          -- Work follows the facts: an account paid (or credited) since the morning run leaves the
          -- list at once, before the next run retires its task; finding an address needs only open money,
          -- and a problem the customer reported needs a call whatever is overdue.
          and (s.overdue_balance > 0 or (t.reasons ? 'find_email' and s.open_balance > 0) or t.reasons ? 'problem_reported')
      ),
      filtered as (select d.* from due d where ${sql.join(conditions, sql` and `)}),
      totals as (
        select count(*)::int as total_count, coalesce(sum(balance), 0)::text as total_balance from filtered
      ),
      page as (
        select * from filtered order by best_today desc, difficult desc, balance desc, oldest_due asc nulls last, id
        limit ${limit} offset ${offset}
      )
      select p.id, p.customer_id, p.level, p.reason, p.reasons, p.scheduled_for::text as scheduled_for, p.created_on::text as created_on,
             p.balance::text as balance, p.oldest_due::text as oldest_due, coalesce(p.oldest_days_overdue, 0) as oldest_days_overdue,
             p.a_account, p.tough, p.customer_type,
             c.display_name, c.company_name, c.email, c.parent_id, totals.total_count, totals.total_balance
      from page p cross join totals
      -- One index look-up per line of the page (LIMIT keeps the planner from hashing whole tables).
      left join lateral (select * from qbo_customers c where c.realm_id = ${realmId} and c.id = p.customer_id limit 1) c on true
      order by p.best_today desc, p.difficult desc, p.balance desc, p.oldest_due asc nulls last, p.id`.execute(this.db);
    return result.rows.map((row) => ({ ...row, balance: toCents(row.balance), total_balance: toCents(row.total_balance) }));
  }

  /** When an empty day's list would next have calls: the first later day with due open tasks, and how many. */
  async nextDue(realmId: string, day: LocalDate): Promise<{ date: LocalDate; count: number } | undefined> {
    const row = await sql<{ date: LocalDate; count: number }>`
      select scheduled_for::text as date, count(*)::int as count from call_tasks
      where realm_id = ${realmId} and status = 'open' and scheduled_for > ${day}::date
      group by scheduled_for order by scheduled_for limit 1`.execute(this.db);
    return row.rows[0];
  }
}
