import { CollectionsRepository } from '../../src/db/collections-repository';
import { mergeDataFor } from '../../src/mail/merge-data';
import { zonedInstant } from '../../src/collections/calendar';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING } from '../support/rows';

/**
 * The letters after unanswered calls, through the database: the playbook reads the recorded
 * calls (activities of kind `call`) and the messages already queued or sent, and the letter's
 * merge data names only the recorded call days.
 */

const REALM = '5550019';
const MONDAY = '2026-03-02';

describe('letters after unanswered calls, from the record', () => {
  let test: TestContext;
  beforeAll(async () => {
    test = await createTestContext();
    const { db, repos } = test.context;
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Record Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    const customer = (id: string, name: string) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), display_name: name, company_name: name, given_name: null, family_name: null, email: `ap@${id}.test`, phone: null, mobile: null, notes: null, balance: 0, active: true, parent_id: null, sales_term_id: null, currency: 'USD', raw: '{}' });
    await db.insertInto('qbo_customers').values([customer('1', 'Called Co'), customer('2', 'Quiet Co')]).execute();
    const invoice = (id: string, customerId: string) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), customer_id: customerId, doc_number: `20${id}`, txn_date: '2026-01-07', due_date: '2026-02-06', total: 900, balance: 900, bill_email: null, sales_term_id: null, currency: 'USD', email_status: null, raw: '{}' });
    await db.insertInto('qbo_invoices').values([invoice('11', '1'), invoice('21', '2')]).execute();
    // Both at level 2 since 02-20 (24 days overdue on Monday): today they enter level 3.
    const state = (id: string) => ({ realm_id: REALM, invoice_id: id, level: 2, level_entered_on: '2026-02-20', level1_on: '2026-02-10', level2_on: '2026-02-20', first_seen_on: '2026-02-01' });
    await db.insertInto('invoice_states').values([state('11'), state('21')]).execute();
    const call = (day: string, outcome: string) => ({ realm_id: REALM, customer_id: '1', invoice_ids: '[]', kind: 'call', summary: `called: ${outcome}`, details: JSON.stringify({ outcome, reached: false, asked: true }), occurred_on: day, key: `call:test:${day}` });
    await db.insertInto('activities').values([call('2026-02-23', 'no_answer'), call('2026-02-26', 'voicemail')]).execute();
  });
  afterAll(() => test.destroy());

  it('loads the calls and the messages into the playbook\'s input', async () => {
    const input = await new CollectionsRepository(test.context.db).loadInput(REALM, zonedInstant(MONDAY, 7 * 60, 'America/New_York'), MONDAY, '2026-01-05');
    expect(input.callAttempts).toEqual([
      { customerId: '1', on: '2026-02-23', outcome: 'no_answer', reached: false },
      { customerId: '1', on: '2026-02-26', outcome: 'voicemail', reached: false },
    ]);
    expect(input.states.find((s) => s.invoiceId === '11')).toMatchObject({ level: 2, level2On: '2026-02-20' });
    expect(input.messages).toEqual([]);
  });

  it('sends the demand letter to the account whose calls went unanswered, not to the one nobody called yet; the letter names the call days', async () => {
    const summary = await test.context.services.cadence.runDay(REALM, MONDAY);
    expect(summary.applied).toMatchObject({ level_change: 2 });
    const messages = await test.context.db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).execute();
    expect(messages.map((m) => [m.kind, m.customer_id, m.invoice_ids])).toEqual([['demand_letter', '1', ['11']]]);
    const data = await mergeDataFor(test.context.db, messages[0]!, new Map(), zonedInstant(MONDAY, 9 * 60, 'America/New_York'), ['11']);
    expect(data.history).toEqual({ writtenOn: [], calledOn: ['2026-02-23', '2026-02-26'], spokeOn: [] });
    // The next day the playbook reads the letter it queued: nothing again for invoice 11.
    const input = await new CollectionsRepository(test.context.db).loadInput(REALM, zonedInstant('2026-03-05', 7 * 60, 'America/New_York'), '2026-03-05', '2026-01-05');
    expect(input.messages).toEqual([expect.objectContaining({ kind: 'demand_letter', customerId: '1', invoiceIds: ['11'], status: 'queued', queuedOn: expect.any(String) })]);
  });

  it('sends the quiet account its demand letter after 3 business days without a call', async () => {
    expect((await test.context.services.cadence.runDay(REALM, '2026-03-04')).applied.send_message ?? 0).toBe(0);
    await test.context.services.cadence.runDay(REALM, '2026-03-05');
    const letters = await test.context.db.selectFrom('messages').select(['kind', 'customer_id']).where('realm_id', '=', REALM).orderBy('customer_id').execute();
    expect(letters).toEqual([{ kind: 'demand_letter', customer_id: '1' }, { kind: 'demand_letter', customer_id: '2' }]);
    const quiet = await test.context.db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', '2').executeTakeFirstOrThrow();
    const data = await mergeDataFor(test.context.db, quiet, new Map(), zonedInstant('2026-03-05', 9 * 60, 'America/New_York'), ['21']);
    expect(data.history).toEqual({ writtenOn: [], calledOn: [], spokeOn: [] });
  });

  it('cancels a paused customer\'s queued letter, once, with an activity saying why', async () => {
    await new CollectionsRepository(test.context.db).pauseCustomer(REALM, '2', '2026-03-06', { reason: 'owner on holiday' });
    expect((await test.context.services.cadence.runDay(REALM, '2026-03-06')).applied).toMatchObject({ cancel_message: 1 });
    const quiet = await test.context.db.selectFrom('messages').select(['status', 'status_reason']).where('realm_id', '=', REALM).where('customer_id', '=', '2').executeTakeFirstOrThrow();
    expect(quiet).toEqual({ status: 'cancelled', status_reason: 'the invoices it lists are now paused' });
    expect(await test.context.db.selectFrom('activities').select('summary').where('realm_id', '=', REALM).where('kind', '=', 'message_cancelled').execute()).toEqual([{ summary: 'Demand letter not sent: the invoices it lists are now paused' }]);
    expect((await test.context.services.cadence.runDay(REALM, '2026-03-06')).applied).toEqual({});
    expect(await test.context.db.selectFrom('messages').select('status').where('realm_id', '=', REALM).where('customer_id', '=', '1').executeTakeFirstOrThrow()).toEqual({ status: 'queued' });
  });
});
