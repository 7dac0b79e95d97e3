import type { AppContext } from '../app-context';
import { localMoment, type LocalDate } from '../collections/calendar';
import type { CallTask, Level } from '../collections/model';
import { buildWorkList, type WorkListItem } from '../collections/worklist';
import { NotFoundError } from '../errors';
import { settingsFor } from './cadence';

export interface WorkList {
  date: LocalDate;
  items: WorkListItem[];
}

/** The calls to make on a day (today by the business clock unless given), largest first. */
export async function workListFor(context: AppContext, realmId: string, date?: LocalDate): Promise<WorkList> {
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  const settings = await settingsFor(context, realmId, company.timezone);
  const now = context.clock.businessNow();
  const day = date ?? localMoment(now, settings.timezone).date;
  const { db } = context;
  const [tasks, customers, invoices, tough] = await Promise.all([
    db.selectFrom('call_tasks').selectAll().where('realm_id', '=', realmId).where('status', '=', 'open').where('scheduled_for', '<=', day).execute(),
    db.selectFrom('qbo_customers').select(['id', 'display_name', 'company_name', 'email', 'parent_id']).where('realm_id', '=', realmId).execute(),
    db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'due_date', 'balance']).where('realm_id', '=', realmId).where('balance', '>', '0').where('due_date', '<', day).execute(),
    db
      .selectFrom('promises')
      .select('customer_id')
      .where('realm_id', '=', realmId)
      .where('status', 'in', ['broken', 'partly_kept'])
      .union(db.selectFrom('disputes').select('customer_id').where('realm_id', '=', realmId).where('status', '=', 'open'))
      .execute(),
  ]);
  const overrides = new Map((await db.selectFrom('customer_histories').select(['customer_id', 'type_override']).where('realm_id', '=', realmId).where('type_override', 'is not', null).execute()).map((h) => [h.customer_id, h.type_override]));
  const parents = new Map(customers.map((c) => [c.id, c.parent_id]));
  const payerOf = (id: string) => {
    let current = id;
    for (let depth = 0; depth < 10 && parents.get(current); depth++) current = parents.get(current)!;
    return current;
  };
  const items = buildWorkList(
    {
      day,
      now,
      tasks: tasks.map((t): CallTask => ({ id: t.id, customerId: t.customer_id, level: t.level as Level, reason: t.reason, scheduledFor: t.scheduled_for, createdOn: t.created_on })),
      customers: customers.map((c) => ({ id: c.id, name: c.display_name, companyName: c.company_name, email: c.email, parentId: c.parent_id, typeOverride: overrides.get(c.id) ?? null })),
      invoices: invoices.map((i) => ({ id: i.id, customerId: i.customer_id, docNumber: null, txnDate: i.due_date!, dueDate: i.due_date!, total: Number(i.balance), balance: Number(i.balance), billEmail: null })),
      payerOf,
      toughCustomerIds: new Set(tough.map((t) => t.customer_id)),
    },
    settings,
  );
  return { date: day, items };
}
