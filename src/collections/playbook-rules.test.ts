import { addDays } from './calendar';
import { at, buildAttempt, buildCustomer, buildHistory, buildInput, buildInvoice, buildMessage, buildState, buildTask } from './factories';
import type { Action, Level, PlaybookInput, PromiseToPay, RecordedMessage } from './model';
import { businessDaysAfter, runPlaybook } from './playbook';
import { DEFAULT_SETTINGS as settings } from './settings';

/** The rules of SPEC §4 (revised for issue 19), one table each. 2026-03-02 is a Monday. */

const MONDAY = '2026-03-02';
const TUESDAY = '2026-03-03';
const of = <T extends Action['type']>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const kinds = (actions: Action[]) => of(actions, 'send_message').map((m) => m.kind);
const ago = (days: number, from = MONDAY) => addDays(from, -days);

describe('a. start early: a call task is due the day it arises', () => {
  it.each([
    ['a commercial customer on a Tuesday (call window Monday)', 'Acme LLC', TUESDAY],
    ['a personal customer on a Monday (call window Thursday, Friday)', null, MONDAY],
    ['a commercial customer on a Monday', 'Acme LLC', MONDAY],
  ])('%s', (_label, companyName, day) => {
    const customer = buildCustomer({ companyName });
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(3, day) });
    const actions = runPlaybook(buildInput({ now: at(day), customers: [customer], invoices: [invoice] }), settings);
    expect(of(actions, 'open_task')).toEqual([expect.objectContaining({ reason: 'level', scheduledFor: day })]);
  });

  it('raises the open task without moving it, and puts a new reason on it due today', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(14, TUESDAY) });
    const state = buildState(invoice.id, { level: 1, levelEnteredOn: ago(10, TUESDAY), level1On: ago(10, TUESDAY) });
    const task = buildTask(customer.id, { id: 't1', level: 1, scheduledFor: ago(8, TUESDAY) });
    const actions = runPlaybook(buildInput({ now: at(TUESDAY), customers: [customer], invoices: [invoice], states: [state], openTasks: [task] }), settings);
    expect(of(actions, 'raise_task')).toEqual([{ type: 'raise_task', taskId: 't1', customerId: customer.id, level: 2 }]);
    expect(of(actions, 'open_task')).toEqual([]);
  });
});

describe('b. first sight: the level its age gives, at most 2, in one step, told honestly', () => {
  it.each([
    // days overdue when first seen, level entered, first message
    [1, undefined, undefined],
    [3, 1, 'reminder'],
    [12, 1, 'reminder'],
    [13, 2, 'overdue_statement'],
    [30, 2, 'overdue_statement'],
    [133, 2, 'overdue_statement'],
  ] as Array<[number, Level | undefined, string | undefined]>)('%i days overdue → level %p, %p', (overdue, level, kind) => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(overdue) });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [invoice] }), settings);
    expect(of(actions, 'level_change').map((c) => [c.from, c.to])).toEqual(level ? [[0, level]] : []);
    expect(kinds(actions)).toEqual(kind ? [kind] : []);
  });

  it('tells the back catalogue at connect in one statement per customer, mixing levels 1 and 2', () => {
    const customer = buildCustomer();
    const old = buildInvoice({ customerId: customer.id, dueDate: ago(80), balance: 50_000 });
    const recent = buildInvoice({ customerId: customer.id, dueDate: ago(5), balance: 20_000 });
    const messages = of(runPlaybook(buildInput({ customers: [customer], invoices: [old, recent], connectedOn: MONDAY }), settings), 'send_message');
    expect(messages).toEqual([expect.objectContaining({ kind: 'overdue_statement', invoiceIds: [old.id, recent.id], total: 70_000 })]);
  });

  it('keeps the overdue statement when the gap made it wait, and climbs one level at a time afterwards', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(40) });
    // Entered level 2 at first sight 4 days ago, its statement held back by the gap.
    const state = buildState(invoice.id, { level: 2, levelEnteredOn: ago(4), level2On: ago(4), level1On: null, firstSeenOn: ago(4) });
    expect(kinds(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state] }), settings))).toEqual(['overdue_statement']);
    const later = { ...state, levelEnteredOn: ago(7), level2On: ago(7) };
    const sent = buildMessage(customer.id, 'overdue_statement', [invoice.id], { queuedOn: ago(3) });
    const changes = of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [later], messages: [sent] }), settings), 'level_change');
    expect(changes.map((c) => [c.from, c.to])).toEqual([[2, 3]]);
  });
});

describe('c. one verification letter per account and day', () => {
  it('lists every new invoice of the account (its sub-customers\' too) in one letter', () => {
    const parent = buildCustomer();
    const job = buildCustomer({ parentId: parent.id, email: null });
    const other = buildCustomer();
    const fresh = (customerId: string, daysAgo: number, balance: number) => buildInvoice({ customerId, txnDate: ago(daysAgo), dueDate: addDays(ago(daysAgo), 30), balance });
    const a = fresh(parent.id, 1, 10_000);
    const b = fresh(job.id, 2, 20_000);
    const c = fresh(parent.id, 0, 30_000);
    const d = fresh(other.id, 0, 5_000);
    const letters = of(runPlaybook(buildInput({ customers: [parent, job, other], invoices: [a, b, c, d], connectedOn: ago(30) }), settings), 'send_message');
    expect(letters.map((m) => [m.kind, m.customerId, m.invoiceIds, m.total, m.key])).toEqual([
      ['verification', parent.id, [b.id, a.id, c.id], 60_000, `verification:${parent.id}:${MONDAY}`],
      ['verification', other.id, [d.id], 5_000, `verification:${other.id}:${MONDAY}`],
    ]);
  });
});

describe('d. letters after unanswered calls', () => {
  const customer = buildCustomer();
  const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(24) });
  // Level 2 since 8 days ago: today it enters level 3 (call task 3; the demand letter waits on the calls).
  const atLevel2 = buildState(invoice.id, { level: 2, levelEnteredOn: ago(8), level2On: ago(8), level1On: ago(18) });
  const run = (extra: Partial<PlaybookInput>, state = atLevel2, now = at(MONDAY)) => runPlaybook(buildInput({ now, customers: [customer], invoices: [invoice], states: [state], ...extra }), settings);

  it.each([
    ['no call yet', [], []],
    ['a call since level 2 went unanswered', [buildAttempt(customer.id, ago(3), 'no_answer')], ['demand_letter']],
    ['a voicemail since level 2', [buildAttempt(customer.id, ago(2), 'voicemail')], ['demand_letter']],
    ['the wrong person since level 2', [buildAttempt(customer.id, ago(2), 'wrong_person')], ['demand_letter']],
    ['an unanswered call, then one that reached someone', [buildAttempt(customer.id, ago(3), 'no_answer'), buildAttempt(customer.id, ago(1), 'call_back'), buildAttempt(customer.id, ago(1), 'promised')], []],
    ['an unanswered call before level 2 only', [buildAttempt(customer.id, ago(12), 'no_answer')], []],
    ['a call back asked for (an attempt, not unanswered)', [buildAttempt(customer.id, ago(2), 'call_back')], []],
  ])('entering level 3 with %s → %p', (_label, callAttempts, expected) => {
    const actions = run({ callAttempts });
    expect(of(actions, 'level_change').map((c) => c.to)).toEqual([3]);
    expect(kinds(actions)).toEqual(expected);
  });

  it.each([
    // level 3 entered on, today, calls since level 3, expected
    ['Monday', MONDAY, TUESDAY, [], []],
    ['Monday', MONDAY, '2026-03-04', [], []],
    ['Monday', MONDAY, '2026-03-05', [], ['demand_letter']], // 3 business days and nobody called
    ['Thursday', '2026-02-26', MONDAY, [], []], // the weekend is not the desk's: 1 business day
    ['Thursday', '2026-02-26', '2026-03-04', [], ['demand_letter']],
    ['Monday, a call back asked for on Tuesday', MONDAY, '2026-03-05', [buildAttempt(customer.id, TUESDAY, 'call_back')], []],
    ['Monday, unanswered on Tuesday', MONDAY, '2026-03-04', [buildAttempt(customer.id, TUESDAY, 'no_answer')], ['demand_letter']],
  ])('level 3 since %s, on %s → %p', (_label, entered, today, callAttempts, expected) => {
    const state = buildState(invoice.id, { level: 3, levelEnteredOn: entered, level2On: ago(10, entered), level1On: ago(20, entered) });
    expect(kinds(run({ callAttempts }, state, at(today)))).toEqual(expected);
  });

  it('sends the demand letter once: an invoice it listed has had level 3\'s contact', () => {
    const state = buildState(invoice.id, { level: 3, levelEnteredOn: ago(10), level2On: ago(20), level1On: ago(30) });
    const letter = buildMessage(customer.id, 'demand_letter', [invoice.id], { queuedOn: ago(6) });
    expect(kinds(run({ callAttempts: [buildAttempt(customer.id, ago(5))] }, state))).toEqual(['demand_letter']);
    expect(kinds(run({ callAttempts: [buildAttempt(customer.id, ago(5))], messages: [letter] }, state))).toEqual([]);
  });

  it('counts business days Monday to Friday', () => {
    expect([TUESDAY, '2026-03-05', '2026-03-06', '2026-03-08', '2026-03-09'].map((d) => businessDaysAfter(MONDAY, d))).toEqual([1, 3, 4, 4, 5]);
  });
});

describe('e. "will not pay" and broken promises hurry the next level', () => {
  const customer = buildCustomer();
  const reached = buildHistory(customer.id, { lastReachedOn: ago(1) });

  it.each([
    // level, its message, days overdue (the age gives no higher level)
    [1 as Level, 'second_notice', 5],
    [2 as Level, 'demand_letter', 15],
    [3 as Level, 'final_notice', 25],
  ])('"will not pay" at level %i brings level %i+1 and its %s at once, though the call reached them', (level, kind, overdue) => {
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(overdue) });
    const state = buildState(invoice.id, { level, levelEnteredOn: ago(2), level1On: ago(2), level2On: level >= 2 ? ago(2) : null, escalateNow: true });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], histories: [reached], callAttempts: [buildAttempt(customer.id, ago(1), 'will_not_pay')] }), settings);
    expect(of(actions, 'level_change').map((c) => [c.from, c.to])).toEqual([[level, level + 1]]);
    expect(kinds(actions)).toEqual([kind]);
  });

  it('without "will not pay" the same invoice waits for its pacing', () => {
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(5) });
    const state = buildState(invoice.id, { level: 1, levelEnteredOn: ago(2), level1On: ago(2) });
    expect(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], messages: [buildMessage(customer.id, 'reminder', [invoice.id])] }), settings)).toEqual([]);
  });

  it('a broken promise raises the covered invoices one level at once, and only those', () => {
    const covered = buildInvoice({ customerId: customer.id, dueDate: ago(8) });
    const uncovered = buildInvoice({ customerId: customer.id, dueDate: ago(8) });
    const states = [covered, uncovered].map((i) => buildState(i.id, { level: 1, levelEnteredOn: ago(5), level1On: ago(5) }));
    const promise: PromiseToPay = { id: 'p1', customerId: customer.id, invoiceIds: [covered.id], amount: 100_000, dueOn: ago(3), madeOn: ago(4), status: 'open' };
    const sent = buildMessage(customer.id, 'reminder', [covered.id, uncovered.id], { queuedOn: ago(5) });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [covered, uncovered], states, promises: [promise], messages: [sent] }), settings);
    expect(of(actions, 'promise_outcome').map((o) => o.outcome)).toEqual(['broken']);
    expect(of(actions, 'level_change')).toEqual([expect.objectContaining({ invoiceId: covered.id, from: 1, to: 2 })]);
    expect(kinds(actions)).toEqual(['second_notice']);
    expect(of(actions, 'open_task')).toEqual([expect.objectContaining({ scheduledFor: MONDAY })]);
  });
});

describe('f. a dispute, promise, plan or pause takes its invoices out of every message and task', () => {
  const customer = buildCustomer();
  const a = buildInvoice({ customerId: customer.id, dueDate: ago(5), balance: 10_000 });
  const b = buildInvoice({ customerId: customer.id, dueDate: ago(4), balance: 20_000 });
  const promise = (invoiceIds: string[], planId: string | null = null): PromiseToPay => ({ id: 'p1', customerId: customer.id, invoiceIds, amount: 10_000, dueOn: addDays(MONDAY, 5), madeOn: ago(1), status: 'open', planId });

  it.each([
    ['disputed', { disputes: [{ id: 'd1', customerId: customer.id, invoiceIds: [a.id], status: 'open' as const }] }],
    ['promised', { promises: [promise([a.id])] }],
    ['in a payment plan', { promises: [promise([a.id], 'plan-1')] }],
    ['paused', { pauses: [{ customerId: null, invoiceId: a.id, until: null }] }],
  ])('an invoice %s is not listed in the reminder of the others', (_label, extra) => {
    const messages = of(runPlaybook(buildInput({ customers: [customer], invoices: [a, b], ...extra }), settings), 'send_message');
    expect(messages.map((m) => [m.kind, m.invoiceIds, m.total])).toEqual([['reminder', [b.id], 20_000]]);
  });

  it('opens no task and raises none for covered invoices alone', () => {
    const high = buildInvoice({ customerId: customer.id, dueDate: ago(30) });
    const state = buildState(high.id, { level: 2, levelEnteredOn: ago(10), level1On: ago(20), level2On: ago(10) });
    const disputes = [{ id: 'd1', customerId: customer.id, invoiceIds: [high.id], status: 'open' as const }];
    const task = buildTask(customer.id, { id: 't1', level: 1 });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [high, b], states: [state, buildState(b.id, { level: 1, levelEnteredOn: ago(1), level1On: ago(1) })], disputes, openTasks: [task], messages: [buildMessage(customer.id, 'reminder', [b.id])] }), settings);
    expect(of(actions, 'raise_task')).toEqual([]);
    expect(of(actions, 'level_change')).toEqual([]);
  });

  it.each([
    ['a paused customer\'s queued reminder', { pauses: [{ customerId: customer.id, invoiceId: null, until: null }] }, 'reminder', 'queued', true],
    ['a queued reminder listing a promised invoice', { promises: [promise([a.id])] }, 'reminder', 'queued', true],
    ['a queued verification letter of a disputed invoice', { disputes: [{ id: 'd1', customerId: customer.id, invoiceIds: [a.id], status: 'open' as const }] }, 'verification', 'queued', true],
    ['a sent reminder', { pauses: [{ customerId: customer.id, invoiceId: null, until: null }] }, 'reminder', 'sent', false],
    ['a queued promise confirmation', { promises: [promise([a.id])] }, 'promise_confirmation', 'queued', false],
  ] as Array<[string, Partial<PlaybookInput>, RecordedMessage['kind'], RecordedMessage['status'], boolean]>)('cancels %s: %p', (_label, extra, kind, status, cancelled) => {
    const queued = buildMessage(customer.id, kind, [a.id, b.id], { id: 'm-queued', status, queuedOn: ago(1) });
    const states = [a, b].map((i) => buildState(i.id, { level: 1, levelEnteredOn: ago(1), level1On: ago(1) }));
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [a, b], states, messages: [queued], ...extra }), settings);
    expect(of(actions, 'cancel_message').map((c) => c.messageId)).toEqual(cancelled ? ['m-queued'] : []);
  });
});

describe('g. no identical message twice: a listed invoice has had its level\'s contact', () => {
  const customer = buildCustomer();
  const first = buildInvoice({ customerId: customer.id, dueDate: ago(10) });
  const second = buildInvoice({ customerId: customer.id, dueDate: ago(3) });
  const states = (secondLevel: Level) => [buildState(first.id, { level: 1, levelEnteredOn: ago(7), level1On: ago(7) }), buildState(second.id, { level: secondLevel, levelEnteredOn: secondLevel ? ago(7) : null, level1On: secondLevel ? ago(7) : null })];

  it.each([
    // listed in, reaching level, message expected
    ['a reminder', 'reminder', []],
    ['a second notice', 'second_notice', []],
    ['an overdue statement', 'overdue_statement', []],
    ['nothing yet (the message was cancelled)', null, ['reminder']],
  ] as Array<[string, RecordedMessage['kind'] | null, string[]]>)('an invoice listed (below level 1) in %s reaches level 1: %p', (_label, kind, expected) => {
    const messages = kind ? [buildMessage(customer.id, kind, [first.id, second.id], { queuedOn: ago(3) })] : [];
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [first, second], states: states(0), messages }), settings);
    expect(of(actions, 'level_change').map((c) => [c.invoiceId, c.to])).toEqual([[second.id, 1]]);
    expect(kinds(actions)).toEqual(expected);
  });

  it('a higher level still gets its own message', () => {
    const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(14) });
    const state = buildState(invoice.id, { level: 1, levelEnteredOn: ago(7), level1On: ago(7) });
    const reminder = buildMessage(customer.id, 'reminder', [invoice.id], { queuedOn: ago(7) });
    expect(kinds(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], messages: [reminder] }), settings))).toEqual(['second_notice']);
  });
});

describe('h. a thank-you only for a payment the customer was asked for', () => {
  const customer = buildCustomer();
  const paid = buildInvoice({ customerId: customer.id, dueDate: ago(20), balance: 0 });
  const state = buildState(paid.id, { level: 1, levelEnteredOn: ago(15), level1On: ago(15) });
  const payment = { id: 'pay', customerId: customer.id, txnDate: ago(1), appliedTo: [{ invoiceId: paid.id, amount: 100_000 }] };

  it.each([
    ['asked in a sent reminder, paid by a payment', [buildMessage(customer.id, 'reminder', [paid.id])], [], [payment], true],
    ['asked on a call that reached them, paid by a payment', [], [buildAttempt(customer.id, ago(5), 'promised')], [payment], true],
    ['a reminder still queued (never asked), paid', [buildMessage(customer.id, 'reminder', [paid.id], { status: 'queued' })], [], [payment], false],
    ['only a verification letter, paid', [buildMessage(customer.id, 'verification', [paid.id])], [], [payment], false],
    ['a call that reached nobody, paid', [], [buildAttempt(customer.id, ago(5), 'no_answer')], [payment], false],
    ['asked, then voided or credited (no payment)', [buildMessage(customer.id, 'reminder', [paid.id])], [], [], false],
  ])('%s → thank-you %p', (_label, messages, callAttempts, payments, thanked) => {
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [paid], states: [state], messages, callAttempts, payments }), settings);
    expect(of(actions, 'cancel_pending')).toHaveLength(1);
    expect(kinds(actions)).toEqual(thanked ? ['thank_you'] : []);
  });
});

describe('i. a promise due today puts "promise due today" on the account\'s task', () => {
  const customer = buildCustomer();
  const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(10), balance: 50_000 });
  const state = buildState(invoice.id, { level: 1, levelEnteredOn: ago(7), level1On: ago(7) });
  const promise: PromiseToPay = { id: 'p1', customerId: customer.id, invoiceIds: [invoice.id], amount: 50_000, dueOn: MONDAY, madeOn: ago(4), status: 'open' };
  const input = (extra: Partial<PlaybookInput>) => buildInput({ customers: [customer], invoices: [invoice], states: [state], promises: [promise], ...extra });

  it('on the open task, due today', () => {
    const actions = runPlaybook(input({ openTasks: [buildTask(customer.id, { id: 't1', scheduledFor: addDays(MONDAY, 3) })] }), settings);
    expect(of(actions, 'add_reason')).toEqual([{ type: 'add_reason', taskId: 't1', customerId: customer.id, reason: 'promise_due_today', scheduledFor: MONDAY }]);
    expect(of(actions, 'retire_task')).toEqual([]);
  });

  it('brings back the task the promise had retired, or opens one', () => {
    const retired = buildTask(customer.id, { id: 't1' });
    expect(of(runPlaybook(input({ retiredTasks: [retired] }), settings), 'restore_task')).toEqual([{ type: 'restore_task', taskId: 't1', customerId: customer.id, scheduledFor: MONDAY }]);
    expect(of(runPlaybook(input({}), settings), 'open_task')).toEqual([expect.objectContaining({ reason: 'promise_due_today', scheduledFor: MONDAY })]);
  });

  it('not when the promise is already paid, nor before its day; the day after, the task retires again', () => {
    const payments = [{ id: 'pay', customerId: customer.id, txnDate: ago(1), appliedTo: [{ invoiceId: invoice.id, amount: 50_000 }] }];
    expect(of(runPlaybook(input({ payments }), settings), 'open_task')).toEqual([]);
    expect(of(runPlaybook(input({ now: at(ago(1)) }), settings), 'open_task')).toEqual([]);
    const task = buildTask(customer.id, { id: 't1', reason: 'promise_due_today' });
    expect(of(runPlaybook(input({ now: at(TUESDAY), openTasks: [task] }), settings), 'retire_task')).toHaveLength(1);
  });
});

describe('j. the gap: 3 days between the days dunning messages reach the customer, not the days they were decided', () => {
  const customer = buildCustomer();
  const [FRIDAY, SATURDAY, SUNDAY, MON, TUE, WED, THU] = ['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12'];
  /**
   * A second notice decided on `decided` (listing an invoice that reached level 2 that day); on
   * `today` another invoice reaches level 1, which owes a reminder unless the gap holds it back.
   */
  const run = (decided: string, notice: Partial<RecordedMessage>, lastDunningOn: string | null, today: string, time = '07:00') => {
    const noticed = buildInvoice({ customerId: customer.id, dueDate: ago(15, decided) });
    const fresh = buildInvoice({ customerId: customer.id, dueDate: ago(3, today) });
    const states = [buildState(noticed.id, { level: 2, levelEnteredOn: decided, level1On: ago(8, decided), level2On: decided }), buildState(fresh.id, { firstSeenOn: ago(20, today) })];
    const messages = [buildMessage(customer.id, 'second_notice', [noticed.id], { queuedOn: decided, ...notice })];
    const histories = lastDunningOn ? [buildHistory(customer.id, { lastDunningOn })] : [];
    return runPlaybook(buildInput({ now: at(today, time), customers: [customer], invoices: [noticed, fresh], states, messages, histories }), settings);
  };

  it.each([
    // the reminder goes; the second notice: decided on, its status and the day it reached them (or is due to); the history's last dunning day; the run's day and time
    ['decided Saturday, sent Monday, on Tuesday', false, SATURDAY, { status: 'sent', sendOn: MON }, SATURDAY, TUE, '07:00'],
    ['decided Saturday, sent Monday, on Thursday', true, SATURDAY, { status: 'sent', sendOn: MON }, MON, THU, '07:00'],
    ['decided Saturday, still queued for Monday, on Monday before the window', false, SATURDAY, { status: 'queued', sendOn: MON }, null, MON, '07:00'],
    ['queued for Monday and still queued on Thursday (the outbox held it)', false, SATURDAY, { status: 'queued', sendOn: MON }, null, THU, '07:00'],
    ['handed to the mail server on Monday, fate uncertain, on Tuesday', false, SATURDAY, { status: 'uncertain', sendOn: MON }, null, TUE, '07:00'],
    ['handed to the mail server on Monday, fate uncertain, on Thursday', true, SATURDAY, { status: 'uncertain', sendOn: MON }, null, THU, '07:00'],
    ['failed (it never reached them), on Tuesday', true, SATURDAY, { status: 'failed', sendOn: null }, null, TUE, '07:00'],
    ['sent Friday, on Saturday (the reminder goes out Monday)', true, FRIDAY, { status: 'sent', sendOn: FRIDAY }, FRIDAY, SATURDAY, '07:00'],
    ['sent Friday, on Sunday (the reminder goes out Monday)', true, FRIDAY, { status: 'sent', sendOn: FRIDAY }, FRIDAY, SUNDAY, '07:00'],
    ['sent Monday, on Tuesday after the window (the reminder would go out Wednesday)', false, MON, { status: 'sent', sendOn: MON }, MON, TUE, '18:00'],
    ['sent Monday, on Wednesday after the window (the reminder goes out Thursday)', true, MON, { status: 'sent', sendOn: MON }, MON, WED, '18:00'],
  ] as Array<[string, boolean, string, Partial<RecordedMessage>, string | null, string, string]>)('%s → the reminder goes: %p', (_label, goes, decided, notice, lastDunningOn, today, time) => {
    const actions = run(decided, notice, lastDunningOn, today, time);
    // The level change waits with the message: the invoice enters level 1 when its reminder can go.
    expect({ kinds: kinds(actions), levels: of(actions, 'level_change').map((c) => c.to) }).toEqual(goes ? { kinds: ['reminder'], levels: [1] } : { kinds: [], levels: [] });
  });

  it('a queued message that will not go out does not hold the next one back: its invoices are paid, or it is cancelled today', () => {
    const paid = buildInvoice({ customerId: customer.id, dueDate: ago(20, TUE), balance: 0 });
    const disputed = buildInvoice({ customerId: customer.id, dueDate: ago(20, TUE) });
    const fresh = buildInvoice({ customerId: customer.id, dueDate: ago(3, TUE) });
    const states = [buildState(disputed.id, { level: 2, levelEnteredOn: MON, level1On: ago(8, MON), level2On: MON }), buildState(fresh.id, { firstSeenOn: ago(20, TUE) })];
    const queued = [buildMessage(customer.id, 'second_notice', [paid.id], { id: 'm-paid', status: 'queued', queuedOn: MON, sendOn: MON }), buildMessage(customer.id, 'second_notice', [disputed.id], { id: 'm-disputed', status: 'queued', queuedOn: MON, sendOn: MON })];
    const disputes = [{ id: 'd1', customerId: customer.id, invoiceIds: [disputed.id], status: 'open' as const }];
    const actions = runPlaybook(buildInput({ now: at(TUE, '07:00'), customers: [customer], invoices: [paid, disputed, fresh], states, messages: queued, disputes }), settings);
    expect(of(actions, 'cancel_message').map((c) => c.messageId)).toEqual(['m-disputed']);
    expect(of(actions, 'send_message').map((m) => [m.kind, m.invoiceIds])).toEqual([['reminder', [fresh.id]]]);
    // Without the dispute, the second notice still goes out for an open invoice: it holds the reminder back.
    const held = runPlaybook(buildInput({ now: at(TUE, '07:00'), customers: [customer], invoices: [paid, disputed, fresh], states, messages: queued }), settings);
    expect(kinds(held)).toEqual([]);
  });
});

describe('k. no task for an account with nothing collectible, whatever its promises', () => {
  const customer = buildCustomer();
  // Promised $2,450.00, paid all it owed ($2,408.51): the invoice is paid, the promise not kept.
  const invoice = buildInvoice({ customerId: customer.id, dueDate: ago(20), total: 240_851, balance: 0 });
  const state = buildState(invoice.id, { level: 1, levelEnteredOn: ago(15), level1On: ago(15) });
  const payment = { id: 'pay', customerId: customer.id, txnDate: ago(1), appliedTo: [{ invoiceId: invoice.id, amount: 240_851 }] };
  const promise = (id: string, dueOn: string): PromiseToPay => ({ id, customerId: customer.id, invoiceIds: [invoice.id], amount: 245_000, dueOn, madeOn: ago(10), status: 'open' });
  const run = (promises: PromiseToPay[], extra: Partial<PlaybookInput> = {}) => runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], payments: [payment], promises, ...extra }), settings);
  const tasksOf = (actions: Action[]) => actions.filter((a) => ['open_task', 'restore_task', 'add_reason', 'raise_task', 'retire_task'].includes(a.type)).map((a) => a.type);

  it.each([
    // what happens to tasks, the outcomes judged; the promises, the account's task
    ['a promise due today, paid short of its amount, no task', [], [], [promise('p1', MONDAY)], {}],
    ['a promise due today, paid short, the task open', ['retire_task'], [], [promise('p1', MONDAY)], { openTasks: [buildTask(customer.id, { id: 't1' })] }],
    ['a promise due today, paid short, the task retired', [], [], [promise('p1', MONDAY)], { retiredTasks: [buildTask(customer.id, { id: 't1' })] }],
    ['a promise partly kept after its grace days', [], ['partly_kept'], [promise('p1', ago(3))], {}],
    ['a promise partly kept, and another due today', [], ['partly_kept'], [promise('p1', ago(3)), promise('p2', MONDAY)], {}],
    ['a promise partly kept, and another due today, the task open', ['retire_task'], ['partly_kept'], [promise('p1', ago(3)), promise('p2', MONDAY)], { openTasks: [buildTask(customer.id, { id: 't1' })] }],
  ] as Array<[string, string[], string[], PromiseToPay[], Partial<PlaybookInput>]>)('%s → tasks %j, outcomes %j', (_label, tasks, outcomes, promises, extra) => {
    const actions = run(promises, extra);
    expect({ tasks: tasksOf(actions), outcomes: of(actions, 'promise_outcome').map((o) => o.outcome) }).toEqual({ tasks, outcomes });
  });

  it('a promise due today on an invoice still open (not yet overdue) is still a call to make', () => {
    const open = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, 5), balance: 50_000 });
    const actions = run([{ ...promise('p1', MONDAY), invoiceIds: [invoice.id, open.id] }], { invoices: [invoice, open] });
    expect(of(actions, 'open_task')).toEqual([expect.objectContaining({ reason: 'promise_due_today', scheduledFor: MONDAY })]);
  });
});

describe('l. do not contact: no message of any kind, no task, a queued message cancelled', () => {
  const customer = buildCustomer();
  const sub = buildCustomer({ parentId: customer.id });
  const overdue = buildInvoice({ customerId: customer.id, dueDate: ago(20) });
  const fresh = buildInvoice({ customerId: sub.id, txnDate: ago(1), dueDate: addDays(MONDAY, 29) });
  const paid = buildInvoice({ customerId: customer.id, dueDate: ago(10), balance: 0 });
  const states = [buildState(overdue.id, { level: 1, levelEnteredOn: ago(15), level1On: ago(15) }), buildState(paid.id, { level: 1, levelEnteredOn: ago(5), level1On: ago(5) })];
  const payments = [{ id: 'pay', customerId: customer.id, txnDate: ago(1), appliedTo: [{ invoiceId: paid.id, amount: 100_000 }] }];
  const promises: PromiseToPay[] = [{ id: 'p1', customerId: customer.id, invoiceIds: [overdue.id], amount: 10_000, dueOn: MONDAY, madeOn: ago(5), status: 'open' }];
  const queued = buildMessage(customer.id, 'reminder', [overdue.id], { id: 'm-queued', status: 'queued', queuedOn: ago(1) });
  const sentReminder = buildMessage(customer.id, 'reminder', [paid.id], { queuedOn: ago(5) });
  const run = (doNotContact: string[]) =>
    runPlaybook(buildInput({ customers: [customer, sub], invoices: [overdue, fresh, paid], states, payments, promises, messages: [queued, sentReminder], openTasks: [buildTask(customer.id, { id: 't1' })], retiredTasks: [], doNotContact }), settings);

  it('the same account without the mark gets its thank-you and verification and keeps its task', () => {
    const actions = run([]);
    expect(kinds(actions).sort()).toEqual(['thank_you', 'verification']);
    expect(of(actions, 'retire_task')).toEqual([]);
  });

  it.each([
    ['the paying account', customer.id],
    ['its sub-customer only (the account still gets its own)', sub.id],
  ])('marked on %s', (label, marked) => {
    const actions = run([marked]);
    if (marked === customer.id) {
      expect(kinds(actions)).toEqual([]);
      expect(of(actions, 'retire_task')).toEqual([{ type: 'retire_task', taskId: 't1', customerId: customer.id }]);
      expect(of(actions, 'cancel_message')).toEqual([{ type: 'cancel_message', messageId: 'm-queued', customerId: customer.id, reason: 'the customer is marked do not contact' }]);
      expect(of(actions, 'open_task')).toEqual([]);
    } else {
      expect(kinds(actions)).toEqual(['thank_you']);
      expect(of(actions, 'retire_task')).toEqual([]);
    }
  });
});
