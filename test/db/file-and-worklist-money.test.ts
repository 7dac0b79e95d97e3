import { createRepositories, type Repositories } from '../../src/db/repositories';
import { CallOutcomesRepository } from '../../src/db/call-outcomes-repository';
import { parseEntity, type ParsedRow, type SyncedEntity } from '../../src/quickbooks/schemas';
import { AccountDirectoryService } from '../../src/services/account-directory';
import { AccountStateService } from '../../src/services/account-state';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '5550078';
const MONDAY = '2026-03-02';
const meta = { MetaData: { LastUpdatedTime: '2026-02-01T10:00:00Z' }, SyncToken: '0' };

function parsed(entity: SyncedEntity, sent: Record<string, unknown>): ParsedRow {
  const outcome = parseEntity(entity, { ...meta, ...sent });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.row;
}

/**
 * The customer file's and the work list's repositories give money as cents: QuickBooks' 0.10
 * and 0.20 come back as 10 and 20, and their sums (the list's total) as 30, never numeric text.
 */
describe.each(ENGINES)('the customer file and the work list in cents on %s', (engine) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    repos = createRepositories(test.db);
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Dime Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    await repos.copy.upsert(REALM, 'Customer', [
      parsed('Customer', { Id: '1', DisplayName: 'Penny Supply', PrimaryEmailAddr: { Address: 'ap@penny.test' }, Balance: 0.3 }),
      parsed('Customer', { Id: '2', DisplayName: 'Nickel Works', PrimaryEmailAddr: { Address: 'ap@nickel.test' }, Balance: '1234.05' }),
    ], 1);
    await repos.copy.upsert(REALM, 'Invoice', [
      parsed('Invoice', { Id: '11', CustomerRef: { value: '1' }, DocNumber: '1011', TxnDate: '2026-01-20', DueDate: '2026-02-19', TotalAmt: 0.1, Balance: 0.1 }),
      parsed('Invoice', { Id: '12', CustomerRef: { value: '1' }, DocNumber: '1012', TxnDate: '2026-01-20', DueDate: '2026-02-19', TotalAmt: '0.20', Balance: '0.20' }),
      parsed('Invoice', { Id: '21', CustomerRef: { value: '2' }, DocNumber: '1021', TxnDate: '2026-01-10', DueDate: '2026-02-09', TotalAmt: '1500.00', Balance: '1234.05' }),
    ], 1);
    await repos.copy.upsert(REALM, 'Payment', [
      parsed('Payment', { Id: '71', CustomerRef: { value: '2' }, TxnDate: '2026-02-24', TotalAmt: 265.95, Line: [{ Amount: 265.95, LinkedTxn: [{ TxnId: '21', TxnType: 'Invoice' }] }] }),
    ], 1);
    await new CallOutcomesRepository(test.db).insertPromise(REALM, { customerId: '1', invoiceIds: ['11', '12'], amount: 30, dueOn: '2026-03-06', madeOn: '2026-03-02', planId: null });
  });
  afterAll(() => test.destroy());

  it('reads the customer, invoices, payments and promises of a customer file as cents', async () => {
    const files = repos.customerFile;
    expect((await files.customer(REALM, '1'))!.balance).toBe(30);
    expect((await files.invoicesOf(REALM, ['1', '2'])).map((i) => [i.id, i.total, i.balance])).toEqual([['21', 150000, 123405], ['11', 10, 10], ['12', 20, 20]]);
    expect((await files.paymentsOf(REALM, ['2'])).map((p) => p.total)).toEqual([26595]);
    expect((await files.promises(REALM, '1')).map((p) => [p.amount, p.paid])).toEqual([[30, null]]);
    expect(await files.invoice(REALM, '21')).toMatchObject({ id: '21', total: 150000, balance: 123405 });
  });

  it('reads each line of the work list and the list\'s overdue total as cents', async () => {
    const states = new AccountStateService({ states: repos.accountStates, directory: new AccountDirectoryService(repos.accounts) });
    const version = await states.ensure(REALM, MONDAY, 0.2);
    for (const customerId of ['1', '2']) {
      await repos.callTasks.wantReason(REALM, { customerId, reason: 'level', level: 1, scheduledFor: MONDAY, createdOn: MONDAY, key: `cents-task:${customerId}` });
    }
    const rows = await repos.workList.page(REALM, MONDAY, version, { commercial: true, personal: true }, 10, 0);
    expect(rows.map((r) => [r.customer_id, r.balance])).toEqual([['2', 123405], ['1', 30]]);
    expect(rows.map((r) => r.total_balance)).toEqual([123435, 123435]);
  });
});
