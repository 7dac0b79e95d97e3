import { sql } from 'kysely';
import type { AppContext } from '../app-context';
import { localMoment, type LocalDate } from '../collections/calendar';
import type { CallTask, Level } from '../collections/model';
import { buildWorkList, type WorkListItem } from '../collections/worklist';
import { NotFoundError } from '../errors';
import { settingsFor } from './cadence';

export interface WorkList {
  date: LocalDate;
  /** How many calls the day holds; `items` is one page of them, largest first. */
  total: number;
  items: WorkListItem[];
}

export const WORKLIST_PAGE = 100;

/**
 * The calls to make on a day (today by the business clock unless given), largest first. The
 * database sums overdue balances per paying customer; only the customers on the list are loaded.
 */
export async function workListFor(context: AppContext, realmId: string, date?: LocalDate, page: { limit?: number; offset?: number } = {}): Promise<WorkList> {
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  const settings = await settingsFor(context, realmId, company.timezone);
  const now = context.clock.businessNow();
  const day = date ?? localMoment(now, settings.timezone).date;
  const { db } = context;
  const tasks = await db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('status', '=', 'open').where('scheduled_for', '<=', day).execute();
  const ids = [...new Set(tasks.map((t) => t.customer_id))];
  if (ids.length === 0) return { date: day, total: 0, items: [] };
  const [customers, overdue, tough, overrides] = await Promise.all([
    db.selectFrom('qbo_customers').select(['id', 'display_name', 'company_name', 'email', 'parent_id']).where('realm_id', '=', realmId).where('id', 'in', ids).execute(),
    // A sub-customer's invoices count towards its parent, the one who pays.
    sql<{ payer: string; balance: string; oldest_due: string }>`
      select coalesce(c.parent_id, i.customer_id) as payer, sum(i.balance)::text as balance, min(i.due_date)::text as oldest_due
      from qbo_invoices i left join qbo_customers c on c.realm_id = i.realm_id and c.id = i.customer_id
      where i.realm_id = ${realmId} and i.balance > 0 and i.due_date < ${day}
      group by 1`.execute(db),
    db
      .selectFrom('promises')
      .select('customer_id')
      .where('realm_id', '=', realmId)
      .where('status', 'in', ['broken', 'partly_kept'])
      .union(db.selectFrom('disputes').select('customer_id').where('realm_id', '=', realmId).where('status', '=', 'open'))
      .execute(),
    db.selectFrom('customer_histories').select(['customer_id', 'type_override']).where('realm_id', '=', realmId).where('type_override', 'is not', null).execute(),
  ]);
  const types = new Map(overrides.map((h) => [h.customer_id, h.type_override]));
  const items = buildWorkList(
    {
      day,
      now,
      tasks: tasks.map((t): CallTask => ({ id: t.id, customerId: t.customer_id, level: t.level as Level, reason: t.reason, scheduledFor: t.scheduled_for, createdOn: t.created_on })),
      customers: customers.map((c) => ({ id: c.id, name: c.display_name, companyName: c.company_name, email: c.email, parentId: c.parent_id, typeOverride: types.get(c.id) ?? null })),
      overdueByCustomer: new Map(overdue.rows.map((r) => [r.payer, { balance: Number(r.balance), oldestDue: r.oldest_due.slice(0, 10) }])),
      toughCustomerIds: new Set(tough.map((t) => t.customer_id)),
    },
    settings,
  );
  const offset = page.offset ?? 0;
  return { date: day, total: items.length, items: items.slice(offset, offset + (page.limit ?? WORKLIST_PAGE)) };
}
