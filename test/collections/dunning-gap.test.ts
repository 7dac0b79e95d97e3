import { zonedInstant } from '../../src/collections/calendar';
import { recordActivities, recordSent } from '../../src/db/cadence-recorder';
import { CollectionsRepository } from '../../src/db/collections-repository';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING, customerRow, invoiceRow } from '../support/rows';

/**
 * The gap of SPEC §4 through the database: 3 days between the days dunning messages reach the
 * customer. A second notice decided on Saturday goes out on Monday; the reminder another invoice
 * owes on Tuesday waits until Thursday. The days come from the business record (the message's
 * send time, its `sent:` activity), never from the real-time stamps of the outbox.
 */

const REALM = '5550023';
const [SATURDAY, MONDAY, TUESDAY, THURSDAY] = ['2026-03-07', '2026-03-09', '2026-03-10', '2026-03-12'];
const at7 = (day: string) => zonedInstant(day, 7 * 60, 'America/New_York');

describe('the gap between dunning messages, from the record', () => {
  let test: TestContext;
  const load = (day: string) => new CollectionsRepository(test.context.db).loadInput(REALM, at7(day), day, '2026-01-05');
  const messages = () => test.context.db.selectFrom('messages').select(['id', 'kind', 'status', 'invoice_ids']).where('realm_id', '=', REALM).orderBy('created_at').execute();

  beforeAll(async () => {
    test = await createTestContext();
    const { db, repos } = test.context;
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Gap Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    await db.insertInto('qbo_customers').values(customerRow(REALM, '1', { display_name: 'Kettle Co', company_name: 'Kettle Co', email: 'ap@kettle.test' })).execute();
    await db.insertInto('qbo_invoices').values([invoiceRow(REALM, '11', '1', '2026-02-20', 90_000), invoiceRow(REALM, '12', '1', SATURDAY, 40_000)]).execute();
    // Invoice 11 at level 1 since 02-25: on Saturday it enters level 2 (15 days overdue). Invoice 12 is due on Saturday: level 1 from Tuesday.
    await db.insertInto('invoice_states').values([
      { realm_id: REALM, invoice_id: '11', level: 1, level_entered_on: '2026-02-25', level1_on: '2026-02-25', first_seen_on: '2026-02-01' },
      { realm_id: REALM, invoice_id: '12', level: 0, first_seen_on: '2026-02-01' },
    ]).execute();
  });
  afterAll(() => test.destroy());

  it('counts a message decided on Saturday from Monday, the day it goes out', async () => {
    await test.context.services.cadence.runDay(REALM, SATURDAY);
    const [notice] = await messages();
    expect(notice).toMatchObject({ kind: 'second_notice', status: 'queued', invoice_ids: ['11'] });
    // Still queued on Monday morning: it is due today, and holds today's decisions back.
    expect((await load(MONDAY)).messages).toEqual([expect.objectContaining({ id: notice!.id, status: 'queued', sendOn: MONDAY })]);
    expect((await test.context.services.cadence.runDay(REALM, MONDAY)).applied.send_message ?? 0).toBe(0);

    // It goes out on Monday at 09:00, recorded as the send service records it: the message sent,
    // the history's last dunning day, the `sent:` activity on the business day.
    const { db, repos } = test.context;
    expect(await repos.outbox.claim(notice!.id, zonedInstant(MONDAY, 9 * 60, 'America/New_York'))).toBeDefined();
    await db.transaction().execute(async (trx) => {
      await repos.outbox.finish(notice!.id, 'sent', { subject: 'Second notice', listed: ['11'] }, trx);
      await recordSent(trx, REALM, { customerId: '1', kind: 'second_notice' }, MONDAY);
      await recordActivities(trx, REALM, MONDAY, [{ customerId: '1', invoiceIds: ['11'], kind: 'email_sent', summary: 'second notice emailed', key: `sent:${notice!.id}` }]);
    });
    const tuesday = await load(TUESDAY);
    expect(tuesday.messages).toEqual([expect.objectContaining({ id: notice!.id, status: 'sent', sendOn: MONDAY })]);
    expect(tuesday.histories).toEqual([expect.objectContaining({ customerId: '1', lastDunningOn: MONDAY })]);

    // Tuesday: invoice 12 is 3 days overdue, but Monday's notice was 1 day ago: its level and reminder wait.
    const held = await test.context.services.cadence.runDay(REALM, TUESDAY);
    expect(held.applied.level_change ?? 0).toBe(0);
    expect(held.applied.send_message ?? 0).toBe(0);
    // Thursday, 3 days after Monday: the reminder goes, listing both.
    const thursday = await test.context.services.cadence.runDay(REALM, THURSDAY);
    expect(thursday.applied).toMatchObject({ level_change: 1, send_message: 1 });
    expect((await messages()).map((m) => [m.kind, m.status, m.invoice_ids])).toEqual([
      ['second_notice', 'sent', ['11']],
      ['reminder', 'queued', ['11', '12']],
    ]);
  });
});
