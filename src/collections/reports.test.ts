import fc from 'fast-check';
import { addDays } from './calendar';
import { aging, AGING_BUCKETS, agingBucket, balancesAsOf, daysSalesOutstanding, difficultCustomers, keptWhen, results, systemsLog, type AgingInvoice, type PromiseTiming } from './reports';

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
  const PERIOD = { from: '2026-03-01', to: '2026-03-31' };
  const none = { calls: [], messages: [], promises: [], payments: [] };
  const call = (on: string, reached: boolean, invoiceIds: string[] = []) => ({ customerId: 'a', on, reached, invoiceIds });
  const sent = (kind: string, on: string, invoiceIds: string[] = []) => ({ kind, on, invoiceIds });
  const paid = (txnDate: string, invoiceId: string, amount: number, creditApplied = 0) => ({ txnDate, appliedTo: [{ invoiceId, amount }], creditApplied });

  it('counts asks, promises per call that reached someone, kept promises, and money after an ask', () => {
    const figures = results({
      ...PERIOD,
      calls: [call('2026-03-02', true, ['i1']), call('2026-03-02', false), call('2026-03-03', true), call('2026-02-20', true)],
      messages: [sent('reminder', '2026-03-10', ['i2']), sent('second_notice', '2026-03-11')],
      promises: [
        { customerId: 'a', madeOn: '2026-03-02', status: 'kept' },
        { customerId: 'c', madeOn: '2026-03-03', status: 'broken' },
      ],
      payments: [
        { txnDate: '2026-03-05', appliedTo: [{ invoiceId: 'i1', amount: 400 }, { invoiceId: 'i9', amount: 50 }] },
        paid('2026-03-06', 'i2', 70), // before its reminder
      ],
    });
    expect(figures).toEqual({ asks: { calls: 2, emails: 2, total: 4 }, attempts: 1, promises: 2, promiseRate: 1, keptRate: 0.5, keptOnDate: 1, keptWithinGrace: 0, keptOnDateRate: 0.5, keptWithinGraceRate: 0, collectedAfterContact: 400 });
  });

  it('counts promises kept on their date and kept within the grace days apart, as shares of the settled ones', () => {
    const promise = (status: 'kept' | 'broken' | 'open', kept?: 'on_date' | 'within_grace') => ({ customerId: 'a', madeOn: '2026-03-02', status, ...(kept ? { kept } : {}) });
    const figures = results({ ...PERIOD, ...none, promises: [promise('kept', 'on_date'), promise('kept', 'within_grace'), promise('kept', 'on_date'), promise('broken'), promise('open')] });
    expect(figures).toMatchObject({ keptRate: 0.75, keptOnDate: 2, keptWithinGrace: 1, keptOnDateRate: 0.5, keptWithinGraceRate: 0.25 });
    expect(results({ ...PERIOD, ...none })).toMatchObject({ keptOnDate: 0, keptWithinGrace: 0, keptOnDateRate: null, keptWithinGraceRate: null });
  });

  it.each([
    ['a call that reached someone', { calls: [call('2026-03-02', true)] }, { calls: 1, emails: 0, total: 1 }, 0],
    ['no answer, voicemail, wrong person, call back: attempts', { calls: [call('2026-03-02', false), call('2026-03-03', false), call('2026-03-04', false)] }, { calls: 0, emails: 0, total: 0 }, 3],
    ['a reminder', { messages: [sent('reminder', '2026-03-02')] }, { calls: 0, emails: 1, total: 1 }, 0],
    ['a second notice, a demand letter, a final notice, an overdue statement', { messages: ['second_notice', 'demand_letter', 'final_notice', 'overdue_statement'].map((k) => sent(k, '2026-03-02')) }, { calls: 0, emails: 4, total: 4 }, 0],
    ['a verification letter, a thank-you, a promise confirmation: not asks', { messages: ['verification', 'thank_you', 'promise_confirmation', 'plan_confirmation'].map((k) => sent(k, '2026-03-02')) }, { calls: 0, emails: 0, total: 0 }, 0],
    ['a call and a reminder the day before the period', { calls: [call('2026-02-28', true)], messages: [sent('reminder', '2026-02-28')] }, { calls: 0, emails: 0, total: 0 }, 0],
    ['a call and a reminder the day after the period', { calls: [call('2026-04-01', true)], messages: [sent('reminder', '2026-04-01')] }, { calls: 0, emails: 0, total: 0 }, 0],
    ['a call and a reminder on the first and the last day', { calls: [call('2026-03-01', true)], messages: [sent('reminder', '2026-03-31')] }, { calls: 1, emails: 1, total: 2 }, 0],
  ])('asks: %s', (_name, records, asks, attempts) => {
    expect(results({ ...PERIOD, ...none, ...records })).toMatchObject({ asks, attempts });
  });

  it('rates promises per call that reached someone, not per attempt', () => {
    const figures = results({ ...PERIOD, ...none, calls: [call('2026-03-02', true), call('2026-03-03', false), call('2026-03-04', false), call('2026-03-05', true)], promises: [{ customerId: 'a', madeOn: '2026-03-02', status: 'open' }] });
    expect(figures.promiseRate).toBe(0.5);
    expect(results({ ...PERIOD, ...none, calls: [call('2026-03-03', false)] }).promiseRate).toBeNull();
  });

  it('counts promises made in the period only', () => {
    const promises = [{ customerId: 'a', madeOn: '2026-02-28', status: 'kept' as const }, { customerId: 'a', madeOn: '2026-04-01', status: 'kept' as const }, { customerId: 'a', madeOn: '2026-03-31', status: 'broken' as const }];
    expect(results({ ...PERIOD, ...none, promises })).toMatchObject({ promises: 1, keptRate: 0 });
  });

  it.each([
    ['after a call that reached someone', { calls: [call('2026-03-02', true, ['i1'])] }, 500],
    ['on the day of a reminder', { messages: [sent('reminder', '2026-03-05', ['i1'])] }, 500],
    ['after an ask in the month before the period', { messages: [sent('second_notice', '2026-02-10', ['i1'])] }, 500],
    ['after a verification letter only', { messages: [sent('verification', '2026-03-01', ['i1'])] }, 0],
    ['after an unanswered call only', { calls: [call('2026-03-01', false, ['i1'])] }, 0],
    ['before the only ask', { messages: [sent('reminder', '2026-03-06', ['i1'])] }, 0],
    ['after an ask about another invoice', { calls: [call('2026-03-01', true, ['i2'])] }, 0],
  ])('money collected %s', (_name, records, cents) => {
    expect(results({ ...PERIOD, ...none, ...records, payments: [paid('2026-03-05', 'i1', 500)] }).collectedAfterContact).toBe(cents);
  });

  it('does not count money paid outside the period, nor a credit memo applied as money collected', () => {
    const asked = { messages: [sent('reminder', '2026-02-01', ['i1', 'i2'])] };
    expect(results({ ...PERIOD, ...none, ...asked, payments: [paid('2026-02-28', 'i1', 500), paid('2026-04-01', 'i1', 500)] }).collectedAfterContact).toBe(0);
    // A credit of 300 applied with a cheque of 200 to the invoice: 200 collected.
    expect(results({ ...PERIOD, ...none, ...asked, payments: [paid('2026-03-05', 'i1', 500, 300)] }).collectedAfterContact).toBe(200);
    // A credit applied on its own (a payment of 0) collects nothing.
    expect(results({ ...PERIOD, ...none, ...asked, payments: [paid('2026-03-05', 'i2', 250, 250)] }).collectedAfterContact).toBe(0);
  });
});

describe('when a kept promise was kept', () => {
  const promise = (id: string, overrides: Partial<PromiseTiming> = {}): PromiseTiming => ({ id, planId: null, invoiceIds: ['i1'], amount: 500, dueOn: '2026-03-10', madeOn: '2026-03-02', status: 'kept', settledOn: '2026-03-12', ...overrides });
  const paid = (txnDate: string, amount: number, invoiceId = 'i1') => ({ txnDate, appliedTo: [{ invoiceId, amount }] });

  it.each([
    ['paid in full before its date', [paid('2026-03-05', 500)], 'on_date'],
    ['paid in full on its date', [paid('2026-03-10', 500)], 'on_date'],
    ['paid in two parts, the last on its date', [paid('2026-03-04', 200), paid('2026-03-10', 300)], 'on_date'],
    ['paid the day after its date', [paid('2026-03-11', 500)], 'within_grace'],
    ['paid in part by its date, the rest in the grace days', [paid('2026-03-09', 300), paid('2026-03-12', 200)], 'within_grace'],
    ['with money paid before the promise not counted', [paid('2026-03-01', 500), paid('2026-03-12', 500)], 'within_grace'],
    ['with money paid to another invoice not counted', [paid('2026-03-05', 500, 'i2'), paid('2026-03-11', 500)], 'within_grace'],
  ])('%s', (_name, payments, when) => {
    expect(keptWhen([promise('p1')], payments).get('p1')).toBe(when);
  });

  it('judges only kept promises; without its payments in the copy, by the day it was found kept', () => {
    const timing = keptWhen([promise('broken', { status: 'broken' }), promise('open', { status: 'open' }), promise('late', { settledOn: '2026-03-11' }), promise('early', { settledOn: '2026-03-09' })], []);
    expect([...timing]).toEqual([['late', 'within_grace'], ['early', 'on_date']]);
  });

  it('pays a plan\'s installments in order: each is kept when the money reaches it and those before it', () => {
    const plan = [promise('second', { planId: 'plan', amount: 300, dueOn: '2026-03-20' }), promise('first', { planId: 'plan', amount: 200, dueOn: '2026-03-10' })];
    // 200 on the first date; the second 300 comes in two parts, the last two days after its date.
    const timing = keptWhen(plan, [paid('2026-03-10', 200), paid('2026-03-15', 100), paid('2026-03-22', 200)]);
    expect(Object.fromEntries(timing)).toEqual({ first: 'on_date', second: 'within_grace' });
  });
});

describe('aging from the history', () => {
  const invoice = (id: string, txnDate: string, dueDate: string, total: number) => ({ id, customerId: 'a', txnDate, dueDate, total });
  const books = [invoice('i1', '2026-01-05', '2026-02-04', 100_000), invoice('i2', '2026-02-20', '2026-03-22', 40_000), invoice('i3', '2026-03-10', '2026-04-09', 7_000)];
  const payments = [
    { txnDate: '2026-02-15', appliedTo: [{ invoiceId: 'i1', amount: 30_000 }] },
    // A credit memo of 100.00 applied to i1 with no money (QuickBooks links it through a payment).
    { txnDate: '2026-03-01', appliedTo: [{ invoiceId: 'i1', amount: 10_000 }], creditApplied: 10_000 },
    { txnDate: '2026-03-20', appliedTo: [{ invoiceId: 'i1', amount: 60_000 }, { invoiceId: 'i2', amount: 40_000 }] },
  ];

  it.each([
    ['2026-01-31', [['i1', 100_000]], { current: 100_000, '1-30': 0 }],
    ['2026-02-28', [['i1', 70_000], ['i2', 40_000]], { current: 40_000, '1-30': 70_000 }],
    ['2026-03-01', [['i1', 60_000], ['i2', 40_000]], { current: 40_000, '1-30': 60_000 }],
    ['2026-03-19', [['i1', 60_000], ['i2', 40_000], ['i3', 7_000]], { current: 47_000, '31-60': 60_000 }],
    ['2026-03-20', [['i1', 0], ['i2', 0], ['i3', 7_000]], { current: 7_000, '31-60': 0 }],
  ])('at the end of %s', (day, balances, buckets) => {
    const asOf = balancesAsOf(books, payments, day);
    expect(asOf.map((i, n) => [books[n]!.id, i.balance])).toEqual(balances);
    expect(aging(asOf, day)).toMatchObject(buckets);
  });

  it('gives today\'s balances when every payment is in the history', () => {
    expect(balancesAsOf(books, payments, '2026-12-31').map((i) => i.balance)).toEqual([0, 0, 7_000]);
  });
});

describe('difficult customers', () => {
  const AS_OF = '2026-04-01';
  const inv = (id: string, customerId: string, dueDate: string, balance: number) => ({ id, docNumber: `10${id}`, customerId, dueDate, balance });
  const promise = (id: string, customerId: string, status: 'open' | 'kept' | 'broken' | 'partly_kept', amount = 50_000, planId: string | null = null, dueOn = '2026-03-10') => ({ id, customerId, planId, amount, dueOn, madeOn: '2026-03-02', status });
  const dispute = (customerId: string, invoiceIds: string[], open = true) => ({ customerId, category: 'pricing', openedOn: '2026-03-05', open, invoiceIds });
  const base = { asOf: AS_OF, currency: 'USD', invoices: [], promises: [], disputes: [], willNotPay: [] };
  const rank = (input: Partial<Parameters<typeof difficultCustomers>[0]> & { accounts: Parameters<typeof difficultCustomers>[0]['accounts'] }) => difficultCustomers({ ...base, ...input });
  const account = (id: string, level: 0 | 1 | 2 | 3 | 4 = 2) => ({ id, name: `Customer ${id}`, level });

  it('ranks by broken promises × 2 + disputes + invoices over 60 days + refusals, then by balance', () => {
    const ranked = rank({
      accounts: ['a', 'b', 'c', 'd', 'e'].map((id) => account(id)),
      invoices: [inv('1', 'b', '2026-01-15', 100), inv('2', 'c', '2026-01-15', 5_000), inv('3', 'c', '2026-01-20', 100), inv('4', 'e', '2026-03-20', 900)],
      promises: [promise('p1', 'a', 'broken'), promise('p2', 'b', 'partly_kept'), promise('p3', 'd', 'kept')],
      disputes: [dispute('a', [])],
      willNotPay: [{ customerId: 'e', on: '2026-03-12' }],
    });
    // Birch and Acme score 3 (b: a broken promise and an invoice over 60 days); b owes more. Nobody who refused is left out.
    expect(ranked.map((r) => [r.customerId, r.score])).toEqual([['b', 3], ['a', 3], ['c', 2], ['e', 1]]);
    expect(ranked.find((r) => r.customerId === 'e')).toMatchObject({ willNotPay: 1, balance: 900, overdueBalance: 900 });
  });

  it('counts a payment plan as one promise, broken when an installment was', () => {
    const ranked = rank({ accounts: [account('a')], promises: [promise('i1', 'a', 'broken', 100, 'plan'), promise('i2', 'a', 'broken', 100, 'plan'), promise('i3', 'a', 'open', 100, 'plan')] });
    expect(ranked.map((r) => r.brokenPromises)).toEqual([1]);
  });

  it.each([
    ['a payment plan agreed and kept', { promises: [promise('i1', 'a', 'kept', 30_000, 'plan', '2026-03-15'), promise('i2', 'a', 'open', 30_000, 'plan', '2026-04-15')], invoices: [inv('1', 'a', '2026-01-10', 60_000)] },
      ['agreed on 2026-03-02 and kept so far (1 of 2 installments paid)', '$300.00 due 2026-04-15', 'keep to the plan', 'in the plan: no escalation'], ['be firm', 'demand letter']],
    ['broken promises', { promises: [promise('p1', 'a', 'broken', 80_000, null, '2026-02-10'), promise('p2', 'a', 'broken', 50_000, null, '2026-03-10')], invoices: [inv('1', 'a', '2026-03-01', 120_000)] },
      ['2 broken promises, the last $500.00 due 2026-03-10', 'ask for a smaller amount now ($250.00) and a date for the rest'], ['be firm']],
    ['an open dispute', { disputes: [dispute('a', ['1'])], invoices: [inv('1', 'a', '2026-01-10', 40_000), inv('2', 'a', '2026-03-10', 15_000)] },
      ['Dispute open since 2026-03-05 (pricing, invoice 101): resolve the dispute first', 'then ask for the undisputed $150.00'], ['be firm']],
    ['a resolved dispute', { disputes: [dispute('a', ['1'], false)], invoices: [inv('1', 'a', '2026-03-10', 40_000)] }, [], ['resolve the dispute']],
    ['will not pay, at level 2', { willNotPay: [{ customerId: 'a', on: '2026-03-12' }], invoices: [inv('1', 'a', '2026-01-10', 40_000)] },
      ['Said they will not pay on 2026-03-12 ($400.00 over 60 days): send the demand letter now and name the escalation'], ['keep to the plan']],
    ['invoices over 60 days and nothing kept', { invoices: [inv('1', 'a', '2026-01-10', 40_000), inv('2', 'a', '2025-12-01', 10_000)] },
      ['2 invoices over 60 days overdue ($500.00, the oldest 121 days): be firm; send the demand letter now'], ['keep to the plan']],
  ])('the attack plan after %s', (_name, facts, says, never) => {
    const [entry] = rank({ accounts: [account('a')], ...facts });
    for (const text of says) expect(entry?.attackPlan).toContain(text);
    for (const text of never) expect(entry?.attackPlan ?? '').not.toContain(text);
  });

  it.each([
    [2, 'send the demand letter now'],
    [3, 'send the final notice now'],
    [4, 'the final notice has gone: hand the account to the collection agency or file in small claims'],
  ] as const)('after "will not pay" at level %i: %s', (level, text) => {
    expect(rank({ accounts: [account('a', level)], willNotPay: [{ customerId: 'a', on: '2026-03-12' }] })[0]!.attackPlan).toContain(text);
  });

  it('writes each plan from its own facts, not a canned line', () => {
    const ranked = rank({ accounts: [account('a'), account('b')], promises: [promise('p1', 'a', 'broken', 10_000, null, '2026-03-03'), promise('p2', 'b', 'broken', 64_000, null, '2026-03-20')] });
    const plan = (id: string) => ranked.find((r) => r.customerId === id)!.attackPlan;
    expect(plan('a')).toContain('the last $100.00 due 2026-03-03: ask for a smaller amount now ($50.00)');
    expect(plan('b')).toContain('the last $640.00 due 2026-03-20: ask for a smaller amount now ($320.00)');
  });
});

describe('the systems log', () => {
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
