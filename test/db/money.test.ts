import { sql } from 'kysely';
import { createRepositories, type Repositories } from '../../src/db/repositories';
import { recordActions } from '../../src/db/cadence-recorder';
import { CallOutcomesRepository } from '../../src/db/call-outcomes-repository';
import { at } from '../../src/collections/factories';
import { runPlaybook } from '../../src/collections/playbook';
import { DEFAULT_SETTINGS } from '../../src/collections/settings';
import { parseEntity, type ParsedRow, type SyncedEntity } from '../../src/quickbooks/schemas';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '5550077';
const MONDAY = '2026-03-02';
const meta = { MetaData: { LastUpdatedTime: '2026-02-01T10:00:00Z' }, SyncToken: '0' };

function parsed(entity: SyncedEntity, sent: Record<string, unknown>): ParsedRow {
  const outcome = parseEntity(entity, { ...meta, ...sent });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.row;
}

/**
 * Money through the database, exactly: QuickBooks' 0.10 and 0.20 are stored as numeric text and
 * come back as 10 and 20 cents, which add up to 30 (where 0.1 + 0.2 is 0.30000000000000004), so a
 * promise of 0.30 paid as 0.10 + 0.20 is kept without any tolerance.
 */
describe.each(ENGINES)('money in the database on %s', (engine) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    repos = createRepositories(test.db);
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Cents Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    await repos.copy.upsert(REALM, 'Customer', [parsed('Customer', { Id: '1', DisplayName: 'Penny Supply', PrimaryEmailAddr: { Address: 'ap@penny.test' }, Balance: 0.3 })], 1);
    await repos.copy.upsert(REALM, 'Invoice', [
      parsed('Invoice', { Id: '11', CustomerRef: { value: '1' }, DocNumber: '1011', TxnDate: '2026-01-20', DueDate: '2026-02-19', TotalAmt: 0.1, Balance: 0.1 }),
      parsed('Invoice', { Id: '12', CustomerRef: { value: '1' }, DocNumber: '1012', TxnDate: '2026-01-20', DueDate: '2026-02-19', TotalAmt: '0.20', Balance: '0.20' }),
    ], 1);
  });
  afterAll(() => test.destroy());

  it('stores QuickBooks amounts as exact numeric text and keeps the entity as QuickBooks sent it', async () => {
    const rows = await test.db.selectFrom('qbo_invoices').select(['id', 'total', 'balance', 'raw']).where('realm_id', '=', REALM).orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.total, r.balance, (r.raw as { Balance: unknown }).Balance])).toEqual([['11', '0.10', '0.10', 0.1], ['12', '0.20', '0.20', '0.20']]);
    const summed = await sql<{ sum: string }>`select sum(balance)::text as sum from qbo_invoices where realm_id = ${REALM}`.execute(test.db);
    expect(summed.rows[0]!.sum).toBe('0.30');
  });

  it('reads 0.10 + 0.20 back as exactly 30 cents, in every repository that reads balances', async () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const sum = (cents: number[]) => cents.reduce((a, b) => a + b, 0);
    expect(sum((await repos.reports.invoices(REALM)).map((i) => i.balance))).toBe(30);
    expect(sum((await repos.mergeData.invoices(REALM, ['11', '12'])).map((i) => i.balance))).toBe(30);
    expect((await repos.mergeData.customer(REALM, '1'))!.balance).toBe(30);
    const input = await repos.collections.loadInput(REALM, at(MONDAY), MONDAY, '2026-01-05');
    expect(input.invoices.map((i) => [i.id, i.total, i.balance])).toEqual([['11', 10, 10], ['12', 20, 20]]);
    expect(await repos.mergeData.openInvoiceIds(REALM, ['11', '12'])).toEqual(expect.arrayContaining(['11', '12']));
  });

  it('keeps a promise of 0.30 paid as 0.10 + 0.20 to the cent: stored, judged kept, settled with 0.30 paid', async () => {
    const promiseId = await new CallOutcomesRepository(test.db).insertPromise(REALM, { customerId: '1', invoiceIds: ['11', '12'], amount: 30, dueOn: '2026-02-27', madeOn: '2026-02-20', planId: null });
    await repos.copy.upsert(REALM, 'Payment', [
      parsed('Payment', { Id: '71', CustomerRef: { value: '1' }, TxnDate: '2026-02-24', TotalAmt: 0.1, Line: [{ Amount: 0.1, LinkedTxn: [{ TxnId: '11', TxnType: 'Invoice' }] }] }),
      parsed('Payment', { Id: '72', CustomerRef: { value: '1' }, TxnDate: '2026-02-25', TotalAmt: 0.2, Line: [{ Amount: 0.2, LinkedTxn: [{ TxnId: '12', TxnType: 'Invoice' }] }] }),
    ], 1);
    expect((await repos.promises.openOrSettledSince(REALM, MONDAY)).map((p) => [p.id, p.amount, p.paid])).toEqual([[promiseId, 30, null]]);

    const input = await repos.collections.loadInput(REALM, at(MONDAY), MONDAY, '2026-01-05');
    expect(input.promises.map((p) => p.amount)).toEqual([30]);
    expect(input.payments.flatMap((p) => p.appliedTo.map((a) => a.amount)).sort()).toEqual([10, 20]);
    const outcomes = runPlaybook(input, DEFAULT_SETTINGS).filter((a) => a.type === 'promise_outcome');
    expect(outcomes).toEqual([expect.objectContaining({ promiseId, outcome: 'kept', paid: 30 })]);

    await test.db.transaction().execute((trx) => recordActions(trx, REALM, MONDAY, outcomes));
    const stored = await test.db.selectFrom('promises').select(['status', 'paid']).where('id', '=', promiseId).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'kept', paid: '0.30' });
    const activity = await test.db.selectFrom('activities').select(['summary', 'details']).where('realm_id', '=', REALM).where('kind', '=', 'promise_kept').executeTakeFirstOrThrow();
    expect(activity).toEqual({ summary: 'promise to pay kept (0.30 paid)', details: { promiseId, paid: 0.3 } });
    expect((await repos.promises.openOrSettledSince(REALM, MONDAY)).map((p) => [p.amount, p.paid])).toEqual([[30, 30]]);
  });

  it('writes a message total of 0.10 + 0.20 as 0.30 and lists it back as 30 cents', async () => {
    await new CallOutcomesRepository(test.db).queueConfirmation(REALM, { customerId: '1', kind: 'promise_confirmation', toAddress: 'ap@penny.test', invoiceIds: ['11', '12'], total: 10 + 20, sendAt: new Date('2026-03-02T15:00:00Z'), key: 'cents-test' });
    expect((await test.db.selectFrom('messages').select('total').where('key', '=', 'cents-test').executeTakeFirstOrThrow()).total).toBe('0.30');
    expect((await repos.outbox.outboxPage(REALM, { limit: 10, offset: 0 })).map((m) => m.total)).toEqual([30]);
  });
});
