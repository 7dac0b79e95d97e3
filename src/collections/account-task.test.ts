import { accountDirectory, payerResolver } from './accounts';
import { addDays } from './calendar';
import { buildCustomer, buildInput, buildInvoice, buildState, buildTask } from './factories';
import type { Action } from './model';
import { runPlaybook } from './playbook';
import { DEFAULT_SETTINGS as settings } from './settings';

const MONDAY = '2026-03-02';
const of = <T extends Action['type']>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

describe('the account and its one task', () => {
  const customer = buildCustomer({ id: 'acme' });
  const overdue = buildInvoice({ id: 'i-1', customerId: customer.id, dueDate: addDays(MONDAY, -20) });
  const state = buildState(overdue.id, { level: 2, levelEnteredOn: addDays(MONDAY, -3), level1On: addDays(MONDAY, -10) });
  const task = buildTask(customer.id, { id: 'task-1', level: 2 });

  it('retires the task of an account that paid in full', () => {
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [{ ...overdue, balance: 0 }], states: [state], openTasks: [task] }), settings);
    expect(of(actions, 'retire_task')).toEqual([{ type: 'retire_task', taskId: 'task-1', customerId: customer.id }]);
  });

  it('retires the task of a paused account, and brings the same task back when the pause ends', () => {
    const pause = { customerId: customer.id, invoiceId: null, until: addDays(MONDAY, 5) };
    const paused = runPlaybook(buildInput({ customers: [customer], invoices: [overdue], states: [state], openTasks: [task], pauses: [pause] }), settings);
    expect(of(paused, 'retire_task')).toHaveLength(1);
    const later = addDays(MONDAY, 7);
    const back = runPlaybook(buildInput({ now: new Date(`${later}T15:00:00Z`), customers: [customer], invoices: [overdue], states: [state], retiredTasks: [task], pauses: [] }), settings);
    expect(of(back, 'restore_task')).toEqual([{ type: 'restore_task', taskId: 'task-1', customerId: customer.id, scheduledFor: later }]);
    expect(of(back, 'open_task')).toEqual([]);
  });

  it('keeps a task while anything overdue is collectible, and a find-email task while anything is open', () => {
    const kept = runPlaybook(buildInput({ customers: [customer], invoices: [overdue], states: [state], openTasks: [task] }), settings);
    expect(of(kept, 'retire_task')).toEqual([]);
    const fresh = buildInvoice({ id: 'i-2', customerId: customer.id, dueDate: addDays(MONDAY, 20) });
    const findEmail = buildTask(customer.id, { id: 'task-2', reason: 'find_email', level: 0 });
    const stays = runPlaybook(buildInput({ customers: [customer], invoices: [fresh], states: [buildState(fresh.id)], openTasks: [findEmail] }), settings);
    expect(of(stays, 'retire_task')).toEqual([]);
  });

  it('keeps a problem the customer reported on the list while its dispute is open, overdue or not', () => {
    const fresh = buildInvoice({ id: 'i-3', customerId: customer.id, dueDate: addDays(MONDAY, 20) });
    const problem = buildTask(customer.id, { id: 'task-3', reason: 'problem_reported', reasons: ['problem_reported'], level: 0 });
    const dispute = { id: 'd1', customerId: customer.id, invoiceIds: [fresh.id], status: 'open' as const };
    const input = { customers: [customer], invoices: [fresh], states: [buildState(fresh.id)], openTasks: [problem] };
    expect(of(runPlaybook(buildInput({ ...input, disputes: [dispute] }), settings), 'retire_task')).toEqual([]);
    // Resolved, and nothing else to call about: the task leaves the list.
    expect(of(runPlaybook(buildInput({ ...input, disputes: [{ ...dispute, status: 'resolved' }] }), settings), 'retire_task')).toHaveLength(1);
    expect(of(runPlaybook(buildInput(input), settings), 'retire_task')).toHaveLength(1);
  });

  it('puts a broken promise on the account\'s open task, due today, instead of a second task', () => {
    const promise = { id: 'p1', customerId: customer.id, invoiceIds: [overdue.id], amount: 1000, dueOn: addDays(MONDAY, -5), madeOn: addDays(MONDAY, -9), status: 'open' as const };
    const actions = runPlaybook(buildInput({ customers: [customer], invoices: [overdue], states: [state], openTasks: [task], promises: [promise] }), settings);
    expect(of(actions, 'open_task')).toEqual([]);
    expect(of(actions, 'add_reason')).toEqual([{ type: 'add_reason', taskId: 'task-1', customerId: customer.id, reason: 'broken_promise', scheduledFor: MONDAY }]);
  });
});

describe('who pays', () => {
  it('rolls every sub-customer up to the top of its chain, however deep, and survives a loop', () => {
    const top = buildCustomer({ id: 'top' });
    const job = buildCustomer({ id: 'job', parentId: 'top', companyName: null });
    const phase = buildCustomer({ id: 'phase', parentId: 'job', companyName: null });
    const loopA = buildCustomer({ id: 'a', parentId: 'b' });
    const loopB = buildCustomer({ id: 'b', parentId: 'a' });
    const payerOf = payerResolver([top, job, phase, loopA, loopB]);
    expect(['top', 'job', 'phase'].map(payerOf)).toEqual(['top', 'top', 'top']);
    expect(typeof payerOf('a')).toBe('string');
    expect(payerOf('unknown')).toBe('unknown');
  });

  it('gives every customer its account\'s type, the user\'s override included', () => {
    const top = buildCustomer({ id: 'top', companyName: null, typeOverride: 'commercial' });
    const job = buildCustomer({ id: 'job', parentId: 'top', companyName: null });
    expect(accountDirectory([top, job])).toEqual([
      { customerId: 'top', payerId: 'top', type: 'commercial' },
      { customerId: 'job', payerId: 'top', type: 'commercial' },
    ]);
  });
});
