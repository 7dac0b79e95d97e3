import type { Db } from '../../src/db/database';

/**
 * One account's collection history as Ardesk recorded it: its call tasks (every status), its
 * promises and its activities, oldest first. For reading a finding (SIMULATION_DUMP=7,9 prints
 * these customers' histories at the end of a run), not for checking.
 */
export async function accountHistory(db: Db, realmId: string, customerId: string): Promise<string> {
  const tasks = await db.selectFrom('call_tasks').select(['id', 'level', 'reason', 'reasons', 'status', 'outcome', 'scheduled_for', 'created_on']).where('realm_id', '=', realmId).where('customer_id', '=', customerId).orderBy('created_on').execute();
  const promises = await db.selectFrom('promises').select(['made_on', 'due_on', 'amount', 'status', 'paid', 'invoice_ids']).where('realm_id', '=', realmId).where('customer_id', '=', customerId).orderBy('made_on').execute();
  const activities = await db
    .selectFrom('activities')
    .select(['occurred_on', 'kind', 'summary', 'invoice_ids'])
    .where('realm_id', '=', realmId)
    .where('customer_id', '=', customerId)
    .where('kind', '<>', 'message_queued')
    .orderBy('occurred_on')
    .orderBy('created_at')
    .execute();
  return [
    `customer ${customerId}:`,
    ...tasks.map((t) => `  task ${t.id} ${t.status} level ${t.level} ${t.reason} [${t.reasons.join(', ')}] created ${t.created_on} due ${t.scheduled_for}${t.outcome ? ` (${t.outcome})` : ''}`),
    ...promises.map((p) => `  promise ${p.amount} by ${p.due_on} made ${p.made_on}: ${p.status}${p.paid === null ? '' : ` (${p.paid} paid)`} on invoices ${p.invoice_ids.join(', ')}`),
    ...activities.map((a) => `  ${a.occurred_on} ${a.kind}: ${a.summary} ${a.invoice_ids.length ? `[${a.invoice_ids.join(', ')}]` : ''}`),
  ].join('\n');
}
