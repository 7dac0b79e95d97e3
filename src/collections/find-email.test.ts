import { heldMessage, type HeldInvoice, type HeldMessageInput } from './find-email';
import { DEFAULT_SETTINGS } from './settings';

const TODAY = '2026-03-02';

const invoice = (id: string, overrides: Partial<HeldInvoice> = {}): HeldInvoice => ({ id, customerId: 'acme', txnDate: '2026-01-10', dueDate: '2026-02-10', balance: 100_00, level: 1, level1On: '2026-02-13', verificationSentOn: null, ...overrides });
const input = (invoices: HeldInvoice[], overrides: Partial<HeldMessageInput> = {}): HeldMessageInput => ({ today: TODAY, payerId: 'acme', invoices, promises: [], disputes: [], pauses: [], lastReachedOn: null, settings: DEFAULT_SETTINGS, ...overrides });

describe('the message held for want of an address', () => {
  it.each([
    ['level 1: the reminder, listing every open overdue invoice, oldest first', [invoice('b', { dueDate: '2026-02-20', level: 0 }), invoice('a')], { kind: 'reminder', invoiceIds: ['a', 'b'], total: 200_00 }],
    ['the highest level decides the message', [invoice('a', { level: 3 }), invoice('b', { level: 1 })], { kind: 'demand_letter', invoiceIds: ['a', 'b'], total: 200_00 }],
    ['level 4: the final notice', [invoice('a', { level: 4 })], { kind: 'final_notice', invoiceIds: ['a'], total: 100_00 }],
    ['an invoice not yet due is not listed in a dunning message', [invoice('a', { level: 2 }), invoice('c', { dueDate: '2026-03-10', level: 0 })], { kind: 'second_notice', invoiceIds: ['a'], total: 100_00 }],
    ['an invoice first seen at level 2 (it never had level 1): the overdue statement, not a second notice', [invoice('a', { level: 2, level1On: null }), invoice('b', { dueDate: '2026-02-25', level: 1 })], { kind: 'overdue_statement', invoiceIds: ['a', 'b'], total: 200_00 }],
    ['level 3 above an invoice first seen at level 2: the demand letter', [invoice('a', { level: 3 }), invoice('b', { level: 2, level1On: null })], { kind: 'demand_letter', invoiceIds: ['a', 'b'], total: 200_00 }],
    ['nothing overdue: the verification letter of fresh invoices never verified', [invoice('n', { txnDate: '2026-02-27', dueDate: '2026-03-29', level: 0 })], { kind: 'verification', invoiceIds: ['n'], total: 100_00 }],
    ['nothing overdue and nothing fresh: nothing held', [invoice('o', { txnDate: '2026-02-01', dueDate: '2026-03-29', level: 0 })], null],
    ['a verified invoice is not verified again', [invoice('n', { txnDate: '2026-02-27', dueDate: '2026-03-29', level: 0, verificationSentOn: '2026-02-27' })], null],
    ['paid invoices hold nothing', [invoice('a', { balance: 0 })], null],
  ] as const)('%s', (_, invoices, expected) => {
    expect(heldMessage(input([...invoices]))).toEqual(expected);
  });

  it('leaves out what a promise, a dispute or a pause covers', () => {
    const invoices = [invoice('a'), invoice('b'), invoice('c'), invoice('d', { customerId: 'acme-east' })];
    const held = heldMessage(
      input(invoices, {
        promises: [{ id: 'p', customerId: 'acme', invoiceIds: ['a'], amount: 100_00, dueOn: '2026-03-05', madeOn: '2026-02-27', status: 'open' }],
        disputes: [{ id: 'd', customerId: 'acme', invoiceIds: ['b'], status: 'open' }],
        pauses: [{ customerId: 'acme-east', invoiceId: null, until: null }],
      }),
    );
    expect(held).toEqual({ kind: 'reminder', invoiceIds: ['c'], total: 100_00 });
    // A promise past its grace days, a resolved dispute and an ended pause cover nothing.
    const lapsed = heldMessage(
      input(invoices, {
        promises: [{ id: 'p', customerId: 'acme', invoiceIds: ['a'], amount: 100_00, dueOn: '2026-02-20', madeOn: '2026-02-13', status: 'open' }],
        disputes: [{ id: 'd', customerId: 'acme', invoiceIds: ['b'], status: 'resolved' }],
        pauses: [{ customerId: 'acme', invoiceId: null, until: '2026-03-01' }],
      }),
    );
    expect(lapsed?.invoiceIds).toEqual(['a', 'b', 'c', 'd']);
    // The whole account paused: nothing goes out.
    expect(heldMessage(input(invoices, { pauses: [{ customerId: 'acme', invoiceId: null, until: null }] }))).toBeNull();
  });

  it('sends no second notice or demand letter once a call has reached the account since level 1 (the call replaced it)', () => {
    expect(heldMessage(input([invoice('a', { level: 2 })], { lastReachedOn: '2026-02-20' }))).toBeNull();
    expect(heldMessage(input([invoice('a', { level: 3 })], { lastReachedOn: '2026-02-20' }))).toBeNull();
    expect(heldMessage(input([invoice('a', { level: 2 })], { lastReachedOn: '2026-02-01' }))?.kind).toBe('second_notice');
    expect(heldMessage(input([invoice('a', { level: 4 })], { lastReachedOn: '2026-02-20' }))?.kind).toBe('final_notice');
  });
});
