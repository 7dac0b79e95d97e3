import fc from 'fast-check';
import { payerResolver } from './accounts';
import { addDays, daysBetween, isBusinessDay, localMoment } from './calendar';
import { at, buildHistory, buildInput } from './factories';
import type { Action, CallAttempt, CallTask, Customer, CustomerHistory, Dispute, Invoice, InvoiceState, Level, Pause, Payment, PromiseToPay, RecordedMessage } from './model';
import { shareOf } from './money';
import { runPlaybook } from './playbook';
import { DEFAULT_SETTINGS } from './settings';

/**
 * The playbook's invariants over random companies replayed day by day, every calendar day at
 * 07:00 as the schedule runs it. A small in-memory recorder applies each day's actions the way
 * the database recorder does, and an outbox sends each message in its send window (the day's
 * after 08:00, a weekend's on Monday), so tomorrow's run sees what today's decided and what went out.
 */

const START = '2026-03-02';
const settings = DEFAULT_SETTINGS;
const DUNNING = new Set(['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice']);
const OUTCOMES = ['no_answer', 'voicemail', 'wrong_person', 'call_back', 'promised', 'will_not_pay'] as const;

interface World {
  customers: Customer[];
  invoices: Invoice[];
  payments: Payment[];
  pauses: Pause[];
  states: Map<string, InvoiceState>;
  histories: Map<string, CustomerHistory>;
  tasks: Array<CallTask & { status: 'open' | 'retired' }>;
  promises: PromiseToPay[];
  disputes: Dispute[];
  attempts: CallAttempt[];
  messages: Array<RecordedMessage & { cancelled?: boolean }>;
}

const companyArb = fc
  .record({
    customers: fc.array(fc.record({ company: fc.boolean(), email: fc.boolean(), parent: fc.option(fc.nat(5), { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
    invoices: fc.array(fc.record({ customer: fc.nat(5), dueOffset: fc.integer({ min: -70, max: 20 }), cents: fc.integer({ min: 1, max: 2_000_000 }) }), { minLength: 1, maxLength: 12 }),
    payments: fc.array(fc.record({ invoice: fc.nat(11), day: fc.nat(40), share: fc.constantFrom(0.5, 1) }), { maxLength: 6 }),
    pauses: fc.array(fc.record({ customer: fc.nat(5), until: fc.option(fc.nat(30), { nil: null }) }), { maxLength: 2 }),
    disputes: fc.array(fc.record({ invoice: fc.nat(11), day: fc.nat(40) }), { maxLength: 2 }),
    promises: fc.array(fc.record({ invoice: fc.nat(11), day: fc.nat(40), dueIn: fc.nat(6) }), { maxLength: 3 }),
    // Each business day the collector works some of the day's tasks: an outcome per account, or nothing.
    calls: fc.array(fc.record({ customer: fc.nat(5), day: fc.nat(44), outcome: fc.constantFrom(...OUTCOMES) }), { maxLength: 12 }),
  })
  .map((c) => {
    const customers: Customer[] = c.customers.map((x, i) => ({
      id: `c${i}`,
      name: `Customer ${i}`,
      companyName: x.company ? `Customer ${i} LLC` : null,
      email: x.email ? `ap@c${i}.test` : null,
      // Parents only point backwards, so chains end; some are several levels deep.
      parentId: x.parent !== undefined && x.parent < i ? `c${x.parent}` : null,
    }));
    const invoices: Invoice[] = c.invoices.map((x, i) => {
      const dueDate = addDays(START, x.dueOffset);
      return { id: `i${i}`, customerId: `c${x.customer % customers.length}`, docNumber: `${1000 + i}`, txnDate: addDays(dueDate, -30), dueDate, total: x.cents, balance: x.cents, billEmail: null };
    });
    const payments = c.payments.filter((p) => p.invoice < invoices.length).map((p, i) => ({ ...p, id: `p${i}` }));
    const pauses: Pause[] = c.pauses.map((p) => ({ customerId: `c${p.customer % customers.length}`, invoiceId: null, until: p.until === null ? null : addDays(START, p.until) }));
    const disputes = c.disputes.filter((d) => d.invoice < invoices.length);
    const promises = c.promises.filter((p) => p.invoice < invoices.length);
    return { customers, invoices, payments, pauses, disputes, promises, calls: c.calls };
  });

function apply(world: World, day: string, actions: Action[]): void {
  for (const action of actions) {
    switch (action.type) {
      case 'first_seen':
        if (!world.states.has(action.invoiceId)) world.states.set(action.invoiceId, { invoiceId: action.invoiceId, level: 0, levelEnteredOn: null, level1On: null, firstSeenOn: day, verificationSentOn: null });
        break;
      case 'level_change': {
        const state = world.states.get(action.invoiceId) ?? { invoiceId: action.invoiceId, level: 0 as Level, levelEnteredOn: null, level1On: null, firstSeenOn: day, verificationSentOn: null };
        world.states.set(action.invoiceId, { ...state, level: action.to, levelEnteredOn: day, level1On: state.level1On ?? (action.to === 1 ? day : null), level2On: action.to === 2 ? day : (state.level2On ?? null), escalateNow: false });
        break;
      }
      case 'cancel_pending': {
        world.states.delete(action.invoiceId);
        for (const m of world.messages) if (m.status === 'queued' && m.kind !== 'thank_you' && m.invoiceIds.length === 1 && m.invoiceIds[0] === action.invoiceId) m.cancelled = true;
        const history = world.histories.get(action.customerId);
        if (history) history.contactedInvoiceIds = history.contactedInvoiceIds.filter((id) => id !== action.invoiceId);
        break;
      }
      case 'send_message':
        world.messages.push({ id: `m${world.messages.length}`, customerId: action.customerId, kind: action.kind, invoiceIds: action.invoiceIds, status: 'queued', queuedOn: day, sendOn: localMoment(action.sendAt, settings.timezone).date });
        if (DUNNING.has(action.kind)) {
          const history = world.histories.get(action.customerId) ?? buildHistory(action.customerId);
          history.contactedInvoiceIds = [...new Set([...history.contactedInvoiceIds, ...action.invoiceIds])];
          world.histories.set(action.customerId, history);
        }
        if (action.kind === 'verification') for (const id of action.invoiceIds) world.states.set(id, { ...world.states.get(id)!, verificationSentOn: day });
        break;
      case 'cancel_message':
        world.messages.find((m) => m.id === action.messageId)!.cancelled = true;
        break;
      case 'promise_outcome': {
        const promise = world.promises.find((p) => p.id === action.promiseId)!;
        promise.status = action.outcome;
        // A broken promise lets its invoices rise at once, until they do.
        if (action.outcome !== 'kept') for (const id of promise.invoiceIds) if (world.states.has(id)) world.states.set(id, { ...world.states.get(id)!, escalateNow: true });
        break;
      }
      case 'retire_task':
        world.tasks.find((t) => t.id === action.taskId)!.status = 'retired';
        break;
      case 'restore_task':
        Object.assign(world.tasks.find((t) => t.id === action.taskId)!, { status: 'open', scheduledFor: action.scheduledFor });
        break;
      case 'open_task':
        world.tasks.push({ id: `t${world.tasks.length}`, customerId: action.customerId, level: action.level, reason: action.reason, reasons: [action.reason], scheduledFor: action.scheduledFor, createdOn: day, status: 'open' });
        break;
      case 'add_reason': {
        const task = world.tasks.find((t) => t.status === 'open' && t.customerId === action.customerId)!;
        if (!task.reasons.includes(action.reason)) task.reasons = [...task.reasons, action.reason];
        if (action.scheduledFor < task.scheduledFor) task.scheduledFor = action.scheduledFor;
        break;
      }
      case 'raise_task': {
        const task = world.tasks.find((t) => t.status === 'open' && t.customerId === action.customerId)!;
        task.level = Math.max(task.level, action.level) as Level;
        break;
      }
      default:
        break;
    }
  }
}

/**
 * The outbox: what was queued to go out before `day` went out on its day, after the fresh
 * balance check (paid invoices dropped; nothing left to ask for, not sent). Returns the dunning
 * messages sent.
 */
function sendBefore(world: World, day: string, balanceOf: (id: string) => number): Array<RecordedMessage & { sendOn: string }> {
  const sent: Array<RecordedMessage & { sendOn: string }> = [];
  for (const m of world.messages) {
    if (m.cancelled || m.status !== 'queued' || !m.sendOn || m.sendOn >= day) continue;
    if (m.kind !== 'thank_you') m.invoiceIds = m.invoiceIds.filter((id) => balanceOf(id) > 0);
    if (m.invoiceIds.length === 0) {
      m.cancelled = true;
      continue;
    }
    m.status = 'sent';
    if (!DUNNING.has(m.kind)) continue;
    sent.push({ ...m, sendOn: m.sendOn });
    const history = world.histories.get(m.customerId) ?? buildHistory(m.customerId);
    if (!history.lastDunningOn || history.lastDunningOn < m.sendOn) history.lastDunningOn = m.sendOn;
    world.histories.set(m.customerId, history);
  }
  return sent.sort((a, b) => a.sendOn.localeCompare(b.sendOn));
}

function runDay(world: World, day: string): Action[] {
  const paid = (invoice: Invoice) => world.payments.filter((p) => p.appliedTo.some((a) => a.invoiceId === invoice.id)).reduce((sum, p) => sum + p.appliedTo.find((a) => a.invoiceId === invoice.id)!.amount, 0);
  const invoices = world.invoices.map((i) => ({ ...i, balance: i.total - paid(i) })).filter((i) => i.balance > 0 || world.states.has(i.id));
  return runPlaybook(
    buildInput({
      now: at(day, '07:00'),
      connectedOn: START,
      customers: world.customers,
      invoices,
      states: [...world.states.values()],
      histories: [...world.histories.values()],
      pauses: world.pauses,
      payments: world.payments,
      promises: world.promises.map((p) => ({ ...p })),
      disputes: world.disputes,
      callAttempts: world.attempts,
      messages: world.messages.filter((m) => !m.cancelled && m.kind !== 'thank_you').map(({ cancelled: _cancelled, ...m }) => m),
      openTasks: world.tasks.filter((t) => t.status === 'open').map((t) => ({ ...t, reasons: [...t.reasons] })),
      retiredTasks: world.tasks.filter((t) => t.status === 'retired'),
    }),
    settings,
  );
}

describe('the playbook, over random companies replayed day by day', () => {
  it('keeps its promises every day: one task per account and none with nothing collectible, no paid or covered invoice dunned, no message twice, exact totals, paced levels and emails, idempotent days', () => {
    fc.assert(
      fc.property(companyArb, (company) => {
        const world: World = { customers: company.customers, invoices: company.invoices, payments: [], pauses: company.pauses, states: new Map(), histories: new Map(), tasks: [], promises: [], disputes: [], attempts: [], messages: [] };
        const payerOf = payerResolver(company.customers);
        const lastLevelDay = new Map<string, string>();
        const sentBefore = new Set<string>();
        const lastDunningSent = new Map<string, string>();
        const balanceOf = (id: string) => {
          const invoice = world.invoices.find((i) => i.id === id)!;
          return invoice.total - world.payments.flatMap((p) => p.appliedTo).filter((a) => a.invoiceId === id).reduce((s, a) => s + a.amount, 0);
        };
        for (let n = 0; n < 45; n++) {
          const day = addDays(START, n);
          // The gap of SPEC §4, on the days dunning messages went out: 3 days between any two to an account.
          for (const m of sendBefore(world, day, balanceOf)) {
            const last = lastDunningSent.get(m.customerId);
            if (last) expect({ customer: m.customerId, last, sent: m.sendOn, apart: daysBetween(last, m.sendOn) >= settings.dunningGapDays }).toEqual({ customer: m.customerId, last, sent: m.sendOn, apart: true });
            lastDunningSent.set(m.customerId, m.sendOn);
          }
          for (const p of company.payments.filter((p) => p.day === n)) {
            const invoice = company.invoices[p.invoice]!;
            world.payments.push({ id: `${p.id}-${n}`, customerId: invoice.customerId, txnDate: day, appliedTo: [{ invoiceId: invoice.id, amount: shareOf(invoice.total, p.share) }] });
          }
          for (const d of company.disputes.filter((d) => d.day === n)) {
            const invoice = company.invoices[d.invoice]!;
            world.disputes.push({ id: `d${world.disputes.length}`, customerId: invoice.customerId, invoiceIds: [invoice.id], status: 'open' });
          }
          for (const p of company.promises.filter((p) => p.day === n)) {
            const invoice = company.invoices[p.invoice]!;
            if (balanceOf(invoice.id) > 0) world.promises.push({ id: `pr${world.promises.length}`, customerId: invoice.customerId, invoiceIds: [invoice.id], amount: balanceOf(invoice.id), dueOn: addDays(day, p.dueIn), madeOn: day, status: 'open' });
          }
          // The collector's calls of the day, recorded as the call outcomes service records them.
          for (const call of company.calls.filter((c) => c.day === n && isBusinessDay(day))) {
            const payer = payerOf(`c${call.customer % company.customers.length}`);
            if (!world.tasks.some((t) => t.status === 'open' && t.customerId === payer && t.scheduledFor <= day)) continue;
            const reached = call.outcome === 'promised' || call.outcome === 'will_not_pay';
            world.attempts.push({ customerId: payer, on: day, outcome: call.outcome, reached });
            if (reached) world.histories.set(payer, { ...(world.histories.get(payer) ?? buildHistory(payer)), lastReachedOn: day });
            if (call.outcome === 'will_not_pay') for (const [id, state] of world.states) if (payerOf(world.invoices.find((i) => i.id === id)!.customerId) === payer) world.states.set(id, { ...state, escalateNow: true });
          }
          const hurried = new Set([...world.states.values()].filter((s) => s.escalateNow).map((s) => s.invoiceId));
          const actions = runDay(world, day);
          for (const a of actions) if (a.type === 'promise_outcome' && a.outcome !== 'kept') world.promises.find((p) => p.id === a.promiseId)!.invoiceIds.forEach((id) => hurried.add(id));

          // No message but a thank-you lists a paid invoice.
          for (const m of actions) if (m.type === 'send_message' && m.kind !== 'thank_you') for (const id of m.invoiceIds) expect(balanceOf(id)).toBeGreaterThan(0);
          // A message's total is the exact integer sum of what it lists: its balances (a thank-you: the invoice's total).
          for (const m of actions) {
            if (m.type !== 'send_message') continue;
            let cents = 0;
            for (const id of m.invoiceIds) cents += m.kind === 'thank_you' ? world.invoices.find((i) => i.id === id)!.total : balanceOf(id);
            expect({ key: m.key, total: m.total, whole: Number.isSafeInteger(m.total) }).toEqual({ key: m.key, total: cents, whole: true });
          }
          // At most one level a day, one step at a time (first sight: up to level 2 at once), and 7 days
          // between levels unless a broken promise or "will not pay" hurries it.
          const changes = actions.filter((a): a is Extract<Action, { type: 'level_change' }> => a.type === 'level_change');
          expect(new Set(changes.map((c) => c.invoiceId)).size).toBe(changes.length);
          for (const change of changes) {
            if (change.from === 0) expect(change.to).toBeLessThanOrEqual(2);
            else expect(change.to).toBe(change.from + 1);
            const last = lastLevelDay.get(change.invoiceId);
            if (last && change.from > 0 && !hurried.has(change.invoiceId)) expect(daysBetween(last, day)).toBeGreaterThanOrEqual(settings.minDaysBetweenLevels);
            lastLevelDay.set(change.invoiceId, day);
          }
          // No message lists an invoice a dispute, an open promise or a pause covers (judged after today's promise outcomes).
          const settledToday = new Set(actions.flatMap((a) => (a.type === 'promise_outcome' ? [a.promiseId] : [])));
          const promisedIds = new Set(world.promises.filter((p) => p.status === 'open' && !settledToday.has(p.id) && day <= addDays(p.dueOn, settings.promiseGraceDays)).flatMap((p) => p.invoiceIds));
          const disputedIds = new Set(world.disputes.flatMap((d) => d.invoiceIds));
          const pausedPayers = new Set(world.pauses.filter((p) => p.until === null || day <= p.until).map((p) => p.customerId!));
          const covered = (id: string) => {
            const customerId = world.invoices.find((i) => i.id === id)!.customerId;
            return promisedIds.has(id) || disputedIds.has(id) || pausedPayers.has(customerId) || pausedPayers.has(payerOf(customerId));
          };
          for (const m of actions) if (m.type === 'send_message' && m.kind !== 'thank_you') for (const id of m.invoiceIds) expect({ key: m.key, id, covered: covered(id) }).toEqual({ key: m.key, id, covered: false });
          // No message twice: the same kind to the same account for the same invoices.
          for (const m of actions) {
            if (m.type !== 'send_message') continue;
            const signature = `${m.kind}|${m.customerId}|${[...m.invoiceIds].sort().join(',')}`;
            expect(sentBefore.has(signature)).toBe(false);
            sentBefore.add(signature);
          }
          // One dunning email per account a day, to the paying account (the gap is checked as they go out).
          const dunning = actions.filter((a): a is Extract<Action, { type: 'send_message' }> => a.type === 'send_message' && DUNNING.has(a.kind));
          expect(new Set(dunning.map((d) => d.customerId)).size).toBe(dunning.length);
          for (const d of dunning) expect(d.customerId).toBe(payerOf(d.customerId));

          // A new task only for an account without an open one (restored ones included), one per account.
          const opened = actions.filter((a): a is Extract<Action, { type: 'open_task' }> => a.type === 'open_task').map((a) => a.customerId);
          const restored = new Set(actions.filter((a) => a.type === 'restore_task').map((a) => (a as Extract<Action, { type: 'restore_task' }>).customerId));
          const retiring = new Set(actions.filter((a) => a.type === 'retire_task').map((a) => (a as Extract<Action, { type: 'retire_task' }>).taskId));
          expect(new Set(opened).size).toBe(opened.length);
          for (const customerId of opened) {
            expect(restored.has(customerId)).toBe(false);
            expect(world.tasks.some((t) => t.status === 'open' && t.customerId === customerId && !retiring.has(t.id))).toBe(false);
          }

          apply(world, day, actions);
          // One open task per account, always the paying account.
          const open = world.tasks.filter((t) => t.status === 'open');
          expect(new Set(open.map((t) => t.customerId)).size).toBe(open.length);
          for (const task of open) expect(task.customerId).toBe(payerOf(task.customerId));
          // No task for an account with nothing collectible: an overdue invoice nothing covers, a promise due
          // today and unpaid, or (to find an address) an open invoice nothing covers.
          const openOf = (payer: string) => world.invoices.filter((i) => payerOf(i.customerId) === payer && balanceOf(i.id) > 0 && !covered(i.id));
          for (const task of open) {
            const overdue = openOf(task.customerId).some((i) => daysBetween(i.dueDate, day) > 0);
            const promiseToday = world.promises.some((p) => p.status === 'open' && payerOf(p.customerId) === task.customerId && p.dueOn === day && p.invoiceIds.some((id) => balanceOf(id) > 0));
            const addressWanted = task.reasons.includes('find_email') && openOf(task.customerId).length > 0;
            expect({ task: task.customerId, day, collectible: overdue || promiseToday || addressWanted }).toEqual({ task: task.customerId, day, collectible: true });
          }
          // A second run of the same day proposes nothing.
          expect(runDay(world, day)).toEqual([]);
        }
      }),
      { numRuns: 60, seed: 20261201 },
    );
  });
});
