import { sql } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import type { TaskReason } from '../collections/model';
import type { FilterFlag } from '../collections/worklist';
import type { Db } from './database';

export interface WorkListRow {
  id: string;
  customer_id: string;
  level: number;
  reason: TaskReason;
  reasons: TaskReason[];
  scheduled_for: LocalDate;
  created_on: LocalDate;
  balance: string;
  oldest_due: LocalDate | null;
  a_account: boolean;
  tough: boolean;
  display_name: string | null;
  company_name: string | null;
  email: string | null;
  parent_id: string | null;
  customer_type: 'commercial' | 'personal' | null;
  total_count: number;
  total_balance: string;
}

export interface WorkListFilter {
  type?: 'commercial' | 'personal';
  level?: number;
  flag?: FilterFlag;
}

/**
 * The work list. The expensive part, overdue money per paying account (as the account
 * directory says who pays), is a snapshot per company, day and version of the copy of
 * QuickBooks; one statement then finds the A accounts with a running sum, orders and pages the
 * day's open tasks, and returns only the page with the whole list's count and money.
 */
const ANALYZE_SNAPSHOT_ROWS = 1000;

export class WorkListRepository {
  constructor(private readonly db: Db) {}

  /** The snapshot for `day` of the current copy, built once (concurrent callers wait for it). */
  async snapshot(realmId: string, day: LocalDate): Promise<string> {
    const current = await this.db.selectFrom('copy_versions').select('version').where('realm_id', '=', realmId).executeTakeFirst();
    const version = current?.version ?? '0';
    const ready = await this.db.selectFrom('overdue_snapshot_runs').select('version').where('realm_id', '=', realmId).where('day', '=', day).where('version', '=', version).executeTakeFirst();
    if (ready) return version;
    const built = await this.db.transaction().execute(async (trx) => {
      const claimed = await trx.insertInto('overdue_snapshot_runs').values({ realm_id: realmId, day, version }).onConflict((oc) => oc.doNothing()).returning('version').executeTakeFirst();
      if (!claimed) return 0; // built meanwhile by another request
      const inserted = await sql`
        insert into overdue_snapshots (realm_id, day, version, payer, balance, oldest_due, covered_before)
        -- Who pays is the playbook's rule, stored in the account directory: read it, never derive it.
        with per_payer as (
          select coalesce(a.payer_id, i.customer_id) as payer, sum(i.balance) as balance, min(i.due_date) as oldest_due
          from qbo_invoices i
          left join customer_accounts a on a.realm_id = i.realm_id and a.customer_id = i.customer_id
          where i.realm_id = ${realmId} and i.balance > 0 and i.due_date < ${day}::date
          group by 1
        )
        select ${realmId}, ${day}::date, ${version}::bigint, payer, balance, oldest_due,
               coalesce(sum(balance) over (order by balance desc, payer collate "C" rows between unbounded preceding and 1 preceding), 0)
        from per_payer`.execute(trx);
      const rows = Number(inserted.numAffectedRows ?? 0);
      await sql`update overdue_snapshot_runs set total = (select coalesce(sum(balance), 0) from overdue_snapshots
        where realm_id = ${realmId} and day = ${day}::date and version = ${version}::bigint)
        where realm_id = ${realmId} and day = ${day}::date and version = ${version}::bigint`.execute(trx);
      // Older snapshots of this company are of no further use once a newer one exists.
      await trx.deleteFrom('overdue_snapshot_runs').where('realm_id', '=', realmId).where((eb) => eb.or([eb('day', '<>', day), eb('version', '<>', version)])).where(sql<boolean>`created_at < now() - interval '10 minutes'`).execute();
      await sql`delete from overdue_snapshots s where s.realm_id = ${realmId}
        and not exists (select 1 from overdue_snapshot_runs r where r.realm_id = s.realm_id and r.day = s.day and r.version = s.version)`.execute(trx);
      return rows;
    });
    // Statistics for the planner once a snapshot is large: without them it takes one for a single
    // row and loops over it. Small snapshots plan well enough either way; skip the cost.
    if (built >= ANALYZE_SNAPSHOT_ROWS) await sql`analyze overdue_snapshots`.execute(this.db);
    return version;
  }

  async page(realmId: string, day: LocalDate, aAccountShare: number, limit: number, offset: number, filter: WorkListFilter = {}): Promise<WorkListRow[]> {
    const version = await this.snapshot(realmId, day);
    // The account's type as the playbook decided it (override included), joined before paging only when filtered on.
    const byType = filter.type ? sql`left join customer_accounts a on a.realm_id = ${realmId} and a.customer_id = d.customer_id` : sql``;
    const conditions = [
      filter.type ? sql`a.customer_type = ${filter.type}` : sql`true`,
      filter.level !== undefined ? sql`d.level = ${filter.level}` : sql`true`,
      filter.flag === 'a_account' ? sql`d.a_account` : filter.flag === 'tough' ? sql`d.customer_id in (select customer_id from tough)` : filter.flag ? sql`d.reasons ? ${filter.flag}` : sql`true`,
    ];
    const result = await sql<WorkListRow>`
      with tough as (
        select customer_id from promises where realm_id = ${realmId} and status in ('broken', 'partly_kept')
        union select customer_id from disputes where realm_id = ${realmId} and status = 'open'
      ),
      due as (
        select t.id, t.customer_id, t.level, t.reason, t.reasons, t.scheduled_for, t.created_on,
               coalesce(s.balance, 0) as balance, s.oldest_due,
               coalesce(s.covered_before < (select r.total from overdue_snapshot_runs r where r.realm_id = ${realmId} and r.day = ${day}::date and r.version = ${version}::bigint) * ${aAccountShare} - 0.005, false) as a_account
        from call_tasks t
        left join overdue_snapshots s on s.realm_id = ${realmId} and s.day = ${day}::date and s.version = ${version}::bigint and s.payer = t.customer_id
        where t.realm_id = ${realmId} and t.status = 'open' and t.scheduled_for <= ${day}::date
      ),
      filtered as (select d.* from due d ${byType} where ${sql.join(conditions, sql` and `)}),
      totals as (
        select (select count(*) from filtered)::int as total_count,
               (select coalesce(sum(s.balance), 0) from overdue_snapshots s
                where s.realm_id = ${realmId} and s.day = ${day}::date and s.version = ${version}::bigint
                  and s.payer in (select customer_id from filtered))::text as total_balance
      ),
      page as (
        select * from filtered order by balance desc, oldest_due asc nulls last, id
        limit ${limit} offset ${offset}
      )
      select p.id, p.customer_id, p.level, p.reason, p.reasons, p.scheduled_for::text as scheduled_for, p.created_on::text as created_on,
             p.balance::text as balance, p.oldest_due::text as oldest_due, p.a_account,
             p.customer_id in (select customer_id from tough) as tough,
             c.display_name, c.company_name, c.email, c.parent_id, a.customer_type, totals.total_count, totals.total_balance
      from page p cross join totals
      -- One index look-up per line of the page (LIMIT keeps the planner from hashing whole tables).
      left join lateral (select * from qbo_customers c where c.realm_id = ${realmId} and c.id = p.customer_id limit 1) c on true
      left join lateral (select * from customer_accounts a where a.realm_id = ${realmId} and a.customer_id = p.customer_id limit 1) a on true
      order by p.balance desc, p.oldest_due asc nulls last, p.id`.execute(this.db);
    return result.rows;
  }
}
