import fc from 'fast-check';
import { addDays } from './calendar';
import { aging, AGING_BUCKETS, agingBucket, daysSalesOutstanding, difficultCustomers, results, systemsLog, type AgingInvoice } from './reports';

const TODAY = '2026-03-31';

describe('aging and DSO', () => {
  it.each([
    ['2026-04-10', 'current'], ['2026-03-31', 'current'], ['2026-03-30', '1-30'], ['2026-03-01', '1-30'], ['2026-02-28', '31-60'],
    ['2026-01-30', '31-60'], ['2026-01-29', '61-90'], ['2026-01-01', '61-90'], ['2025-12-31', '61-90'], ['2025-12-30', '90+'],
  ])('an invoice due %s is %s', (due, bucket) => {
    expect(agingBucket(due, TODAY)).toBe(bucket);
  });

  it('sums balances per bucket, ignoring paid invoices', () => {
    const invoices = [
      { customerId: 'a', txnDate: '2026-03-20', dueDate: '2026-04-19', total: 10_000, balance: 10_000 },
      { customerId: 'a', txnDate: '2026-02-01', dueDate: '2026-03-03', total: 50_000, balance: 25_050 },
      { customerId: 'b', txnDate: '2025-11-01', dueDate: '2025-12-01', total: 90_000, balance: 90_000 },
      { customerId: 'b', txnDate: '2026-03-01', dueDate: '2026-03-15', total: 30_000, balance: 0 },
    ];
    expect(aging(invoices, TODAY)).toEqual({ current: 10_000, '1-30': 25_050, '31-60': 0, '61-90': 0, '90+': 90_000 });
    // Receivables 1,250.50 over credit sales of 900 in the last 90 days (the 2025-11-01 invoice is older).
    expect(daysSalesOutstanding(invoices, TODAY)).toBe(125.1);
    expect(daysSalesOutstanding([], TODAY)).toBeNull();
  });
});

describe('aging, over random books', () => {
  const invoiceArb = fc.record({
    customerId: fc.constantFrom('a', 'b', 'c'),
    due: fc.integer({ min: -200, max: 40 }),
    total: fc.integer({ min: 1, max: 10_000_000_00 }),
    paid: fc.double({ min: 0, max: 1.2, noNaN: true }),
  });
  const books = fc.array(invoiceArb, { maxLength: 40 }).map((rows) =>
    rows.map((r): AgingInvoice => {
      const dueDate = addDays(TODAY, r.due);
      // Partly paid, paid, or overpaid (a negative balance is a credit, not money owed).
      return { customerId: r.customerId, txnDate: addDays(dueDate, -30), dueDate, total: r.total, balance: r.total - Math.round(r.total * r.paid) };
    }),
  );

  it('totals each bucket as the exact integer sum of the open balances it lists, and misses none', () => {
    fc.assert(
      fc.property(books, (invoices) => {
        const totals = aging(invoices, TODAY);
        let open = 0;
        for (const bucket of AGING_BUCKETS) {
          let cents = 0;
          for (const invoice of invoices) if (invoice.balance > 0 && agingBucket(invoice.dueDate, TODAY) === bucket) cents += invoice.balance;
          expect({ bucket, total: totals[bucket], whole: Number.isSafeInteger(totals[bucket]) }).toEqual({ bucket, total: cents, whole: true });
          open += totals[bucket];
        }
        expect(open).toBe(invoices.filter((i) => i.balance > 0).reduce((sum, i) => sum + i.balance, 0));
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it('keeps 0.10 + 0.20 at 30 cents, where floats drift', () => {
    const tiny = (balance: number): AgingInvoice => ({ customerId: 'a', txnDate: '2026-03-01', dueDate: '2026-03-15', total: balance, balance });
    expect(aging([tiny(10), tiny(20)], TODAY)['1-30']).toBe(30);
  });
});

describe('results', () => {
  it('counts asks, promises per call that reached someone, kept promises, and money after contact', () => {
    const figures = results({
      from: '2026-03-01',
      to: '2026-03-31',
      calls: [
        { customerId: 'a', on: '2026-03-02', reached: true },
        { customerId: 'b', on: '2026-03-02', reached: false },
        { customerId: 'c', on: '2026-03-03', reached: true },
        { customerId: 'c', on: '2026-02-20', reached: true }, // before the period
      ],
      emailsSent: 5,
      promises: [
        { customerId: 'a', madeOn: '2026-03-02', status: 'kept' },
        { customerId: 'c', madeOn: '2026-03-03', status: 'broken' },
      ],
      contacts: [{ invoiceId: 'i1', on: '2026-03-02' }, { invoiceId: 'i2', on: '2026-03-10' }],
      payments: [
        { txnDate: '2026-03-05', appliedTo: [{ invoiceId: 'i1', amount: 400 }, { invoiceId: 'i9', amount: 50 }] },
        { txnDate: '2026-03-06', appliedTo: [{ invoiceId: 'i2', amount: 70 }] }, // before its contact
      ],
    });
    expect(figures).toEqual({ asks: { calls: 3, emails: 5, total: 8 }, promises: 2, promiseRate: 1, keptRate: 0.5, collectedAfterContact: 400 });
  });
});

describe('difficult customers and the systems log', () => {
  it('ranks by broken promises × 2 + disputes + invoices over 60 days, then balance, with an attack plan', () => {
    const ranked = difficultCustomers({
      today: TODAY,
      customers: [{ id: 'a', name: 'Acme' }, { id: 'b', name: 'Birch' }, { id: 'c', name: 'Cedar' }, { id: 'd', name: 'Dune' }],
      invoices: [
        { customerId: 'b', txnDate: '2025-12-01', dueDate: '2026-01-01', total: 100, balance: 100 },
        { customerId: 'c', txnDate: '2025-12-01', dueDate: '2026-01-01', total: 5000, balance: 5000 },
        { customerId: 'c', txnDate: '2025-12-01', dueDate: '2026-01-15', total: 100, balance: 100 },
      ],
      brokenPromises: [{ customerId: 'a' }, { customerId: 'b' }],
      disputes: [{ customerId: 'a' }],
    });
    // Birch and Acme both score 3 (Birch: a broken promise and an invoice over 60 days); Birch owes more.
    expect(ranked.map((r) => [r.customerId, r.score])).toEqual([['b', 3], ['a', 3], ['c', 2]]);
    expect(ranked[1]!.attackPlan).toContain('broken promise');
    expect(ranked[1]!.attackPlan).toContain('dispute');
    expect(ranked[2]!.attackPlan).toContain('small claims');
  });

  it('groups process problems by month and category', () => {
    expect(systemsLog([
      { category: 'pricing', openedOn: '2026-03-02' },
      { category: 'pricing', openedOn: '2026-03-20' },
      { category: 'missing_po', openedOn: '2026-03-05' },
      { category: 'pricing', openedOn: '2026-02-11' },
    ])).toEqual([
      { month: '2026-03', category: 'pricing', count: 2 },
      { month: '2026-03', category: 'missing_po', count: 1 },
      { month: '2026-02', category: 'pricing', count: 1 },
    ]);
  });
});
