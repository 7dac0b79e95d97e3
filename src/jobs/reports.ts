import type { AppContext } from '../app-context';
import { addDays, type LocalDate } from '../collections/calendar';
import { aging, daysSalesOutstanding, difficultCustomers, results, systemsLog, type AgingInvoice } from '../collections/reports';
import { NotFoundError } from '../errors';
import { todayFor } from './cadence';

const DUNNING = ['reminder', 'second_notice', 'demand_letter', 'final_notice'];

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

async function todayOf(context: AppContext, realmId: string): Promise<LocalDate> {
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  return todayFor(context, realmId, company.timezone);
}

async function invoicesOf(context: AppContext, realmId: string): Promise<AgingInvoice[]> {
  const rows = await context.db.selectFrom('qbo_invoices').select(['customer_id', 'txn_date', 'due_date', 'total', 'balance']).where('realm_id', '=', realmId).execute();
  return rows.map((r) => ({ customerId: r.customer_id, txnDate: r.txn_date, dueDate: r.due_date ?? r.txn_date, total: Number(r.total), balance: Number(r.balance) }));
}

/** Aging, DSO and the results of collection work over a period (default: the last 30 days). */
export async function resultsFor(context: AppContext, realmId: string, period: { from?: LocalDate; to?: LocalDate }) {
  const today = await todayOf(context, realmId);
  const to = period.to ?? today;
  const from = period.from ?? addDays(to, -29);
  const { db } = context;
  const [invoices, calls, emails, promises, contacts, payments] = await Promise.all([
    invoicesOf(context, realmId),
    db.selectFrom('activities').select(['customer_id', 'occurred_on', 'details']).where('realm_id', '=', realmId).where('kind', '=', 'call').execute(),
    db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('realm_id', '=', realmId).where('status', '=', 'sent').where('kind', 'in', DUNNING).where('send_at', '>=', new Date(`${from}T00:00:00Z`)).executeTakeFirstOrThrow(),
    db.selectFrom('promises').select(['id', 'customer_id', 'made_on', 'status', 'plan_id']).where('realm_id', '=', realmId).orderBy('due_on').execute(),
    db.selectFrom('activities').select(['invoice_ids', 'occurred_on']).where('realm_id', '=', realmId).where('kind', 'in', ['call', 'message_queued']).execute(),
    db.selectFrom('qbo_payments').select(['txn_date', 'applied_to']).where('realm_id', '=', realmId).where('txn_date', '>=', from).execute(),
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
      emailsSent: Number(emails.n),
      // A payment plan is one promise for these measures; it counts as kept only if every installment was.
      promises: [...groupBy(promises, (p) => p.plan_id ?? p.id).values()].map((group) => ({
        customerId: group[0]!.customer_id,
        madeOn: group[0]!.made_on,
        status: group.some((p) => p.status === 'broken' || p.status === 'partly_kept') ? 'broken' : group.every((p) => p.status === 'kept') ? 'kept' : 'open',
      })),
      contacts: contacts.flatMap((c) => c.invoice_ids.map((invoiceId) => ({ invoiceId, on: c.occurred_on }))),
      payments: payments.map((p) => ({ txnDate: p.txn_date, appliedTo: (p.applied_to as Array<{ id: string; type: string; amount: number }>).filter((a) => a.type === 'Invoice').map((a) => ({ invoiceId: a.id, amount: a.amount })) })),
    }),
  };
}

/** The month's difficult customers (broken promises and disputes of the last 12 months). */
export async function difficultCustomersFor(context: AppContext, realmId: string) {
  const today = await todayOf(context, realmId);
  const since = addDays(today, -365);
  const { db } = context;
  const [customers, invoices, broken, disputes] = await Promise.all([
    db.selectFrom('qbo_customers').select(['id', 'display_name']).where('realm_id', '=', realmId).execute(),
    invoicesOf(context, realmId),
    db.selectFrom('promises').select('customer_id').where('realm_id', '=', realmId).where('status', 'in', ['broken', 'partly_kept']).where('made_on', '>=', since).execute(),
    db.selectFrom('disputes').select('customer_id').where('realm_id', '=', realmId).where('opened_on', '>=', since).execute(),
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

export async function systemsLogFor(context: AppContext, realmId: string) {
  const rows = await context.db.selectFrom('disputes').select(['category', 'opened_on']).where('realm_id', '=', realmId).execute();
  return { entries: systemsLog(rows.map((r) => ({ category: r.category, openedOn: r.opened_on }))) };
}
