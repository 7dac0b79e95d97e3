import { at, buildCustomer, buildInvoice, buildTask } from './factories';
import type { CallTask } from './model';
import { DEFAULT_SETTINGS } from './settings';
import { buildWorkList } from './worklist';

const MONDAY = '2026-03-02';
const task = (customerId: string, overrides: Partial<CallTask> = {}): CallTask => buildTask(customerId, { scheduledFor: MONDAY, createdOn: MONDAY, ...overrides, reasons: [overrides.reason ?? 'level'] });

describe('the work list', () => {
  const big = buildCustomer({ id: 'big', name: 'Big Builders' });
  const mid = buildCustomer({ id: 'mid', name: 'Mid Supply' });
  const tieOld = buildCustomer({ id: 'tie-old', name: 'Old Tie', companyName: null });
  const tieNew = buildCustomer({ id: 'tie-new', name: 'New Tie', companyName: null });
  const small = buildCustomer({ id: 'small', name: 'Small Shop' });
  const invoices = [
    buildInvoice({ customerId: 'big', dueDate: '2026-02-20', balance: 6000 }),
    buildInvoice({ customerId: 'big', dueDate: '2026-02-25', balance: 2000 }),
    buildInvoice({ customerId: 'mid', dueDate: '2026-02-10', balance: 1000 }),
    buildInvoice({ customerId: 'tie-old', dueDate: '2026-01-02', balance: 400 }),
    buildInvoice({ customerId: 'tie-new', dueDate: '2026-02-25', balance: 400 }),
    buildInvoice({ customerId: 'small', dueDate: '2026-02-26', balance: 200 }),
    buildInvoice({ customerId: 'small', dueDate: '2026-03-20', balance: 5000 }), // not overdue: does not count
  ];
  const list = buildWorkList(
    { day: MONDAY, tasks: ['small', 'tie-new', 'mid', 'big', 'tie-old'].map((id) => task(id)).concat([task('later', { scheduledFor: '2026-03-09' })]), customers: [big, mid, tieOld, tieNew, small], invoices, toughCustomerIds: new Set(['mid']) },
    DEFAULT_SETTINGS,
  );

  it('orders by overdue balance, largest first; ties go to the oldest overdue invoice', () => {
    // Monday is the commercial window: those accounts first, then the personal ones (the ties).
    expect(list.map((i) => i.customer.id)).toEqual(['big', 'mid', 'small', 'tie-old', 'tie-new']);
    expect(list[0]).toMatchObject({ overdueBalance: 8000, oldestDaysOverdue: 10 });
  });

  it('leaves out tasks scheduled after the day', () => {
    expect(list.map((i) => i.customer.id)).not.toContain('later');
  });

  it('marks the fewest customers holding 80% of overdue dollars as A accounts', () => {
    // 10,000 overdue in all: Big alone holds 8,000 = 80%.
    expect(list.filter((i) => i.flags.includes('a_account')).map((i) => i.customer.id)).toEqual(['big']);
  });

  it('marks tough customers, broken-promise follow-ups, and the best time to call', () => {
    expect(list.find((i) => i.customer.id === 'mid')!.flags).toContain('tough');
    expect(list.find((i) => i.customer.id === 'big')!.flags).toContain('best_time'); // commercial, Monday
    expect(list.find((i) => i.customer.id === 'tie-old')!.flags).not.toContain('best_time'); // personal: Thursday, Friday
    const followUp = buildWorkList({ day: MONDAY, tasks: [task('mid', { reason: 'broken_promise' })], customers: [mid], invoices, toughCustomerIds: new Set() }, DEFAULT_SETTINGS);
    expect(followUp[0]!.flags).toContain('broken_promise');
  });

  it('judges the best time by the hour when it is asked on the day', () => {
    const morning = buildWorkList({ day: MONDAY, now: at(MONDAY, '09:30'), tasks: [task('big')], customers: [big], invoices, toughCustomerIds: new Set() }, DEFAULT_SETTINGS);
    const afternoon = buildWorkList({ day: MONDAY, now: at(MONDAY, '14:00'), tasks: [task('big')], customers: [big], invoices, toughCustomerIds: new Set() }, DEFAULT_SETTINGS);
    expect(morning[0]!.flags).toContain('best_time');
    expect(afternoon[0]!.flags).not.toContain('best_time');
  });

  it('shows first the accounts whose best time is today, then the others with their best day', () => {
    const thursday = '2026-03-05';
    const person = buildCustomer({ id: 'person', name: 'Dana Reyes', companyName: null });
    const firm = buildCustomer({ id: 'firm', name: 'Big Firm' });
    const day = buildWorkList(
      {
        day: thursday,
        tasks: [task('firm', { scheduledFor: thursday }), task('person', { scheduledFor: thursday })],
        customers: [person, firm],
        invoices: [buildInvoice({ customerId: 'firm', dueDate: '2026-02-01', balance: 900000 }), buildInvoice({ customerId: 'person', dueDate: '2026-02-20', balance: 1000 })],
        toughCustomerIds: new Set(),
      },
      DEFAULT_SETTINGS,
    );
    // Personal customers' window is Thursday: the smaller personal account comes before the firm.
    expect(day.map((i) => [i.customer.id, i.group, i.bestDay])).toEqual([
      ['person', 'best_time_today', thursday],
      ['firm', 'other', '2026-03-09'],
    ]);
  });

  it('marks a task due before the day as carried over', () => {
    const tuesday = '2026-03-03';
    const [carried] = buildWorkList({ day: tuesday, tasks: [task('big', { scheduledFor: MONDAY })], customers: [big], invoices, toughCustomerIds: new Set() }, DEFAULT_SETTINGS);
    expect(carried!.flags).toContain('carried_over');
    expect(list.find((i) => i.customer.id === 'big')!.flags).not.toContain('carried_over');
  });

  it('puts the month\'s difficult customers at the top of their group, flagged, whatever they owe', () => {
    const withDifficult = (customerId: string) => buildTask(customerId, { scheduledFor: MONDAY, createdOn: MONDAY, reasons: ['level', 'difficult_customer'] });
    const day = buildWorkList(
      { day: MONDAY, tasks: [task('big'), task('mid'), withDifficult('small'), task('tie-old'), withDifficult('tie-new')], customers: [big, mid, tieOld, tieNew, small], invoices, toughCustomerIds: new Set() },
      DEFAULT_SETTINGS,
    );
    // Small owes the least of the commercial accounts (Monday is their day); New Tie, personal, leads the others.
    expect(day.map((i) => i.customer.id)).toEqual(['small', 'big', 'mid', 'tie-new', 'tie-old']);
    expect(day.filter((i) => i.flags.includes('difficult_customer')).map((i) => i.customer.id)).toEqual(['small', 'tie-new']);
  });
});
