import { addDays, daysBetween } from '../../src/collections/calendar';
import { applicationsOf, balanceAsOf, receivablesAsOf, type ReceivablesHistory } from '../../src/collections/receivables-as-of';
import { BacktestRepository } from '../../src/db/backtest-repository';
import { CompaniesRepository } from '../../src/db/companies-repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { cents, openBalanceOn, sandboxBooks, writeCopy, type Books, type Entity } from './backtest-books';

const REALM = '5552501';
const AS_OF = '2026-03-02';
const DAYS = [addDays(AS_OF, -150), addDays(AS_OF, -90), addDays(AS_OF, -45), addDays(AS_OF, -30), addDays(AS_OF, -7), addDays(AS_OF, -1), AS_OF];

/** Aged receivables as QuickBooks' AgedReceivableDetail groups them: current, 1-30, 31-60, 61-90, over 90 days past due. */
function aging(rows: Array<{ dueDate: string | null; balance: number }>, day: string): number[] {
  const buckets = [0, 0, 0, 0, 0];
  for (const row of rows) {
    const late = row.dueDate ? daysBetween(row.dueDate, day) : 0;
    buckets[late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : 4]! += row.balance;
  }
  return buckets;
}

/** A credit memo of $50 applied (a Payment of 0 linking it and an unpaid invoice) on 2026-01-25. */
function applyCredit(seed: Record<string, unknown>): void {
  const invoices = seed.Invoice as Entity[];
  const paid = new Set((seed.Payment as Entity[]).flatMap((p) => (p.Line as Array<{ LinkedTxn: Array<{ TxnId: string }> }>).flatMap((l) => l.LinkedTxn.map((t) => t.TxnId))));
  const target = invoices.find((i) => !paid.has(i.Id) && String(i.TxnDate) < '2026-01-10' && Number(i.TotalAmt) > 100)!;
  const customer = target.CustomerRef;
  const stamp = { CreateTime: '2026-01-25T15:00:00-00:00', LastUpdatedTime: '2026-01-25T15:00:00-00:00' };
  (seed.CreditMemo as Entity[]).push({ Id: '990001', DocNumber: 'CM-BT', TxnDate: '2026-01-20', CustomerRef: customer, TotalAmt: 50, Line: [{ Amount: 50, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1' } } }], MetaData: stamp });
  (seed.Payment as Entity[]).push({ Id: '990002', TxnDate: '2026-01-25', CustomerRef: customer, TotalAmt: 0, Line: [{ Amount: 50, LinkedTxn: [{ TxnId: target.Id, TxnType: 'Invoice' }] }, { Amount: 50, LinkedTxn: [{ TxnId: '990001', TxnType: 'CreditMemo' }] }], MetaData: stamp });
}

describe('receivables as of a past day', () => {
  let database: TestDatabase;
  let books: Books;
  let history: ReceivablesHistory;
  beforeAll(async () => {
    books = sandboxBooks({ realmId: REALM, customers: 40, invoices: 500, asOf: AS_OF, seed: 25 }, applyCredit);
    database = await createTestDatabase('postgres');
    await new CompaniesRepository(database.db).upsert({ realm_id: REALM, name: 'Backtest Books Co', status: 'connected', connected_at: new Date(`${AS_OF}T15:00:00Z`) });
    for (const entity of ['Customer', 'Invoice', 'Payment', 'CreditMemo'] as const) await writeCopy(database.db, REALM, entity, books[entity]);
    history = await new BacktestRepository(database.db).loadHistory(REALM, 'America/New_York');
  });
  afterAll(() => database.destroy());

  it('reads the whole history from the copy once: every invoice, payment line and credit memo', () => {
    expect(history.invoices).toHaveLength(books.Invoice.length);
    expect(history.payments).toHaveLength(books.Payment.length);
    expect(history.creditMemos.map((m) => m.id)).toContain('990001');
    expect(history.payments.find((p) => p.id === '990002')!.lines).toEqual([expect.objectContaining({ type: 'Invoice', amount: 5000 }), { id: '990001', type: 'CreditMemo', amount: 5000 }]);
  });

  it.each(DAYS)('agrees with the figures computed from QuickBooks\' entities on %s, invoice by invoice and by age', (day) => {
    const expected = new Map<string, number>();
    for (const invoice of books.Invoice) {
      if (String(invoice.TxnDate) > day) continue;
      const open = openBalanceOn(invoice, books.Payment, day);
      if (open > 0) expected.set(invoice.Id, open);
    }
    const open = receivablesAsOf(history, day);
    expect(new Map(open.map((r) => [r.invoice.id, r.balance]))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(10);
    const dueOf = new Map(books.Invoice.map((i) => [i.Id, String(i.DueDate)]));
    expect(aging(open.map((r) => ({ dueDate: r.invoice.dueDate, balance: r.balance })), day)).toEqual(aging([...expected].map(([id, balance]) => ({ dueDate: dueOf.get(id)!, balance })), day));
  });

  it('ends on the balances QuickBooks holds today', () => {
    const applications = applicationsOf(history);
    for (const invoice of books.Invoice) expect([invoice.Id, balanceAsOf(history.invoices.find((i) => i.id === invoice.Id)!, applications.get(invoice.Id), AS_OF)]).toEqual([invoice.Id, cents(invoice.Balance)]);
    // The credit memo took $50 off on the day it was applied, not before.
    const credited = history.payments.find((p) => p.id === '990002')!.lines[0]!.id;
    const invoice = history.invoices.find((i) => i.id === credited)!;
    expect(balanceAsOf(invoice, applications.get(credited), '2026-01-24') - balanceAsOf(invoice, applications.get(credited), '2026-01-25')).toBe(5000);
  });
});

describe('what the history does not say', () => {
  const invoice = { id: '1', customerId: 'c', docNumber: '1', txnDate: '2026-01-01', dueDate: '2026-01-31', total: 10_000, balance: 0, billEmail: null, updatedOn: '2026-02-20' };

  it('dates a credit applied before its memo existed on the memo\'s day', () => {
    const history = { invoices: [{ ...invoice, balance: 6000 }], payments: [{ id: 'p', customerId: 'c', txnDate: '2026-02-01', lines: [{ id: '1', type: 'Invoice', amount: 4000 }, { id: 'm', type: 'CreditMemo', amount: 4000 }] }], creditMemos: [{ id: 'm', txnDate: '2026-02-10' }] };
    const applications = applicationsOf(history);
    expect(balanceAsOf(invoice, applications.get('1'), '2026-02-09')).toBe(10_000);
    expect(balanceAsOf(invoice, applications.get('1'), '2026-02-10')).toBe(6000);
  });

  it('dates a change no payment explains on the day QuickBooks last changed the invoice', () => {
    const history = { invoices: [invoice], payments: [{ id: 'p', customerId: 'c', txnDate: '2026-02-05', lines: [{ id: '1', type: 'Invoice', amount: 3000 }] }], creditMemos: [] };
    const applications = applicationsOf(history);
    expect(applications.get('1')!.map((a) => [a.on, a.amount, a.source])).toEqual([['2026-02-05', 3000, 'payment'], ['2026-02-20', 7000, 'unexplained']]);
    expect(balanceAsOf(invoice, applications.get('1'), '2026-02-19')).toBe(7000);
    expect(balanceAsOf(invoice, applications.get('1'), '2026-02-20')).toBe(0);
  });
});
