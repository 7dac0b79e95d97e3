import { isoWeek, runBacktest } from '../../src/collections/backtest';
import { runBacktestInTurns } from '../../src/services/backtest';
import { addDays } from '../../src/collections/calendar';
import type { ReceivablesHistory } from '../../src/collections/receivables-as-of';
import { DEFAULT_SETTINGS } from '../../src/collections/settings';
import { cents, sandboxBooks, type Books } from './backtest-books';

const TO = '2026-03-02';

/** The history the repository would read, straight from the sandbox's entities. */
function historyOf(books: Books): ReceivablesHistory {
  const ref = (value: unknown) => (value as { value: string } | undefined)?.value ?? null;
  const address = (value: unknown) => (value as { Address?: string } | undefined)?.Address ?? null;
  return {
    customers: books.Customer.map((c) => ({ id: c.Id, name: String(c.DisplayName), companyName: (c.CompanyName as string | undefined) ?? null, email: address(c.PrimaryEmailAddr), parentId: ref(c.ParentRef) })),
    invoices: books.Invoice.map((i) => ({ id: i.Id, customerId: ref(i.CustomerRef)!, docNumber: String(i.DocNumber), txnDate: String(i.TxnDate), dueDate: String(i.DueDate), total: cents(i.TotalAmt), balance: cents(i.Balance), billEmail: address(i.BillEmail), updatedOn: String(i.TxnDate) })),
    payments: books.Payment.map((p) => ({
      id: p.Id,
      customerId: ref(p.CustomerRef)!,
      txnDate: String(p.TxnDate),
      lines: (p.Line as Array<{ Amount: number; LinkedTxn: Array<{ TxnId: string; TxnType: string }> }>).flatMap((l) => l.LinkedTxn.map((t) => ({ id: t.TxnId, type: t.TxnType, amount: cents(l.Amount) }))),
    })),
    creditMemos: books.CreditMemo.map((m) => ({ id: m.Id, txnDate: String(m.TxnDate) })),
  };
}

describe('the back-test engine', () => {
  it('counts ISO weeks: Monday to Sunday, the week of the year\'s first Thursday is week 1', () => {
    expect(['2025-12-29', '2026-01-04', '2026-01-05', '2026-02-05', '2026-12-31', '2027-01-03', '2021-01-03', '2024-12-30'].map(isoWeek)).toEqual(['2026-W01', '2026-W01', '2026-W02', '2026-W06', '2026-W53', '2026-W53', '2020-W53', '2025-W01']);
  });

  it('decides the same whether each day gets every open invoice or only what it can act on, on a larger book', () => {
    const history = historyOf(sandboxBooks({ realmId: '5552504', customers: 90, invoices: 1200, asOf: TO, seed: 4 }));
    expect(history.customers.some((c) => !c.email)).toBe(true);
    const options = { from: addDays(TO, -150), to: TO, settings: DEFAULT_SETTINGS };
    const pruned = runBacktest(history, options);
    const full = runBacktest(history, { ...options, prune: false });
    expect({ ...pruned, timings: null }).toEqual({ ...full, timings: null });
    // The book is lively enough for the comparison to mean something.
    expect(pruned.totals.sentMessages).toBeGreaterThan(200);
    expect(pruned.escalations.length).toBeGreaterThan(3);
    expect(pruned.lateInvoices.filter((i) => i.steps.some((s) => s.kind === 'final_notice')).length).toBeGreaterThan(3);
  });

  it('keeps a find-an-email task while anything it could be written about is open, as the live cadence does', () => {
    // No address: a task to find one. The overdue invoice is paid on 10 February while a newer
    // one is not due yet; the task stays (not retired, and not counted again when that one falls due).
    const invoice = (id: string, txnDate: string, dueDate: string) => ({ id, customerId: 'c1', docNumber: id, txnDate, dueDate, total: 10_000, balance: 0, billEmail: null, updatedOn: txnDate });
    const history: ReceivablesHistory = {
      customers: [{ id: 'c1', name: 'Dana Reyes', companyName: null, email: null, parentId: null }],
      invoices: [invoice('A', '2026-01-01', '2026-01-15'), invoice('B', '2026-02-05', '2026-03-07')],
      payments: [{ id: 'pA', customerId: 'c1', txnDate: '2026-02-10', lines: [{ id: 'A', type: 'Invoice', amount: 10_000 }] }, { id: 'pB', customerId: 'c1', txnDate: '2026-03-20', lines: [{ id: 'B', type: 'Invoice', amount: 10_000 }] }],
      creditMemos: [],
    };
    const options = { from: '2026-02-01', to: '2026-03-15', settings: DEFAULT_SETTINGS };
    const pruned = runBacktest(history, options);
    expect({ ...pruned, timings: null }).toEqual({ ...runBacktest(history, { ...options, prune: false }), timings: null });
    expect(pruned.totals).toMatchObject({ callsOpened: 1, sentMessages: 0 });
  });

  it('takes turns with the rest of the process and decides the same as in one go', async () => {
    const history = historyOf(sandboxBooks({ realmId: '5552505', customers: 40, invoices: 300, asOf: TO, seed: 5 }));
    const options = { from: addDays(TO, -60), to: TO, settings: DEFAULT_SETTINGS };
    let turns = 0;
    // Other work waiting on the event loop runs between turns, not only after the replay.
    let finished = false;
    let ranBetween = false;
    setImmediate(() => (ranBetween = !finished));
    const inTurns = await runBacktestInTurns(history, options, async () => {
      turns += 1;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }, 0);
    finished = true;
    expect(turns).toBeGreaterThan(30);
    expect(ranBetween).toBe(true);
    expect({ ...inTurns, timings: null }).toEqual({ ...runBacktest(history, options), timings: null });
  });

  it('reports progress day by day and refuses a window that ends before it starts', () => {
    const seen: number[] = [];
    runBacktest({ customers: [], invoices: [], payments: [], creditMemos: [] }, { from: '2026-03-01', to: '2026-03-05', settings: DEFAULT_SETTINGS, onProgress: ({ done, total }) => seen.push(done / total) });
    expect(seen).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(() => runBacktest({ customers: [], invoices: [], payments: [], creditMemos: [] }, { from: '2026-03-05', to: '2026-03-01', settings: DEFAULT_SETTINGS })).toThrow(/ends \(2026-03-01\) before it starts/);
  });
});
