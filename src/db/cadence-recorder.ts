import { sql, type Transaction } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { DUNNING_KINDS, MESSAGE_NAMES } from '../collections/message-kinds';
import { NOT_A_NOTE, NOT_A_NOTE_REASON } from '../collections/notes';
import type { Action } from '../collections/model';
import { centsToDecimal, centsToNumber, toCents } from '../collections/money';
import { perChunk, recordset, unnested } from './bulk';
import type { Database } from './schema';

/**
 * Records one day of the playbook's decisions, set-based: one statement per kind of action and
 * chunk of rows, never one per action, so the first run over a large book stays in seconds.
 * Every write is keyed (unique keys, `on conflict do nothing`, guarded updates), so recording
 * the same day twice changes nothing; the counts say what was new. Amounts go to numeric columns
 * as decimal text; activities' details keep them in currency units, as the API shows them.
 */

export type AppliedCounts = Partial<Record<Action['type'], number>>;
type Trx = Transaction<Database>;
type Of<T extends Action['type']> = Extract<Action, { type: T }>;


export interface ActivityEntry {
  customerId: string;
  invoiceIds: string[];
  kind: string;
  summary: string;
  details?: Record<string, unknown>;
  key: string;
}

/**
 * Inserts activities that are not yet recorded (by key); returns how many were new. Each waits
 * for its QuickBooks note, except the steps whose note another activity writes.
 */
export async function recordActivities(trx: Trx, realmId: string, today: LocalDate, entries: ActivityEntry[]): Promise<number> {
  const inserted = await perChunk(entries, async (chunk) => {
    const rows = chunk.map((e) => ({ customer_id: e.customerId, invoice_ids: e.invoiceIds, kind: e.kind, summary: e.summary, details: e.details ?? {}, key: e.key }));
    const result = await sql<{ key: string }>`
      insert into activities (realm_id, customer_id, invoice_ids, kind, summary, details, occurred_on, key, note_status, note_error)
      select ${realmId}, a.customer_id, a.invoice_ids, a.kind, a.summary, a.details, ${today}::date, a.key,
             case when a.kind in (${sql.join([...NOT_A_NOTE])}) then 'skipped' else 'pending' end,
             case when a.kind in (${sql.join([...NOT_A_NOTE])}) then ${NOT_A_NOTE_REASON} end
      from ${recordset(rows, 'a', { customer_id: 'text', invoice_ids: 'jsonb', kind: 'text', summary: 'text', details: 'jsonb', key: 'text' })}
      on conflict (realm_id, key) do nothing
      returning key`.execute(trx);
    return result.rows;
  });
  return inserted.length;
}

function byType(actions: Action[]) {
  const of = <T extends Action['type']>(type: T) => actions.filter((a): a is Of<T> => a.type === type);
  return {
    promiseOutcomes: of('promise_outcome'),
    cancellations: of('cancel_pending'),
    firstSeen: of('first_seen'),
    levelChanges: of('level_change'),
    escalations: of('escalation_candidate'),
    messages: of('send_message'),
    openTasks: of('open_task'),
    raisedTasks: of('raise_task'),
    additions: of('add_reason'),
    retirements: of('retire_task'),
    restorations: of('restore_task'),
    messageCancellations: of('cancel_message'),
  };
}

/** Invoice states exist for `ids` (first seen today when new); returns the ids that were new. */
async function ensureStates(trx: Trx, realmId: string, today: LocalDate, ids: string[]): Promise<string[]> {
  const inserted = await perChunk(ids, async (chunk) => {
    const result = await sql<{ invoice_id: string }>`
      insert into invoice_states (realm_id, invoice_id, first_seen_on)
      select ${realmId}, s.invoice_id, ${today}::date from ${recordset(chunk.map((invoice_id) => ({ invoice_id })), 's', { invoice_id: 'text' })}
      on conflict (realm_id, invoice_id) do nothing
      returning invoice_id`.execute(trx);
    return result.rows;
  });
  return inserted.map((r) => r.invoice_id);
}

/** Rows per statement of the first sight: a first run over a large book sends few, large statements. */
const SIGHT_CHUNK = 25_000;

/**
 * The first sight of invoices, and the first level of those the same day moves on from level 0:
 * each new state is inserted at its level, so a first run over a large book writes each state
 * once. The states travel as arrays (`unnest`), and what is already recorded is left out by the
 * statement itself rather than by `on conflict`, whose speculative insertion costs a third more
 * per row: the company's first-sight lock keeps any other run from inserting the same states
 * meanwhile (and the unique key would refuse a second copy if one did).
 * The levels set at first sight are one activity per customer and level ("entered collection
 * level 2", listing its invoices), not one per invoice: a connect over a large back catalogue
 * notes in QuickBooks what it found once per customer, and records half the rows.
 * Returns the new invoices and the level changes it made; the others are left to changeLevels.
 */
async function firstSight(trx: Trx, realmId: string, today: LocalDate, ids: string[], changes: Of<'level_change'>[]): Promise<{ seen: number; levelled: Set<Of<'level_change'>> }> {
  const firstLevel = new Map(changes.filter((c) => c.from === 0).map((c) => [c.invoiceId, c]));
  // In invoice order, the order of the states' key: each statement then fills neighbouring index pages rather than pages
  // all over the index.
  const sorted = [...new Set([...ids, ...firstLevel.keys()])].sort();
  if (!sorted.length) return { seen: 0, levelled: new Set() };
  // The company's first-sight lock, to the end of the transaction: a racing run's first sight waits, then sees these rows.
  // Taken here, not for every recording: a call outcome's recording (no first sight) never waits for it while holding rows.
  await sql`select pg_advisory_xact_lock(hashtext(${`first-sight:${realmId}`}))`.execute(trx);
  // A company's first run finds no states at all: every row is new, so none looks for an
  // existing one and none is sent back (100,000 rows of a large book's first run).
  const firstEver = !(await trx.selectFrom('invoice_states').select('invoice_id').where('realm_id', '=', realmId).limit(1).executeTakeFirst());
  const inserted = await perChunk(sorted, async (chunk) => {
    const rows = chunk.map((invoice_id) => ({ invoice_id, level: firstLevel.get(invoice_id)?.to ?? 0 }));
    const result = await sql<{ invoice_id: string; level: number }>`
      insert into invoice_states (realm_id, invoice_id, first_seen_on, level, level_entered_on, level1_on, level2_on)
      select ${realmId}, i.invoice_id, ${today}::date, i.level, case when i.level > 0 then ${today}::date end,
             case when i.level = 1 then ${today}::date end, case when i.level = 2 then ${today}::date end
      from ${unnested(rows, 'i', { invoice_id: 'text', level: 'int' })}
      ${firstEver ? sql`` : sql`where not exists (select 1 from invoice_states o where o.realm_id = ${realmId} and o.invoice_id = i.invoice_id) returning invoice_id, level`}`.execute(trx);
    return firstEver ? rows : result.rows;
  }, SIGHT_CHUNK);
  const levelled = inserted.filter((row) => row.level > 0).map((row) => firstLevel.get(row.invoice_id)!);
  await recordEntries(trx, realmId, today, levelled);
  const wanted = new Set(ids);
  return { seen: inserted.filter((row) => wanted.has(row.invoice_id)).length, levelled: new Set(levelled) };
}

/** One "entered collection level N" activity per customer and level, listing the invoices first seen at it today. */
async function recordEntries(trx: Trx, realmId: string, today: LocalDate, levelled: Of<'level_change'>[]): Promise<void> {
  const groups = new Map<string, { customer_id: string; level: number; invoice_ids: string[] }>();
  for (const change of levelled) {
    const key = `entered:${change.customerId}:${change.to}:${today}`;
    const group = groups.get(key) ?? { customer_id: change.customerId, level: change.to, invoice_ids: [] };
    group.invoice_ids.push(change.invoiceId);
    groups.set(key, group);
  }
  const rows = [...groups].map(([key, g]) => ({ key, customer_id: g.customer_id, level: g.level, invoice_ids: JSON.stringify(g.invoice_ids.sort()) }));
  await perChunk(rows, async (chunk) => {
    await sql`
      insert into activities (realm_id, customer_id, invoice_ids, kind, summary, details, occurred_on, key, note_status)
      select ${realmId}, e.customer_id, e.invoice_ids, 'level_change', 'entered collection level ' || e.level,
             jsonb_build_object('from', 0, 'to', e.level), ${today}::date, e.key, 'pending'
      from ${unnested(chunk, 'e', { key: 'text', customer_id: 'text', level: 'int', invoice_ids: 'jsonb' })}
      on conflict (realm_id, key) do nothing`.execute(trx);
    return [];
  }, SIGHT_CHUNK);
}

async function settlePromises(trx: Trx, realmId: string, today: LocalDate, outcomes: Of<'promise_outcome'>[]): Promise<number> {
  const words = { kept: 'kept', partly_kept: 'partly kept', broken: 'broken' } as const;
  const settled = await perChunk(outcomes, async (chunk) => {
    const result = await sql<{ id: string; plan_id: string | null; invoice_ids: string[]; outcome: keyof typeof words; paid: string; customer_id: string }>`
      update promises p set status = o.outcome, paid = o.paid, settled_on = ${today}::date
      from ${recordset(chunk.map((a) => ({ id: a.promiseId, outcome: a.outcome, paid: centsToDecimal(a.paid) })), 'o', { id: 'uuid', outcome: 'text', paid: 'numeric' })}
      where p.id = o.id and p.realm_id = ${realmId} and p.status = 'open'
      returning p.id, p.plan_id, p.invoice_ids, o.outcome, p.paid::text as paid, p.customer_id`.execute(trx);
    return result.rows.map((row) => ({ ...row, paid: toCents(row.paid) }));
  });
  const brokenPlans = [...new Set(settled.filter((p) => p.outcome !== 'kept' && p.plan_id).map((p) => p.plan_id!))];
  // A broken promise raises its invoices one level at once: remembered until the level changes (the gap may make it wait).
  const hurried = [...new Set(settled.filter((p) => p.outcome !== 'kept').flatMap((p) => p.invoice_ids))];
  await perChunk(hurried, async (chunk) => [await trx.updateTable('invoice_states').set({ escalate_now: true }).where('realm_id', '=', realmId).where('invoice_id', 'in', chunk).execute()]);
  if (brokenPlans.length) await trx.updateTable('payment_plans').set({ status: 'broken' }).where('realm_id', '=', realmId).where('id', 'in', brokenPlans).execute();
  await recordActivities(
    trx,
    realmId,
    today,
    settled.map((p) => ({ customerId: p.customer_id, invoiceIds: p.invoice_ids, kind: `promise_${p.outcome}`, summary: `promise to pay ${words[p.outcome]} (${centsToDecimal(p.paid)} paid)`, details: { promiseId: p.id, paid: centsToNumber(p.paid) }, key: `promise:${p.id}:${p.outcome}` })),
  );
  return settled.length;
}

/** A paid invoice: its state goes, its own queued letters are cancelled, the history forgets it. */
async function cancelPaid(trx: Trx, realmId: string, today: LocalDate, cancellations: Of<'cancel_pending'>[]): Promise<number> {
  const ids = cancellations.map((c) => c.invoiceId);
  const removed = await perChunk(ids, async (chunk) => {
    const result = await trx.deleteFrom('invoice_states').where('realm_id', '=', realmId).where('invoice_id', 'in', chunk).returning('invoice_id').execute();
    await trx
      .updateTable('messages')
      .set({ status: 'cancelled' })
      .where('realm_id', '=', realmId)
      .where('status', '=', 'queued')
      .where('kind', '!=', 'thank_you')
      .where(sql<boolean>`jsonb_array_length(invoice_ids) = 1 and invoice_ids->>0 in (select jsonb_array_elements_text(${JSON.stringify(chunk)}::jsonb))`)
      .execute();
    const customers = [...new Set(cancellations.filter((c) => chunk.includes(c.invoiceId)).map((c) => c.customerId))];
    await trx
      .updateTable('customer_histories')
      .set({ contacted_invoice_ids: sql`contacted_invoice_ids - array(select jsonb_array_elements_text(${JSON.stringify(chunk)}::jsonb))` })
      .where('realm_id', '=', realmId)
      .where('customer_id', 'in', customers)
      .execute();
    return result;
  });
  await recordActivities(trx, realmId, today, cancellations.map((c) => ({ customerId: c.customerId, invoiceIds: [c.invoiceId], kind: 'invoice_paid', summary: 'paid in full; pending collection actions cancelled', key: `paid:${c.invoiceId}` })));
  return removed.length;
}

async function changeLevels(trx: Trx, realmId: string, today: LocalDate, changes: Of<'level_change'>[]): Promise<number> {
  await ensureStates(trx, realmId, today, changes.map((c) => c.invoiceId));
  const changed = await perChunk(changes, async (chunk) => {
    const result = await sql<{ invoice_id: string; from: number; to: number; customer_id: string }>`
      update invoice_states s
      set level = c."to", level_entered_on = ${today}::date,
          level1_on = coalesce(s.level1_on, case when c."to" = 1 then ${today}::date end),
          level2_on = case when c."to" = 2 then ${today}::date else s.level2_on end, escalate_now = false
      from ${recordset(chunk.map((a) => ({ invoice_id: a.invoiceId, from: a.from, to: a.to, customer_id: a.customerId })), 'c', { invoice_id: 'text', from: 'int', to: 'int', customer_id: 'text' })}
      where s.realm_id = ${realmId} and s.invoice_id = c.invoice_id and s.level = c."from"
      returning s.invoice_id, c."from", c."to", c.customer_id`.execute(trx);
    return result.rows;
  });
  await recordActivities(
    trx,
    realmId,
    today,
    changed.map((c) => ({ customerId: c.customer_id, invoiceIds: [c.invoice_id], kind: 'level_change', summary: `moved to collection level ${c.to}`, details: { from: c.from, to: c.to }, key: `level:${c.invoice_id}:${c.to}` })),
  );
  return changed.length;
}

async function markEscalations(trx: Trx, realmId: string, today: LocalDate, escalations: Of<'escalation_candidate'>[]): Promise<number> {
  const ids = escalations.flatMap((e) => e.invoiceIds);
  await perChunk(ids, async (chunk) => [await trx.updateTable('invoice_states').set({ escalation_candidate: true }).where('realm_id', '=', realmId).where('invoice_id', 'in', chunk).execute()]);
  return recordActivities(
    trx,
    realmId,
    today,
    escalations.map((e) => ({ customerId: e.customerId, invoiceIds: e.invoiceIds, kind: 'escalation_candidate', summary: 'marked an escalation candidate (agency or small claims)', key: `escalation:${e.customerId}:${e.invoiceIds.join(',')}` })),
  );
}

/**
 * Queues messages into the outbox; a new dunning message adds the invoices it lists to the
 * customer's history. The day of the last dunning contact is the day one goes out (recordSent):
 * the gap of SPEC §4 is counted between the days messages reach the customer.
 */
async function queueMessages(trx: Trx, realmId: string, today: LocalDate, messages: Of<'send_message'>[]): Promise<number> {
  const queued = await perChunk(messages, async (chunk) => {
    const rows = chunk.map((m) => ({ customer_id: m.customerId, kind: m.kind, to_address: m.to, invoice_ids: m.invoiceIds, total: centsToDecimal(m.total), send_at: m.sendAt.toISOString(), key: m.key }));
    const result = await sql<{ id: string; key: string }>`
      insert into messages (realm_id, customer_id, kind, to_address, invoice_ids, total, send_at, key)
      select ${realmId}, m.customer_id, m.kind, m.to_address, m.invoice_ids, m.total, m.send_at, m.key
      from ${recordset(rows, 'm', { customer_id: 'text', kind: 'text', to_address: 'text', invoice_ids: 'jsonb', total: 'numeric', send_at: 'timestamptz', key: 'text' })}
      on conflict (realm_id, key) do nothing
      returning id, key`.execute(trx);
    return result.rows;
  });
  const ids = new Map(queued.map((q) => [q.key, q.id]));
  const fresh = messages.filter((m) => ids.has(m.key));

  // One history row per customer, however many messages it got today.
  const dunned = new Map<string, Set<string>>();
  for (const m of fresh.filter((m) => DUNNING_KINDS.has(m.kind))) {
    const set = dunned.get(m.customerId) ?? new Set<string>();
    m.invoiceIds.forEach((id) => set.add(id));
    dunned.set(m.customerId, set);
  }
  await perChunk([...dunned], async (chunk) => {
    const rows = chunk.map(([customer_id, invoices]) => ({ customer_id, contacted: [...invoices] }));
    await sql`
      insert into customer_histories (realm_id, customer_id, contacted_invoice_ids)
      select ${realmId}, h.customer_id, h.contacted from ${recordset(rows, 'h', { customer_id: 'text', contacted: 'jsonb' })}
      on conflict (realm_id, customer_id) do update set
        contacted_invoice_ids = (select coalesce(jsonb_agg(distinct value), '[]'::jsonb)
                                 from jsonb_array_elements_text(customer_histories.contacted_invoice_ids || excluded.contacted_invoice_ids))`.execute(trx);
    return [];
  });
  const verified = fresh.filter((m) => m.kind === 'verification').flatMap((m) => m.invoiceIds);
  await perChunk(verified, async (chunk) => [await trx.updateTable('invoice_states').set({ verification_sent_on: today }).where('realm_id', '=', realmId).where('invoice_id', 'in', chunk).execute()]);
  await recordActivities(
    trx,
    realmId,
    today,
    fresh.map((m) => ({ customerId: m.customerId, invoiceIds: m.invoiceIds, kind: 'message_queued', summary: `${MESSAGE_NAMES[m.kind]} queued for ${m.to}`, details: { messageId: ids.get(m.key), kind: m.kind, total: centsToNumber(m.total) }, key: `message:${m.key}` })),
  );
  return fresh.length;
}

/** A message went out on `day` (inside the send's transaction): a dunning message is the customer's last dunning contact. */
export async function recordSent(trx: Trx, realmId: string, message: { customerId: string; kind: string }, day: LocalDate): Promise<void> {
  if (!DUNNING_KINDS.has(message.kind)) return;
  await sql`
    insert into customer_histories (realm_id, customer_id, last_dunning_on) values (${realmId}, ${message.customerId}, ${day}::date)
    on conflict (realm_id, customer_id) do update set last_dunning_on = greatest(customer_histories.last_dunning_on, excluded.last_dunning_on)`.execute(trx);
}

async function openTasks(trx: Trx, realmId: string, today: LocalDate, tasks: Of<'open_task'>[]): Promise<number> {
  const opened = await perChunk(tasks, async (chunk) => {
    const rows = chunk.map((t) => ({ customer_id: t.customerId, level: t.level, reason: t.reason, scheduled_for: t.scheduledFor, key: t.key }));
    // An account has one open task (a unique index): a second one is never inserted.
    const result = await sql<{ id: string }>`
      insert into call_tasks (realm_id, customer_id, level, reason, reasons, scheduled_for, created_on, key)
      select ${realmId}, t.customer_id, t.level, t.reason, jsonb_build_array(t.reason), t.scheduled_for, ${today}::date, t.key
      from ${recordset(rows, 't', { customer_id: 'text', level: 'int', reason: 'text', scheduled_for: 'date', key: 'text' })}
      on conflict do nothing
      returning id`.execute(trx);
    return result.rows;
  });
  return opened.length;
}

async function raiseTasks(trx: Trx, realmId: string, raises: Of<'raise_task'>[]): Promise<number> {
  const raised = await perChunk(raises, async (chunk) => {
    const result = await sql<{ id: string }>`
      update call_tasks t set level = r.level
      from ${recordset(chunk.map((a) => ({ id: a.taskId, level: a.level })), 'r', { id: 'uuid', level: 'int' })}
      where t.id = r.id and t.realm_id = ${realmId} and t.level < r.level
      returning t.id`.execute(trx);
    return result.rows;
  });
  return raised.length;
}

/** Another reason on the account's open task (found by account: it may have been opened this run). */
async function addReasons(trx: Trx, realmId: string, additions: Of<'add_reason'>[]): Promise<number> {
  const added = await perChunk(additions, async (chunk) => {
    const result = await sql<{ id: string }>`
      update call_tasks t set reasons = t.reasons || jsonb_build_array(r.reason), scheduled_for = least(t.scheduled_for, r.scheduled_for)
      from ${recordset(chunk.map((a) => ({ customer_id: a.customerId, reason: a.reason, scheduled_for: a.scheduledFor })), 'r', { customer_id: 'text', reason: 'text', scheduled_for: 'date' })}
      where t.realm_id = ${realmId} and t.customer_id = r.customer_id and t.status = 'open' and not t.reasons ? r.reason
      returning t.id`.execute(trx);
    return result.rows;
  });
  return added.length;
}

/** Tasks of accounts with nothing collectible leave the list; they come back when that changes. */
async function retireTasks(trx: Trx, realmId: string, retirements: Of<'retire_task'>[]): Promise<number> {
  const ids = retirements.map((r) => r.taskId);
  const retired = await perChunk(ids, (chunk) => trx.updateTable('call_tasks').set({ status: 'retired' }).where('realm_id', '=', realmId).where('id', 'in', chunk).where('status', '=', 'open').returning('id').execute());
  return retired.length;
}

async function restoreTasks(trx: Trx, realmId: string, restorations: Of<'restore_task'>[]): Promise<number> {
  const restored = await perChunk(restorations, async (chunk) => {
    const result = await sql<{ id: string }>`
      update call_tasks t set status = 'open', scheduled_for = r.scheduled_for
      from ${recordset(chunk.map((a) => ({ id: a.taskId, scheduled_for: a.scheduledFor })), 'r', { id: 'uuid', scheduled_for: 'date' })}
      where t.id = r.id and t.realm_id = ${realmId} and t.status = 'retired'
        and not exists (select 1 from call_tasks o where o.realm_id = t.realm_id and o.customer_id = t.customer_id and o.status = 'open')
      returning t.id`.execute(trx);
    return result.rows;
  });
  return restored.length;
}

/** Queued messages that list what a pause, promise, plan or dispute now covers are not sent. */
async function cancelMessages(trx: Trx, realmId: string, today: LocalDate, cancellations: Of<'cancel_message'>[]): Promise<number> {
  const cancelled = await perChunk(cancellations, async (chunk) => {
    const result = await sql<{ id: string; customer_id: string; kind: string; invoice_ids: string[]; reason: string }>`
      update messages m set status = 'cancelled', status_reason = c.reason
      from ${recordset(chunk.map((a) => ({ id: a.messageId, reason: a.reason })), 'c', { id: 'uuid', reason: 'text' })}
      where m.id = c.id and m.realm_id = ${realmId} and m.status = 'queued'
      returning m.id, m.customer_id, m.kind, m.invoice_ids, c.reason`.execute(trx);
    return result.rows;
  });
  await recordActivities(
    trx,
    realmId,
    today,
    cancelled.map((m) => ({ customerId: m.customer_id, invoiceIds: m.invoice_ids, kind: 'message_cancelled', summary: `${MESSAGE_NAMES[m.kind as keyof typeof MESSAGE_NAMES] ?? m.kind} not sent: ${m.reason}`, details: { messageId: m.id, kind: m.kind }, key: `message-cancelled:${m.id}` })),
  );
  return cancelled.length;
}

/** Records `actions` for `today` inside `trx`; the counts are of what was new. */
export async function recordActions(trx: Trx, realmId: string, today: LocalDate, actions: Action[]): Promise<AppliedCounts> {
  const a = byType(actions);
  // Settle promises and paid invoices first: they decide what the rest of the day may do.
  const promise_outcome = await settlePromises(trx, realmId, today, a.promiseOutcomes);
  const cancel_pending = await cancelPaid(trx, realmId, today, a.cancellations);
  const cancel_message = await cancelMessages(trx, realmId, today, a.messageCancellations);
  const sight = await firstSight(trx, realmId, today, a.firstSeen.map((f) => f.invoiceId), a.levelChanges);
  const counts: AppliedCounts = {
    promise_outcome,
    cancel_pending,
    cancel_message,
    first_seen: sight.seen,
    level_change: sight.levelled.size + (await changeLevels(trx, realmId, today, a.levelChanges.filter((c) => !sight.levelled.has(c)))),
    escalation_candidate: await markEscalations(trx, realmId, today, a.escalations),
    send_message: await queueMessages(trx, realmId, today, a.messages),
    // Retire and restore before opening: an account never holds two open tasks.
    retire_task: await retireTasks(trx, realmId, a.retirements),
    restore_task: await restoreTasks(trx, realmId, a.restorations),
    open_task: await openTasks(trx, realmId, today, a.openTasks),
    add_reason: await addReasons(trx, realmId, a.additions),
    raise_task: await raiseTasks(trx, realmId, a.raisedTasks.filter((r) => !r.taskId.startsWith('new:'))),
  };
  for (const type of Object.keys(counts) as Array<Action['type']>) if (!counts[type]) delete counts[type];
  return counts;
}
