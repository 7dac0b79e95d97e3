import fc from 'fast-check';
import { accountStates, aAccountsOf, type OpenInvoiceFacts } from './account-state';
import { addDays } from './calendar';
import type { Level } from './model';

const DAY = '2026-03-02';

const invoiceArb = fc.record({
  payer: fc.constantFrom('a', 'b', 'c', 'd'),
  dueOffset: fc.integer({ min: -90, max: 30 }),
  balance: fc.integer({ min: -5000, max: 2_000_000 }),
  level: fc.constantFrom<Level>(0, 1, 2, 3, 4),
});

function facts(rows: Array<{ payer: string; dueOffset: number; balance: number; level: Level }>): OpenInvoiceFacts[] {
  return rows.map((r, i) => ({ id: `i${i}`, customerId: `${r.payer}-${i % 2}`, payerId: r.payer, type: 'commercial', balance: r.balance, dueDate: addDays(DAY, r.dueOffset), level: r.level, escalation: false }));
}

describe('the account state', () => {
  it('sums each account\'s open and overdue money exactly, to the cent, whatever the amounts', () => {
    fc.assert(
      fc.property(fc.array(invoiceArb, { maxLength: 30 }), (rows) => {
        const invoices = facts(rows);
        for (const state of accountStates({ day: DAY, invoices, toughPayers: new Set(), aAccountShare: 0.8 })) {
          const open = invoices.filter((i) => i.payerId === state.payerId && i.balance > 0);
          const overdue = open.filter((i) => i.dueDate < DAY);
          expect(state.openBalance).toBe(open.reduce((sum, i) => sum + i.balance, 0));
          expect(state.overdueBalance).toBe(overdue.reduce((sum, i) => sum + i.balance, 0));
          expect(state.overdueInvoices).toBe(overdue.length);
          expect(state.level).toBe(Math.max(0, ...open.map((i) => i.level)));
          expect(state.oldestDue).toBe(overdue.length ? overdue.map((i) => i.dueDate).sort()[0] : null);
        }
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it('leaves out an account with nothing open, and counts an invoice overdue from the day after it is due', () => {
    const states = accountStates({
      day: DAY,
      invoices: facts([
        { payer: 'a', dueOffset: 0, balance: 500, level: 0 },
        { payer: 'a', dueOffset: -1, balance: 250, level: 1 },
        { payer: 'b', dueOffset: -10, balance: 0, level: 2 },
      ]),
      toughPayers: new Set(['a']),
      aAccountShare: 0.8,
    });
    expect(states).toEqual([expect.objectContaining({ payerId: 'a', openBalance: 750, overdueBalance: 250, oldestDaysOverdue: 1, level: 1, tough: true, aAccount: true })]);
  });

  it('marks the fewest accounts holding the share of overdue money, ties by account id', () => {
    const accounts = [
      { payerId: 'b', overdueBalance: 400 },
      { payerId: 'a', overdueBalance: 400 },
      { payerId: 'c', overdueBalance: 200 },
      { payerId: 'z', overdueBalance: 0 },
    ];
    expect([...aAccountsOf(accounts, 0.8)]).toEqual(['a', 'b']);
    expect([...aAccountsOf(accounts, 0.4)]).toEqual(['a']);
    expect([...aAccountsOf(accounts, 1)]).toEqual(['a', 'b', 'c']);
  });
});
