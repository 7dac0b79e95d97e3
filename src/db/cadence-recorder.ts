import { sql, type Transaction } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { DUNNING_KINDS, MESSAGE_NAMES } from '../collections/message-kinds';
import { NOT_A_NOTE, NOT_A_NOTE_REASON } from '../collections/notes';
import type { Action } from '../collections/model';
import { centsToDecimal, centsToNumber, toCents } from '../collections/money';
import { chunks, eachChunk, recordset, unnested } from './bulk';
import type { Database } from './schema';
import { awaitedLater, StatementQueue, statementsStarted } from './statement-queue';

/**
 * Records one day of the playbook's decisions, set-based: one statement per kind of action and
 * chunk of rows, never one per action, so the first run over a large book stays in seconds.
 * Every write is keyed (unique keys, `on conflict do nothing`, guarded updates), so recording
 * the same day twice changes nothing; the counts say what was new. Amounts go to numeric columns
 * as decimal text; activities' details keep them in currency units, as the API shows them.
 * The statements go through one StatementQueue, in the order written here: a step queues its
 * statements and the next one builds its rows while PostgreSQL writes them. A step waits only
 * for answers it needs to go on (the messages' ids, the levels that changed).
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
  const queue = new StatementQueue(trx);
  const inserted = queueActivities(queue, realmId, today, entries);
  await queue.drain();
  return inserted;
}

/** recordActivities on a queue: the statements are queued at once, the count comes when they have run. */
function queueActivities(queue: StatementQueue, realmId: string, today: LocalDate, entries: ActivityEntry[]): Promise<number> {
  return counted(entries, (chunk) => {
    const rows = chunk.map((e) => ({ customer_id: e.customerId, invoice_ids: e.invoiceIds, kind: e.kind, summary: e.summary, details: e.details ?? {}, key: e.key }));
    return queue.count(sql`
      insert into activities (realm_id, customer_id, invoice_ids, kind, summary, details, occurred_on, key, note_status, note_error)
      select ${realmId}, a.customer_id, a.invoice_ids, a.kind, a.summary, a.details, ${today}::date, a.key,
             case when a.kind in (${sql.join([...NOT_A_NOTE])}) then 'skipped' else 'pending' end,
             case when a.kind in (${sql.join([...NOT_A_NOTE])}) then ${NOT_A_NOTE_REASON} end
      from ${recordset(rows, 'a', { customer_id: 'text', invoice_ids: 'jsonb', kind: 'text', summary: 'text', details: 'jsonb', key: 'text' })}
      on conflict (realm_id, key) do nothing`);
  });
}

type ByType = { [T in Action['type']]: Of<T>[] };

/** The actions sorted by type, in one pass. */
function byType(actions: Action[]): ByType {
  const sorted = { promise_outcome: [], cancel_pending: [], first_seen: [], level_change: [], escalation_candidate: [], send_message: [], open_task: [], raise_task: [], add_reason: [], retire_task: [], restore_task: [], cancel_message: [] } as unknown as Record<Action['type'], Action[]>;
  for (const action of actions) sorted[action.type].push(action);
  return sorted as ByType;
}

/** Queues: invoice states exist for `ids` (first seen today when new). */
function ensureStates(queue: StatementQueue, realmId: string, today: LocalDate, ids: string[]): void {
  for (const chunk of chunks(ids)) {
    queue.send(sql`
      insert into invoice_states (realm_id, invoice_id, first_seen_on)
      select ${realmId}, s.invoice_id, ${today}::date from ${recordset(chunk.map((invoice_id) => ({ invoice_id })), 's', { invoice_id: 'text' })}
      on conflict (realm_id, invoice_id) do nothing`);
  }
}

/** Rows per statement of the first sight: a first run over a large book sends few, large statements. */
const SIGHT_CHUNK = 50_000;

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
async function firstSight(queue: StatementQueue, realmId: string, today: LocalDate, ids: string[], changes: Of<'level_change'>[], verifiedToday: Promise<Set<string>>): Promise<{ seen: number; levelled: Set<Of<'level_change'>>; verified: Set<string> }> {
  const fromZero = changes.filter((c) => c.from === 0);
  if (!ids.length && !fromZero.length) return { seen: 0, levelled: new Set(), verified: new Set() };
  // The company's first-sight lock, to the end of the transaction: a racing run's first sight waits, then sees these rows.
  // Taken here, not for every recording: a call outcome's recording (no first sight) never waits for it while holding rows.
  // Asked before the rows are built, so that PostgreSQL answers while they are.
  queue.send(sql`select pg_advisory_xact_lock(hashtext(${`first-sight:${realmId}`}))`);
  const recorded = awaitedLater(queue.rows(sql`select invoice_id from invoice_states where realm_id = ${realmId} limit 1`));
  await statementsStarted();
  const firstLevel = new Map(fromZero.map((c) => [c.invoiceId, c]));
  // In invoice order, the order of the states' key: each statement then fills neighbouring index pages rather than pages
  // all over the index.
  const wanted = new Set(ids);
  const sorted = [...wanted, ...[...firstLevel.keys()].filter((id) => !wanted.has(id))].sort();
  // The day's messages are recorded before the lock's answer comes: a state first seen with its verification letter is
  // inserted with the letter's day, not updated after.
  const isRecorded = (await recorded).length > 0;
  const verified = await verifiedToday;
  const rowsOf = (chunk: string[]) => chunk.map((invoice_id) => ({ invoice_id, level: firstLevel.get(invoice_id)?.to ?? 0, verified: verified.has(invoice_id) }));
  const insert = (rows: Array<{ invoice_id: string; level: number; verified: boolean }>, guarded: boolean) => sql<{ invoice_id: string; level: number }>`
      insert into invoice_states (realm_id, invoice_id, first_seen_on, level, level_entered_on, level1_on, level2_on, verification_sent_on)
      select ${realmId}, i.invoice_id, ${today}::date, i.level, case when i.level > 0 then ${today}::date end,
             case when i.level = 1 then ${today}::date end, case when i.level = 2 then ${today}::date end,
             case when i.verified then ${today}::date end
      from ${unnested(rows, 'i', { invoice_id: 'text', level: 'int', verified: 'boolean' })}
      ${guarded ? sql`where not exists (select 1 from invoice_states o where o.realm_id = ${realmId} and o.invoice_id = i.invoice_id) returning invoice_id, level` : sql``}`;
  let inserted: Array<{ invoice_id: string; level: number }>;
  if (isRecorded) {
    inserted = await eachChunk(sorted, (chunk) => queue.rows(insert(rowsOf(chunk), true)), SIGHT_CHUNK);
  } else {
    // A company's first run finds no states at all: every row is new, so none looks for an existing one and none is sent
    // back (100,000 rows of a large book's first run), and nothing waits for the inserts. Each statement starts as soon as
    // it is built: PostgreSQL writes one chunk while the next is built.
    inserted = [];
    for (const chunk of chunks(sorted, SIGHT_CHUNK)) {
      const rows = rowsOf(chunk);
      queue.send(insert(rows, false));
      inserted.push(...rows);
      await statementsStarted();
    }
  }
  // What follows takes Node a while on a large book: it yields between its steps, so that the answer to a statement is
  // read, and the next one sent, while it works.
  const levelled = inserted.filter((row) => row.level > 0).map((row) => firstLevel.get(row.invoice_id)!);
  await statementsStarted();
  await recordEntries(queue, realmId, today, levelled);
  const seen = inserted.filter((row) => wanted.has(row.invoice_id)).length;
  await statementsStarted();
  return { seen, levelled: new Set(levelled), verified: new Set(inserted.map((row) => row.invoice_id).filter((id) => verified.has(id))) };
}

/** Queues one "entered collection level N" activity per customer and level, listing the invoices first seen at it today. */
async function recordEntries(queue: StatementQueue, realmId: string, today: LocalDate, levelled: Of<'level_change'>[]): Promise<void> {
  const groups = new Map<string, { customer_id: string; level: number; invoice_ids: string[] }>();
  for (const change of levelled) {
    const key = `entered:${change.customerId}:${change.to}:${today}`;
    const group = groups.get(key) ?? { customer_id: change.customerId, level: change.to, invoice_ids: [] };
    group.invoice_ids.push(change.invoiceId);
    groups.set(key, group);
  }
  await statementsStarted();
  const rows = [...groups].map(([key, g]) => ({ key, customer_id: g.customer_id, level: g.level, invoice_ids: JSON.stringify(g.invoice_ids.sort()) }));
  for (const chunk of chunks(rows, SIGHT_CHUNK)) {
    queue.send(sql`
      insert into activities (realm_id, customer_id, invoice_ids, kind, summary, details, occurred_on, key, note_status)
      select ${realmId}, e.customer_id, e.invoice_ids, 'level_change', 'entered collection level ' || e.level,
             jsonb_build_object('from', 0, 'to', e.level), ${today}::date, e.key, 'pending'
      from ${unnested(chunk, 'e', { key: 'text', customer_id: 'text', level: 'int', invoice_ids: 'jsonb' })}
      on conflict (realm_id, key) do nothing`);
  }
}

async function settlePromises(queue: StatementQueue, realmId: string, today: LocalDate, outcomes: Of<'promise_outcome'>[]): Promise<number> {
  const words = { kept: 'kept', partly_kept: 'partly kept', broken: 'broken' } as const;
  const settled = (
    await eachChunk(outcomes, (chunk) =>
      queue.rows(sql<{ id: string; plan_id: string | null; invoice_ids: string[]; outcome: keyof typeof words; paid: string; customer_id: string }>`
        update promises p set status = o.outcome, paid = o.paid, settled_on = ${today}::date
        from ${recordset(chunk.map((a) => ({ id: a.promiseId, outcome: a.outcome, paid: centsToDecimal(a.paid) })), 'o', { id: 'uuid', outcome: 'text', paid: 'numeric' })}
        where p.id = o.id and p.realm_id = ${realmId} and p.status = 'open'
        returning p.id, p.plan_id, p.invoice_ids, o.outcome, p.paid::text as paid, p.customer_id`),
    )
  ).map((row) => ({ ...row, paid: toCents(row.paid) }));
  const brokenPlans = [...new Set(settled.filter((p) => p.outcome !== 'kept' && p.plan_id).map((p) => p.plan_id!))];
  // A broken promise raises its invoices one level at once: remembered until the level changes (the gap may make it wait).
  const hurried = [...new Set(settled.filter((p) => p.outcome !== 'kept').flatMap((p) => p.invoice_ids))];
  for (const chunk of chunks(hurried)) queue.send(sql`update invoice_states set escalate_now = true where realm_id = ${realmId} and invoice_id in (${sql.join(chunk)})`);
  if (brokenPlans.length) queue.send(sql`update payment_plans set status = 'broken' where realm_id = ${realmId} and id in (${sql.join(brokenPlans)})`);
  awaitedLater(
    queueActivities(
      queue,
      realmId,
      today,
      settled.map((p) => ({ customerId: p.customer_id, invoiceIds: p.invoice_ids, kind: `promise_${p.outcome}`, summary: `promise to pay ${words[p.outcome]} (${centsToDecimal(p.paid)} paid)`, details: { promiseId: p.id, paid: centsToNumber(p.paid) }, key: `promise:${p.id}:${p.outcome}` })),
    ),
  );
  return settled.length;
}

/** A paid invoice: its state goes, its own queued letters are cancelled, the history forgets it. */
function cancelPaid(queue: StatementQueue, realmId: string, today: LocalDate, cancellations: Of<'cancel_pending'>[]): Promise<number> {
  const removed = counted(cancellations, (chunk) => {
    const ids = chunk.map((c) => c.invoiceId);
    const result = queue.count(sql`delete from invoice_states where realm_id = ${realmId} and invoice_id in (${sql.join(ids)})`);
    queue.send(sql`
      update messages set status = 'cancelled'
      where realm_id = ${realmId} and status = 'queued' and kind != 'thank_you'
        and jsonb_array_length(invoice_ids) = 1 and invoice_ids->>0 in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`);
    const customers = [...new Set(chunk.map((c) => c.customerId))];
    queue.send(sql`
      update customer_histories set contacted_invoice_ids = contacted_invoice_ids - array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
      where realm_id = ${realmId} and customer_id in (${sql.join(customers)})`);
    return result;
  });
  awaitedLater(queueActivities(queue, realmId, today, cancellations.map((c) => ({ customerId: c.customerId, invoiceIds: [c.invoiceId], kind: 'invoice_paid', summary: 'paid in full; pending collection actions cancelled', key: `paid:${c.invoiceId}` }))));
  return removed;
}

async function changeLevels(queue: StatementQueue, realmId: string, today: LocalDate, changes: Of<'level_change'>[]): Promise<number> {
  ensureStates(queue, realmId, today, changes.map((c) => c.invoiceId));
  const changed = await eachChunk(changes, (chunk) =>
    queue.rows(sql<{ invoice_id: string; from: number; to: number; customer_id: string }>`
      update invoice_states s
      set level = c."to", level_entered_on = ${today}::date,
          level1_on = coalesce(s.level1_on, case when c."to" = 1 then ${today}::date end),
          level2_on = case when c."to" = 2 then ${today}::date else s.level2_on end, escalate_now = false
      from ${recordset(chunk.map((a) => ({ invoice_id: a.invoiceId, from: a.from, to: a.to, customer_id: a.customerId })), 'c', { invoice_id: 'text', from: 'int', to: 'int', customer_id: 'text' })}
      where s.realm_id = ${realmId} and s.invoice_id = c.invoice_id and s.level = c."from"
      returning s.invoice_id, c."from", c."to", c.customer_id`),
  );
  awaitedLater(
    queueActivities(
      queue,
      realmId,
      today,
      changed.map((c) => ({ customerId: c.customer_id, invoiceIds: [c.invoice_id], kind: 'level_change', summary: `moved to collection level ${c.to}`, details: { from: c.from, to: c.to }, key: `level:${c.invoice_id}:${c.to}` })),
    ),
  );
  return changed.length;
}

function markEscalations(queue: StatementQueue, realmId: string, today: LocalDate, escalations: Of<'escalation_candidate'>[]): Promise<number> {
  for (const chunk of chunks(escalations.flatMap((e) => e.invoiceIds))) queue.send(sql`update invoice_states set escalation_candidate = true where realm_id = ${realmId} and invoice_id in (${sql.join(chunk)})`);
  return queueActivities(
    queue,
    realmId,
    today,
    escalations.map((e) => ({ customerId: e.customerId, invoiceIds: e.invoiceIds, kind: 'escalation_candidate', summary: 'marked an escalation candidate (agency or small claims)', key: `escalation:${e.customerId}:${e.invoiceIds.join(',')}` })),
  );
}

/** Queues messages into the outbox (those not there yet, by key); resolves with the new ones' ids and keys. */
function insertMessages(queue: StatementQueue, realmId: string, messages: Of<'send_message'>[]): Promise<Array<{ id: string; key: string }>> {
  return eachChunk(messages, (chunk) => {
    const rows = chunk.map((m) => ({ customer_id: m.customerId, kind: m.kind, to_address: m.to, invoice_ids: m.invoiceIds, total: centsToDecimal(m.total), send_at: m.sendAt.toISOString(), key: m.key }));
    return queue.rows(sql<{ id: string; key: string }>`
      insert into messages (realm_id, customer_id, kind, to_address, invoice_ids, total, send_at, key)
      select ${realmId}, m.customer_id, m.kind, m.to_address, m.invoice_ids, m.total, m.send_at, m.key
      from ${recordset(rows, 'm', { customer_id: 'text', kind: 'text', to_address: 'text', invoice_ids: 'jsonb', total: 'numeric', send_at: 'timestamptz', key: 'text' })}
      on conflict (realm_id, key) do nothing
      returning id, key`);
  });
}

/** The day's messages that are new (their key was not recorded before), and the new ones' ids by key. */
interface NewMessages {
  fresh: Of<'send_message'>[];
  ids: Map<string, string>;
}

/** Which of `messages` insertMessages recorded (`inserted`, its answer), once it has answered. */
function newMessages(messages: Of<'send_message'>[], inserted: Promise<Array<{ id: string; key: string }>>): Promise<NewMessages> {
  return awaitedLater(
    inserted.then((queued) => {
      const ids = new Map(queued.map((q) => [q.key, q.id]));
      return { fresh: messages.filter((m) => ids.has(m.key)), ids };
    }),
  );
}

/** The invoices that the day's new verification letters list. */
function verifiedBy(news: Promise<NewMessages>): Promise<Set<string>> {
  return awaitedLater(news.then(({ fresh }) => new Set(fresh.filter((m) => m.kind === 'verification').flatMap((m) => m.invoiceIds))));
}

/**
 * What follows the day's new messages (`news`): a new dunning message adds the invoices it lists
 * to the customer's history, a verification letter marks its invoices (but for those the first
 * sight inserted marked, `verifiedAtSight`), and each is an activity. The day of the last dunning
 * contact is the day one goes out (recordSent): the gap of SPEC §4 is counted between the days
 * messages reach the customer.
 */
async function afterMessages(queue: StatementQueue, realmId: string, today: LocalDate, news: Promise<NewMessages>, verifiedAtSight: Set<string>): Promise<number> {
  const { fresh, ids } = await news;
  // Each statement starts as soon as it is built (the quickest to build first): PostgreSQL writes one while the next is built.
  const verified = fresh.filter((m) => m.kind === 'verification').flatMap((m) => m.invoiceIds.filter((id) => !verifiedAtSight.has(id)));
  for (const chunk of chunks(verified)) queue.send(sql`update invoice_states set verification_sent_on = ${today}::date where realm_id = ${realmId} and invoice_id in (${sql.join(chunk)})`);
  await statementsStarted();

  // One history row per customer, however many messages it got today.
  const dunned = new Map<string, Set<string>>();
  for (const m of fresh.filter((m) => DUNNING_KINDS.has(m.kind))) {
    const set = dunned.get(m.customerId) ?? new Set<string>();
    m.invoiceIds.forEach((id) => set.add(id));
    dunned.set(m.customerId, set);
  }
  for (const chunk of chunks([...dunned])) {
    const rows = chunk.map(([customer_id, invoices]) => ({ customer_id, contacted: [...invoices] }));
    queue.send(sql`
      insert into customer_histories (realm_id, customer_id, contacted_invoice_ids)
      select ${realmId}, h.customer_id, h.contacted from ${recordset(rows, 'h', { customer_id: 'text', contacted: 'jsonb' })}
      on conflict (realm_id, customer_id) do update set
        contacted_invoice_ids = (select coalesce(jsonb_agg(distinct value), '[]'::jsonb)
                                 from jsonb_array_elements_text(customer_histories.contacted_invoice_ids || excluded.contacted_invoice_ids))`);
  }
  await statementsStarted();
  awaitedLater(
    queueActivities(
      queue,
      realmId,
      today,
      fresh.map((m) => ({ customerId: m.customerId, invoiceIds: m.invoiceIds, kind: 'message_queued', summary: `${MESSAGE_NAMES[m.kind]} queued for ${m.to}`, details: { messageId: ids.get(m.key), kind: m.kind, total: centsToNumber(m.total) }, key: `message:${m.key}` })),
    ),
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

/** How many rows the statements of `rows` (one per chunk, queued at once) change in all. */
async function counted<T>(rows: T[], statement: (chunk: T[]) => Promise<number>): Promise<number> {
  return (await Promise.all(chunks(rows).map((chunk) => statement(chunk)))).reduce((sum, n) => sum + n, 0);
}

function openTasks(queue: StatementQueue, realmId: string, today: LocalDate, tasks: Of<'open_task'>[]): Promise<number> {
  return counted(tasks, (chunk) => {
    const rows = chunk.map((t) => ({ customer_id: t.customerId, level: t.level, reason: t.reason, scheduled_for: t.scheduledFor, key: t.key }));
    // An account has one open task (a unique index): a second one is never inserted.
    return queue.count(sql`
      insert into call_tasks (realm_id, customer_id, level, reason, reasons, scheduled_for, created_on, key)
      select ${realmId}, t.customer_id, t.level, t.reason, jsonb_build_array(t.reason), t.scheduled_for, ${today}::date, t.key
      from ${recordset(rows, 't', { customer_id: 'text', level: 'int', reason: 'text', scheduled_for: 'date', key: 'text' })}
      on conflict do nothing`);
  });
}

function raiseTasks(queue: StatementQueue, realmId: string, raises: Of<'raise_task'>[]): Promise<number> {
  return counted(raises, (chunk) =>
    queue.count(sql`
      update call_tasks t set level = r.level
      from ${recordset(chunk.map((a) => ({ id: a.taskId, level: a.level })), 'r', { id: 'uuid', level: 'int' })}
      where t.id = r.id and t.realm_id = ${realmId} and t.level < r.level`),
  );
}

/** Another reason on the account's open task (found by account: it may have been opened this run). */
function addReasons(queue: StatementQueue, realmId: string, additions: Of<'add_reason'>[]): Promise<number> {
  return counted(additions, (chunk) =>
    queue.count(sql`
      update call_tasks t set reasons = t.reasons || jsonb_build_array(r.reason), scheduled_for = least(t.scheduled_for, r.scheduled_for)
      from ${recordset(chunk.map((a) => ({ customer_id: a.customerId, reason: a.reason, scheduled_for: a.scheduledFor })), 'r', { customer_id: 'text', reason: 'text', scheduled_for: 'date' })}
      where t.realm_id = ${realmId} and t.customer_id = r.customer_id and t.status = 'open' and not t.reasons ? r.reason`),
  );
}

/** Tasks of accounts with nothing collectible leave the list; they come back when that changes. */
function retireTasks(queue: StatementQueue, realmId: string, retirements: Of<'retire_task'>[]): Promise<number> {
  return counted(
    retirements.map((r) => r.taskId),
    (chunk) => queue.count(sql`update call_tasks set status = 'retired' where realm_id = ${realmId} and id in (${sql.join(chunk)}) and status = 'open'`),
  );
}

function restoreTasks(queue: StatementQueue, realmId: string, restorations: Of<'restore_task'>[]): Promise<number> {
  return counted(restorations, (chunk) =>
    queue.count(sql`
      update call_tasks t set status = 'open', scheduled_for = r.scheduled_for
      from ${recordset(chunk.map((a) => ({ id: a.taskId, scheduled_for: a.scheduledFor })), 'r', { id: 'uuid', scheduled_for: 'date' })}
      where t.id = r.id and t.realm_id = ${realmId} and t.status = 'retired'
        and not exists (select 1 from call_tasks o where o.realm_id = t.realm_id and o.customer_id = t.customer_id and o.status = 'open')`),
  );
}

/** Queued messages that list what a pause, promise, plan or dispute now covers are not sent. */
async function cancelMessages(queue: StatementQueue, realmId: string, today: LocalDate, cancellations: Of<'cancel_message'>[]): Promise<number> {
  const cancelled = await eachChunk(cancellations, (chunk) =>
    queue.rows(sql<{ id: string; customer_id: string; kind: string; invoice_ids: string[]; reason: string }>`
      update messages m set status = 'cancelled', status_reason = c.reason
      from ${recordset(chunk.map((a) => ({ id: a.messageId, reason: a.reason })), 'c', { id: 'uuid', reason: 'text' })}
      where m.id = c.id and m.realm_id = ${realmId} and m.status = 'queued'
      returning m.id, m.customer_id, m.kind, m.invoice_ids, c.reason`),
  );
  awaitedLater(
    queueActivities(
      queue,
      realmId,
      today,
      cancelled.map((m) => ({ customerId: m.customer_id, invoiceIds: m.invoice_ids, kind: 'message_cancelled', summary: `${MESSAGE_NAMES[m.kind as keyof typeof MESSAGE_NAMES] ?? m.kind} not sent: ${m.reason}`, details: { messageId: m.id, kind: m.kind }, key: `message-cancelled:${m.id}` })),
    ),
  );
  return cancelled.length;
}

/**
 * Records `actions` for `today` inside `trx`; the counts are of what was new. Every statement
 * has run when it returns.
 */
export async function recordActions(trx: Trx, realmId: string, today: LocalDate, actions: Action[]): Promise<AppliedCounts> {
  const a = byType(actions);
  const queue = new StatementQueue(trx);
  // Settle promises and paid invoices first: they decide what the rest of the day may do.
  const promise_outcome = await settlePromises(queue, realmId, today, a.promise_outcome);
  const cancel_pending = awaitedLater(cancelPaid(queue, realmId, today, a.cancel_pending));
  const cancel_message = await cancelMessages(queue, realmId, today, a.cancel_message);
  // The day's new messages go in before the first sight: PostgreSQL writes them while the first sight is prepared.
  const news = newMessages(a.send_message, insertMessages(queue, realmId, a.send_message));
  await statementsStarted();
  const sight = await firstSight(queue, realmId, today, a.first_seen.map((f) => f.invoiceId), a.level_change, verifiedBy(news));
  const level_change = sight.levelled.size + (await changeLevels(queue, realmId, today, a.level_change.filter((c) => !sight.levelled.has(c))));
  const escalation_candidate = awaitedLater(markEscalations(queue, realmId, today, a.escalation_candidate));
  const send_message = await afterMessages(queue, realmId, today, news, sight.verified);
  // Retire and restore before opening: an account never holds two open tasks.
  const retire_task = awaitedLater(retireTasks(queue, realmId, a.retire_task));
  const restore_task = awaitedLater(restoreTasks(queue, realmId, a.restore_task));
  const open_task = awaitedLater(openTasks(queue, realmId, today, a.open_task));
  const add_reason = awaitedLater(addReasons(queue, realmId, a.add_reason));
  const raise_task = awaitedLater(raiseTasks(queue, realmId, a.raise_task.filter((r) => !r.taskId.startsWith('new:'))));
  await queue.drain();
  const counts: AppliedCounts = {
    promise_outcome,
    cancel_pending: await cancel_pending,
    cancel_message,
    first_seen: sight.seen,
    level_change,
    escalation_candidate: await escalation_candidate,
    send_message,
    retire_task: await retire_task,
    restore_task: await restore_task,
    open_task: await open_task,
    add_reason: await add_reason,
    raise_task: await raise_task,
  };
  for (const type of Object.keys(counts) as Array<Action['type']>) if (!counts[type]) delete counts[type];
  return counts;
}
