import { addDays, localMoment, weekday } from './calendar';
import { at, buildCustomer, buildHistory, buildInput, buildInvoice, buildState, buildTask } from './factories';
import type { Action, Level } from './model';
import { customerType, levelFor, nextCallDay, nextSendTime, runPlaybook } from './playbook';
import { DEFAULT_SETTINGS, playbookSettings } from './settings';

const settings = DEFAULT_SETTINGS;
// 2026-03-02 is a Monday.
const MONDAY = '2026-03-02';

const of = <T extends Action['type']>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

describe('levels by days overdue (3 / 13 / 23 / 45)', () => {
  it.each([
    [-5, 0], [0, 0], [2, 0], [3, 1], [12, 1], [13, 2], [22, 2], [23, 3], [44, 3], [45, 4], [400, 4],
  ])('%i days overdue belongs at level %i', (days, level) => {
    expect(levelFor(days, settings.levelDays)).toBe(level);
  });

  it.each([
    // level now, entered days ago, days overdue, expected new level (undefined: no change)
    [0, null, 3, 1],
    [0, null, 2, undefined],
    [1, 7, 13, 2],
    [1, 6, 13, undefined], // 7-day spacing
    [1, 10, 30, 2], // one level at a time, even when far behind
    [2, 7, 23, 3],
    [3, 7, 45, 4],
    [4, 30, 400, undefined],
    [1, 0, 30, undefined], // at most one level a day
  ] as Array<[Level, number | null, number, Level | undefined]>)('level %i entered %p days ago, %i days overdue → %p', (level, enteredAgo, overdue, expected) => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -overdue) });
    const state = buildState(invoice.id, { level, levelEnteredOn: enteredAgo === null ? null : addDays(MONDAY, -enteredAgo), level1On: level ? '2026-01-01' : null });
    const changes = of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state] }), settings), 'level_change');
    expect(changes.map((c) => c.to)[0]).toBe(expected);
  });

  it('enters an invoice first seen 90 days overdue at level 2 in one step, not 4, with the overdue statement', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -90) });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [invoice] }), settings);
    expect(of(actions, 'first_seen')).toEqual([{ type: 'first_seen', invoiceId: invoice.id }]);
    expect(of(actions, 'level_change')).toEqual([expect.objectContaining({ from: 0, to: 2 })]);
    expect(of(actions, 'send_message').map((m) => m.kind)).toEqual(['overdue_statement']);
  });

  it('marks an account an escalation candidate at level 4, with a final notice', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -50) });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [buildState(invoice.id, { level: 3, levelEnteredOn: addDays(MONDAY, -8), level1On: '2026-01-01' })] }), settings);
    expect(of(actions, 'escalation_candidate')).toEqual([{ type: 'escalation_candidate', customerId: customer.id, invoiceIds: [invoice.id] }]);
    expect(of(actions, 'send_message')[0]!.kind).toBe('final_notice');
  });

  it('follows the per-company level days', () => {
    expect(levelFor(5, playbookSettings({ levelDays: [5, 15, 30, 60] }).levelDays)).toBe(1);
    expect(() => playbookSettings({ levelDays: [5, 4, 30, 60] })).toThrow('each level must start later than the one before');
  });
});

describe('one message per customer', () => {
  it('lists every open overdue invoice of the customer in one email, using the highest level reached', () => {
    const customer = buildCustomer({ email: 'ap@acme.example' });
    const a = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -4), balance: 10_000 });
    const b = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -14), balance: 25_050 });
    const c = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -1), balance: 4_000 }); // overdue, no level yet
    const notDue = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, 10), balance: 99_900 });
    const states = [buildState(a.id), buildState(b.id, { level: 1, levelEnteredOn: addDays(MONDAY, -8), level1On: addDays(MONDAY, -8) }), buildState(c.id), buildState(notDue.id)];
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [a, b, c, notDue], states }), settings);
    const messages = of(actions, 'send_message');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'second_notice', to: 'ap@acme.example', invoiceIds: [b.id, a.id, c.id], total: 39_050, key: `dunning:${customer.id}:${MONDAY}` });
  });

  it('uses the invoice BillEmail before the customer email', () => {
    const customer = buildCustomer({ email: 'owner@acme.example' });
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -3), billEmail: 'billing@acme.example' });
    expect(of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice] }), settings), 'send_message')[0]!.to).toBe('billing@acme.example');
  });

  it('waits for the 3-day gap: a due level change is not made while an email went out 2 days ago', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -14) });
    const state = buildState(invoice.id, { level: 1, levelEnteredOn: addDays(MONDAY, -9), level1On: addDays(MONDAY, -9) });
    const input = (lastDunningOn: string) => buildInput({ customers: [customer], invoices: [invoice], states: [state], histories: [buildHistory(customer.id, { lastDunningOn })] });
    expect(runPlaybook(input(addDays(MONDAY, -2)), settings)).toEqual([]);
    expect(of(runPlaybook(input(addDays(MONDAY, -3)), settings), 'level_change')).toHaveLength(1);
  });

  it('sends no second notice or demand letter when a call since level 1 reached the customer, but still raises the call task', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -24) });
    const state = buildState(invoice.id, { level: 2, levelEnteredOn: addDays(MONDAY, -10), level1On: addDays(MONDAY, -20) });
    const task = buildTask(customer.id, { id: 't1', level: 2 as Level, scheduledFor: MONDAY, createdOn: addDays(MONDAY, -10) });
    const reached = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], openTasks: [task], histories: [buildHistory(customer.id, { lastReachedOn: addDays(MONDAY, -5) })] }), settings);
    expect(of(reached, 'send_message')).toEqual([]);
    expect(of(reached, 'raise_task')).toEqual([{ type: 'raise_task', taskId: 't1', customerId: customer.id, level: 3 }]);
    // The demand letter goes out after an unanswered call since level 2 (rule of the letters after unanswered calls).
    const unanswered = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], openTasks: [task], histories: [buildHistory(customer.id, { lastReachedOn: addDays(MONDAY, -25) })], callAttempts: [{ customerId: customer.id, on: addDays(MONDAY, -3), outcome: 'no_answer', reached: false }] }), settings);
    expect(of(unanswered, 'send_message').map((m) => m.kind)).toEqual(['demand_letter']);
  });

  it('opens a find-an-email task instead of an email for a customer without an address', () => {
    const customer = buildCustomer({ email: null });
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -5) });
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [invoice] }), settings);
    expect(of(actions, 'send_message')).toEqual([]);
    // One task for the account, carrying both reasons.
    expect(of(actions, 'open_task').map((t) => t.reason)).toEqual(['level']);
    expect(of(actions, 'add_reason')).toEqual([expect.objectContaining({ customerId: customer.id, reason: 'find_email' })]);
  });

  it('collects a sub-customer\'s invoices from its parent, in the parent\'s one email', () => {
    const parent = buildCustomer({ email: 'ap@parent.example' });
    const job = buildCustomer({ parentId: parent.id, email: null, companyName: null });
    const a = buildInvoice({ customerId: parent.id, dueDate: addDays(MONDAY, -5) });
    const b = buildInvoice({ customerId: job.id, dueDate: addDays(MONDAY, -6) });
    const actions = runPlaybook(buildInput({ customers: [parent, job], invoices: [a, b] }), settings);
    const messages = of(actions, 'send_message');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ customerId: parent.id, to: 'ap@parent.example', invoiceIds: [b.id, a.id] });
    expect(of(actions, 'open_task')).toEqual([expect.objectContaining({ customerId: parent.id })]);
  });
});

describe('verification letters', () => {
  const customer = buildCustomer();
  it.each([
    ['issued yesterday, due in 29 days', addDays(MONDAY, -1), addDays(MONDAY, 29), true],
    ['issued 7 days ago', addDays(MONDAY, -7), addDays(MONDAY, 23), true],
    ['issued 8 days ago', addDays(MONDAY, -8), addDays(MONDAY, 22), false],
    ['issued 5 days ago but already overdue', addDays(MONDAY, -5), addDays(MONDAY, -1), false],
  ])('%s → %p', (_label, txnDate, dueDate, expected) => {
    const invoice = buildInvoice({ customerId: customer.id, txnDate, dueDate });
    const letters = of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], connectedOn: MONDAY }), settings), 'send_message').filter((m) => m.kind === 'verification');
    expect(letters.length > 0).toBe(expected);
  });

  it('never goes to the back catalogue at connect, and only once per invoice', () => {
    const old = buildInvoice({ customerId: customer.id, txnDate: '2026-01-10', dueDate: '2026-04-10' });
    const later = { ...buildInput({ customers: [customer], invoices: [old], connectedOn: '2026-01-20' }), now: at('2026-01-12') };
    expect(of(runPlaybook(later, settings), 'send_message')).toEqual([]);
    const fresh = buildInvoice({ customerId: customer.id, txnDate: MONDAY, dueDate: addDays(MONDAY, 30) });
    const input = buildInput({ customers: [customer], invoices: [fresh] });
    expect(of(runPlaybook(input, settings), 'send_message').map((m) => m.key)).toEqual([`verification:${customer.id}:${MONDAY}`]);
    expect(runPlaybook({ ...input, states: [buildState(fresh.id, { firstSeenOn: MONDAY, verificationSentOn: MONDAY })] }, settings)).toEqual([]);
  });
});

describe('time: business days, the 08:00-17:00 window, time zones', () => {
  it.each([
    ['Monday 10:00', at(MONDAY, '10:00'), at(MONDAY, '10:00')],
    ['Monday 07:30', at(MONDAY, '07:30'), at(MONDAY, '08:00')],
    ['Monday 17:00', at(MONDAY, '17:00'), at('2026-03-03', '08:00')],
    ['Friday 18:00', at('2026-03-06', '18:00'), at('2026-03-09', '08:00')],
    ['Saturday 11:00', at('2026-03-07', '11:00'), at('2026-03-09', '08:00')],
  ])('a message due %s goes out at the next window', (_label, now, expected) => {
    expect(nextSendTime(now, settings).toISOString()).toBe(expected.toISOString());
  });

  it('opens the window at 08:00 local across the spring daylight-saving change', () => {
    // US clocks go forward on Sunday 2026-03-08: 08:00 EST is 13:00Z, 08:00 EDT is 12:00Z.
    expect(nextSendTime(at('2026-03-06', '18:00'), settings).toISOString()).toBe('2026-03-09T12:00:00.000Z');
    expect(nextSendTime(at('2026-03-06', '06:00'), settings).toISOString()).toBe('2026-03-06T13:00:00.000Z');
  });

  it('reads "today" in the company time zone, not the server\'s', () => {
    const instant = new Date('2026-03-03T02:30:00Z'); // Monday evening in Los Angeles, Tuesday in UTC
    expect(localMoment(instant, 'America/Los_Angeles').date).toBe(MONDAY);
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: '2026-02-27' }); // 3 days overdue on Monday
    const la = playbookSettings({ timezone: 'America/Los_Angeles' });
    expect(of(runPlaybook(buildInput({ now: instant, customers: [customer], invoices: [invoice], states: [buildState(invoice.id)] }), la), 'level_change')).toHaveLength(1);
    const berlin = playbookSettings({ timezone: 'Europe/Berlin' });
    const early = buildInvoice({ customerId: customer.id, dueDate: '2026-02-28' }); // 3 days overdue only on Tuesday
    expect(of(runPlaybook(buildInput({ now: instant, customers: [customer], invoices: [early], states: [buildState(early.id)] }), berlin), 'level_change')).toHaveLength(1);
    expect(of(runPlaybook(buildInput({ now: instant, customers: [customer], invoices: [early], states: [buildState(early.id)] }), la), 'level_change')).toHaveLength(0);
  });
});

describe('call tasks and call windows', () => {
  it('schedules commercial customers on Monday and personal customers on Thursday or Friday', () => {
    const tuesday = '2026-03-03';
    expect(nextCallDay(tuesday, 'commercial', settings)).toBe('2026-03-09');
    expect(nextCallDay(tuesday, 'personal', settings)).toBe('2026-03-05');
    expect(nextCallDay('2026-03-06', 'personal', settings)).toBe('2026-03-06');
    expect(weekday(nextCallDay('2026-03-07', 'personal', settings))).toBe(4);
  });

  it('tells commercial from personal by company name, unless the user overrides it', () => {
    expect(customerType(buildCustomer({ companyName: 'Acme LLC' }))).toBe('commercial');
    expect(customerType(buildCustomer({ companyName: null }))).toBe('personal');
    expect(customerType(buildCustomer({ companyName: 'Acme LLC', typeOverride: 'personal' }))).toBe('personal');
  });

  it('keeps one open task per customer and raises its level', () => {
    const customer = buildCustomer({ companyName: null });
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays('2026-03-03', -3) });
    const opened = of(runPlaybook(buildInput({ now: at('2026-03-03'), customers: [customer], invoices: [invoice] }), settings), 'open_task');
    // Due from the day it arises ("start early"), not the next call-window day (Thursday 03-05).
    expect(opened).toEqual([expect.objectContaining({ customerId: customer.id, level: 1, reason: 'level', scheduledFor: '2026-03-03' })]);
  });
});

describe('promises, plans, disputes and pauses', () => {
  const customer = buildCustomer();
  const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -20), balance: 500 });
  const state = buildState(invoice.id, { level: 1, levelEnteredOn: addDays(MONDAY, -10), level1On: addDays(MONDAY, -10) });
  const promise = (dueOn: string, amount = 500) => ({ id: 'p1', customerId: customer.id, invoiceIds: [invoice.id], amount, dueOn, madeOn: addDays(MONDAY, -5), status: 'open' as const });
  const pay = (txnDate: string, amount: number) => ({ id: `pay-${txnDate}-${amount}`, customerId: customer.id, txnDate, appliedTo: [{ invoiceId: invoice.id, amount }] });

  it('pauses levels while a promise is open, through its date plus 2 days, then judges it', () => {
    const input = buildInput({ customers: [customer], invoices: [invoice], states: [state], promises: [promise(addDays(MONDAY, -2))] });
    expect(runPlaybook(input, settings)).toEqual([]);
    const threeDaysLate = runPlaybook({ ...input, now: at('2026-03-03') }, settings);
    expect(of(threeDaysLate, 'promise_outcome').map((o) => o.outcome)).toEqual(['broken']);
  });

  it.each([
    ['kept', [pay(addDays(MONDAY, -3), 500)], 'kept'],
    ['kept early', [pay(addDays(MONDAY, -4), 500)], 'kept'],
    ['partly kept', [pay(addDays(MONDAY, -3), 200)], 'partly_kept'],
    ['broken', [], 'broken'],
    ['paid before the promise was made', [pay(addDays(MONDAY, -6), 500)], 'broken'],
  ])('a promise due last week is %s', (_label, payments, outcome) => {
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], promises: [promise(addDays(MONDAY, -3))], payments }), settings);
    expect(of(actions, 'promise_outcome').map((o) => o.outcome)).toEqual([outcome]);
  });

  it('judges a promise to the cent: 10 + 20 cents keep a promise of 30, 29 cents only partly', () => {
    const small = { ...promise(addDays(MONDAY, -3)), amount: 30 };
    const judge = (payments: ReturnType<typeof pay>[]) => of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], promises: [small], payments }), settings), 'promise_outcome');
    const day = addDays(MONDAY, -3);
    expect(judge([pay(day, 10), { ...pay(day, 20), id: 'second' }])).toEqual([expect.objectContaining({ outcome: 'kept', paid: 30 })]);
    expect(judge([pay(day, 29)])).toEqual([expect.objectContaining({ outcome: 'partly_kept', paid: 29 })]);
    expect(judge([pay(day, 1)])).toEqual([expect.objectContaining({ outcome: 'partly_kept', paid: 1 })]);
  });

  it('after a broken promise: a follow-up call today, outside the call window, and the next level at once', () => {
    const fresh = buildState(invoice.id, { level: 1, levelEnteredOn: addDays(MONDAY, -2), level1On: addDays(MONDAY, -2) });
    const actions = runPlaybook(buildInput({ now: at('2026-03-03'), customers: [customer], invoices: [invoice], states: [fresh], promises: [promise(addDays(MONDAY, -3))] }), settings);
    expect(of(actions, 'add_reason')).toContainEqual(expect.objectContaining({ reason: 'broken_promise', scheduledFor: '2026-03-03' }));
    expect(of(actions, 'level_change')).toEqual([expect.objectContaining({ from: 1, to: 2 })]);
  });

  it('breaks a payment plan when an installment is missed', () => {
    const plan = [
      { id: 'i1', customerId: customer.id, invoiceIds: [invoice.id], amount: 200, dueOn: addDays(MONDAY, -10), madeOn: addDays(MONDAY, -20), status: 'open' as const, planId: 'plan' },
      { id: 'i2', customerId: customer.id, invoiceIds: [invoice.id], amount: 150, dueOn: addDays(MONDAY, -3), madeOn: addDays(MONDAY, -20), status: 'open' as const, planId: 'plan' },
      { id: 'i3', customerId: customer.id, invoiceIds: [invoice.id], amount: 150, dueOn: addDays(MONDAY, 4), madeOn: addDays(MONDAY, -20), status: 'open' as const, planId: 'plan' },
    ];
    const onTrack = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], promises: plan, payments: [pay(addDays(MONDAY, -11), 200), pay(addDays(MONDAY, -4), 150)] }), settings);
    expect(of(onTrack, 'promise_outcome').map((o) => [o.promiseId, o.outcome])).toEqual([['i1', 'kept'], ['i2', 'kept']]);
    expect(of(onTrack, 'level_change')).toEqual([]);
    const missed = runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], promises: plan, payments: [pay(addDays(MONDAY, -11), 200)] }), settings);
    expect(of(missed, 'promise_outcome').map((o) => [o.promiseId, o.outcome])).toEqual([['i1', 'kept'], ['i2', 'broken'], ['i3', 'broken']]);
    expect(of(missed, 'add_reason')).toContainEqual(expect.objectContaining({ reason: 'broken_promise' }));
  });

  it.each([
    ['an open dispute', { disputes: [{ id: 'd1', customerId: customer.id, invoiceIds: [invoice.id], status: 'open' as const }] }],
    ['a pause of the customer until next week', { pauses: [{ customerId: customer.id, invoiceId: null, until: addDays(MONDAY, 7) }] }],
    ['an indefinite pause of the invoice', { pauses: [{ customerId: null, invoiceId: invoice.id, until: null }] }],
  ])('%s stops levels and messages', (_label, extra) => {
    expect(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], ...extra }), settings)).toEqual([]);
  });

  it('resumes once a pause has ended or a dispute is resolved', () => {
    expect(of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], pauses: [{ customerId: customer.id, invoiceId: null, until: addDays(MONDAY, -1) }] }), settings), 'level_change')).toHaveLength(1);
    expect(of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice], states: [state], disputes: [{ id: 'd1', customerId: customer.id, invoiceIds: [invoice.id], status: 'resolved' }] }), settings), 'level_change')).toHaveLength(1);
  });
});

describe('payments', () => {
  it('keeps dunning a partly paid invoice for its balance, and a credit memo only lowers the balance', () => {
    const customer = buildCustomer();
    const invoice = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -5), total: 1000, balance: 350 });
    const message = of(runPlaybook(buildInput({ customers: [customer], invoices: [invoice] }), settings), 'send_message')[0]!;
    expect(message.total).toBe(350);
  });

  it('cancels what was pending for a paid invoice and thanks a customer who had been contacted', () => {
    const customer = buildCustomer();
    const paid = buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -20), balance: 0 });
    const reminder = { id: 'm1', customerId: customer.id, kind: 'reminder' as const, invoiceIds: [paid.id], status: 'sent' as const, queuedOn: addDays(MONDAY, -10), sendOn: addDays(MONDAY, -10) };
    const payment = { id: 'pay', customerId: customer.id, txnDate: addDays(MONDAY, -1), appliedTo: [{ invoiceId: paid.id, amount: 100_000 }] };
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [paid], states: [buildState(paid.id, { level: 2 })], histories: [buildHistory(customer.id, { contactedInvoiceIds: [paid.id] })], messages: [reminder], payments: [payment] }), settings);
    expect(of(actions, 'cancel_pending')).toEqual([{ type: 'cancel_pending', invoiceId: paid.id, customerId: customer.id }]);
    expect(of(actions, 'send_message').map((m) => m.kind)).toEqual(['thank_you']);
    expect(of(actions, 'level_change')).toEqual([]);
  });
});

describe('idempotence', () => {
  it('proposes nothing new when the same day runs again on the state the first run recorded', () => {
    const customer = buildCustomer();
    const invoices = [buildInvoice({ customerId: customer.id, dueDate: addDays(MONDAY, -4) }), buildInvoice({ customerId: customer.id, txnDate: MONDAY, dueDate: addDays(MONDAY, 30) })];
    const first = runPlaybook(buildInput({ customers: [customer], invoices }), settings);
    expect(first.length).toBeGreaterThan(0);
    // What the shell records after carrying out the first run:
    const states = invoices.map((i) => {
      const change = of(first, 'level_change').find((c) => c.invoiceId === i.id);
      return buildState(i.id, { firstSeenOn: MONDAY, level: change?.to ?? 0, levelEnteredOn: change ? MONDAY : null, level1On: change ? MONDAY : null, verificationSentOn: of(first, 'send_message').some((m) => m.key === `verification:${i.id}`) ? MONDAY : null });
    });
    const task = of(first, 'open_task')[0]!;
    const second = runPlaybook(
      buildInput({ customers: [customer], invoices, states, histories: [buildHistory(customer.id, { lastDunningOn: MONDAY, contactedInvoiceIds: [invoices[0]!.id] })], openTasks: [buildTask(task.customerId, { id: 't', level: task.level, reason: task.reason, scheduledFor: task.scheduledFor, createdOn: MONDAY })] }),
      settings,
    );
    expect(second).toEqual([]);
  });
});
