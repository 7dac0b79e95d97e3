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
];

/** Invoice states and activities check their company per statement (0032): what their foreign keys promised still holds. */
describe.each(ENGINES)('the company of invoice states and activities on %s', (engine) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    repos = createRepositories(test.db);
    for (const realm_id of ['501', '502']) await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id, name: `Company ${realm_id}`, status: 'connected', connected_at: new Date('2026-01-01T12:00:00Z') });
  });
  afterAll(() => test.destroy());

  const count = async (table: 'invoice_states' | 'activities', realmId: string) =>
    Number((await test.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('realm_id', '=', realmId).executeTakeFirstOrThrow()).n);

  it('deletes a company’s states and activities with the company, and no other company’s', async () => {
    for (const realm of ['501', '502']) expect(await test.db.transaction().execute((trx) => recordActions(trx, realm, DAY, actions(`inv-${realm}`)))).toEqual({ first_seen: 1, level_change: 1 });
    await sql`delete from companies where realm_id = '501'`.execute(test.db);
    expect([await count('invoice_states', '501'), await count('activities', '501')]).toEqual([0, 0]);
    expect([await count('invoice_states', '502'), await count('activities', '502')]).toEqual([1, 1]);
  });

  it('refuses rows of a company that does not exist, written or moved there, and a company id that changes under its rows', async () => {
    await expect(test.db.transaction().execute((trx) => recordActions(trx, '599', DAY, actions('inv-599')))).rejects.toThrow(/company/);
    await expect(sql`insert into activities (realm_id, customer_id, kind, summary, occurred_on, key) values ('599', 'c1', 'note', 'x', ${DAY}::date, 'k1')`.execute(test.db)).rejects.toThrow(/company/);
    await expect(sql`update invoice_states set realm_id = '599' where realm_id = '502'`.execute(test.db)).rejects.toThrow(/company/);
    await expect(sql`update companies set realm_id = '598' where realm_id = '502'`.execute(test.db)).rejects.toThrow(/company/);
    expect([await count('invoice_states', '599'), await count('activities', '599'), await count('invoice_states', '502')]).toEqual([0, 0, 1]);
  });
});
