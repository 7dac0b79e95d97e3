import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING, customerRow, invoiceRow } from '../support/rows';

const REALM = '5550031';
// Monday 2026-03-02, 10:00 in New York.
const NOW = '2026-03-02T15:00:00Z';
const MONDAY = '2026-03-02';
const THURSDAY = '2026-03-05';
const FOUND = 'payables@dana-found.test';

/**
 * An address a collector found, kept in Ardesk only (the company does not write to QuickBooks
 * customers): the playbook writes to it from then on, as the call outcomes do, and never asks
 * for an address again.
 */
describe('an email found and kept in Ardesk', () => {
  let test: TestContext;
  const openTask = () => test.context.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', '2').where('status', '=', 'open').executeTakeFirstOrThrow();
  const messages = () => test.context.db.selectFrom('messages').select(['kind', 'to_address', 'invoice_ids', 'status']).where('realm_id', '=', REALM).where('customer_id', '=', '2').orderBy('created_at').orderBy('kind').execute();

  beforeAll(async () => {
    test = await createTestContext({ env: { ARDESK_NOW: NOW } });
    const { db, repos, services } = test.context;
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Found Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    await services.settings.change(REALM, { writeCustomersToQuickBooks: false });
    // No address in QuickBooks, on the customer or its invoices.
    await db.insertInto('qbo_customers').values(customerRow(REALM, '2', { display_name: 'Dana Reyes', company_name: 'Reyes Build', email: null })).execute();
    await db
      .insertInto('qbo_invoices')
      .values([
        invoiceRow(REALM, '21', '2', '2026-02-09', 30_000), // 21 days overdue on Monday: level 2 at first sight
        invoiceRow(REALM, '22', '2', '2026-03-02', 12_000), // due on Monday; level 1 on Thursday
      ])
      .execute();
  });
  afterAll(() => test.destroy());

  it('sends what falls due to the found address, asks for no address again, and confirms a promise there', async () => {
    const { services } = test.context;
    await services.cadence.runDay(REALM, MONDAY);
    const task = await openTask();
    expect(task.reasons).toEqual(['level', 'find_email']);
    expect(await messages()).toEqual([]);

    const found = await services.callOutcomes.record(REALM, task.id, { outcome: 'email_found', contact: { email: FOUND, name: 'Robin Payables' } });
    expect(found).toMatchObject({ taskStatus: 'open', messageQueued: true, customerEmail: { status: 'not_allowed' } });
    // Invoice 21 was first seen at level 2: the customer never had a first notice, so no "second notice" either (SPEC §4 first sight).
    expect(await messages()).toEqual([{ kind: 'overdue_statement', to_address: FOUND, invoice_ids: ['21'], status: 'queued' }]);

    // Monday's notice goes out (the outbox's work, not this test's); the next one waits 3 days.
    await test.context.db.updateTable('messages').set({ status: 'sent', sent_at: new Date(NOW) }).where('realm_id', '=', REALM).where('kind', '=', 'overdue_statement').execute();
    // Thursday invoice 22 reaches level 1: its reminder goes to the address found, and no one is asked to find one.
    await services.cadence.runDay(REALM, THURSDAY);
    expect((await messages()).slice(1)).toEqual([{ kind: 'reminder', to_address: FOUND, invoice_ids: ['21', '22'], status: 'queued' }]);
    expect((await openTask()).reasons).toEqual(['level']);
    expect(await test.context.db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where(sql<boolean>`reasons ? 'find_email'`).where('status', '=', 'open').execute()).toEqual([]);

    // The call outcomes agree: a promise is confirmed to the same address.
    const promised = await services.callOutcomes.record(REALM, (await openTask()).id, { outcome: 'promised', promise: { amount: 100, dueOn: '2026-03-09', invoiceIds: ['21'] } });
    expect(promised.messageQueued).toBe(true);
    expect((await messages()).at(-1)).toEqual({ kind: 'promise_confirmation', to_address: FOUND, invoice_ids: ['21'], status: 'queued' });
  });
});
