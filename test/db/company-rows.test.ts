import { sql } from 'kysely';
import { createRepositories, type Repositories } from '../../src/app-context';
import { recordActions } from '../../src/db/cadence-recorder';
import type { Action } from '../../src/collections/model';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';
import { ALREADY_COLLECTING } from '../support/rows';

const DAY = '2026-03-02';
const actions = (invoiceId: string): Action[] => [
  { type: 'first_seen', invoiceId },
  { type: 'level_change', invoiceId, customerId: 'c1', from: 0, to: 1 },
  { type: 'send_message', kind: 'reminder', customerId: 'c1', to: 'ap@example.test', invoiceIds: [invoiceId], total: 12345, sendAt: new Date(`${DAY}T15:00:00Z`), key: `reminder:${invoiceId}:${DAY}` },
  { type: 'open_task', customerId: 'c1', level: 1, reason: 'level', scheduledFor: DAY, key: `task:${invoiceId}:${DAY}` },
];
const TABLES = ['invoice_states', 'activities', 'messages', 'call_tasks', 'customer_histories'] as const;

/**
 * Invoice states and activities (0032), messages, call tasks and customer histories (0033) check
 * their company per statement: what their foreign keys promised still holds.
 */
describe.each(ENGINES)('the company of what a playbook run writes on %s', (engine) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    repos = createRepositories(test.db);
    for (const realm_id of ['501', '502']) await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id, name: `Company ${realm_id}`, status: 'connected', connected_at: new Date('2026-01-01T12:00:00Z') });
  });
  afterAll(() => test.destroy());

  const count = async (table: (typeof TABLES)[number], realmId: string) =>
    Number((await test.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('realm_id', '=', realmId).executeTakeFirstOrThrow()).n);

  const counts = async (realmId: string) => Promise.all(TABLES.map((table) => count(table, realmId)));

  it('deletes a company’s rows with the company, and no other company’s', async () => {
    for (const realm of ['501', '502']) expect(await test.db.transaction().execute((trx) => recordActions(trx, realm, DAY, actions(`inv-${realm}`)))).toEqual({ first_seen: 1, level_change: 1, send_message: 1, open_task: 1 });
    // A state, its level's activity and the message's, the message, the task, the customer's history.
    expect(await counts('501')).toEqual([1, 2, 1, 1, 1]);
    await sql`delete from companies where realm_id = '501'`.execute(test.db);
    expect(await counts('501')).toEqual([0, 0, 0, 0, 0]);
    expect(await counts('502')).toEqual([1, 2, 1, 1, 1]);
  });

  it('refuses rows of a company that does not exist, written or moved there, and a company id that changes under its rows', async () => {
    await expect(test.db.transaction().execute((trx) => recordActions(trx, '599', DAY, actions('inv-599')))).rejects.toThrow(/company/);
    await expect(sql`insert into activities (realm_id, customer_id, kind, summary, occurred_on, key) values ('599', 'c1', 'note', 'x', ${DAY}::date, 'k1')`.execute(test.db)).rejects.toThrow(/company/);
    await expect(sql`insert into messages (realm_id, customer_id, kind, to_address, invoice_ids, total, send_at, key) values ('599', 'c1', 'reminder', 'ap@example.test', '[]', 1, now(), 'k1')`.execute(test.db)).rejects.toThrow(/company/);
    await expect(sql`insert into customer_histories (realm_id, customer_id) values ('599', 'c1')`.execute(test.db)).rejects.toThrow(/company/);
    for (const table of ['invoice_states', 'messages', 'call_tasks', 'customer_histories']) await expect(sql`update ${sql.table(table)} set realm_id = '599' where realm_id = '502'`.execute(test.db)).rejects.toThrow(/company/);
    await expect(sql`update companies set realm_id = '598' where realm_id = '502'`.execute(test.db)).rejects.toThrow(/company/);
    expect(await counts('599')).toEqual([0, 0, 0, 0, 0]);
    expect(await counts('502')).toEqual([1, 2, 1, 1, 1]);
  });
});
