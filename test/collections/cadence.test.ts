import { sql } from 'kysely';
import { addDays, localMoment } from '../../src/collections/calendar';
import { createTestContext, type TestContext } from '../support/context';
import type { AppContext } from '../../src/app-context';

const workListFor = (context: AppContext, ...args: Parameters<AppContext['services']['workList']['forDay']>) => context.services.workList.forDay(...args);
const customerFile = (context: AppContext, realmId: string, customerId: string, day?: string) => context.services.customerFiles.fileOf(realmId, customerId, day);
const accountState = (context: AppContext, realmId: string, customerId: string, day?: string) => context.services.accounts.view(realmId, customerId, day);
import { ENGINES } from '../support/database';
import { ALREADY_COLLECTING, customerRow, invoiceRow } from '../support/rows';

const REALM = '5550001';
const MONDAY = '2026-03-02';

async function seed(test: TestContext): Promise<void> {
  const { db, repos } = test.context;
  await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Cadence Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
  const customer = (id: string, name: string, email: string | null, company: string | null) => customerRow(REALM, id, { display_name: name, company_name: company, email });
  await db.insertInto('qbo_customers').values([customer('1', 'Acme Supply', 'ap@acme.test', 'Acme Supply'), customer('2', 'Dana Reyes', null, null), customer('3', 'Birch Design', 'pay@birch.test', 'Birch Design')]).execute();
  const invoice = (id: string, customerId: string, txnDate: string, dueDate: string, dollars: number) => invoiceRow(REALM, id, customerId, dueDate, dollars * 100, { txn_date: txnDate });
  await db
    .insertInto('qbo_invoices')
    .values([
      invoice('11', '1', '2026-01-20', '2026-02-19', 4000), // 11 days overdue: level 1
      invoice('12', '1', '2026-01-25', '2026-02-25', 1200), // 5 days overdue: level 1, same email
      invoice('21', '2', '2026-01-10', '2026-02-09', 300), // 21 days overdue at first sight: level 2; no email: find-an-email task
      invoice('31', '3', '2026-02-27', '2026-03-29', 800), // fresh: verification letter
      invoice('32', '3', '2025-11-01', '2025-12-01', 0), // paid long ago: nothing
    ])
    .execute();
}

describe.each(ENGINES)('the cadence on %s', (engine) => {
  let test: TestContext;
  beforeAll(async () => {
    test = await createTestContext({ engine });
    await seed(test);
  });
  afterAll(() => test.destroy());

  const counts = async () => {
    const row = await sql<{ states: number; messages: number; tasks: number; activities: number; histories: number }>`
      select (select count(*) from invoice_states)::int as states, (select count(*) from messages)::int as messages,
             (select count(*) from call_tasks)::int as tasks, (select count(*) from activities)::int as activities,
             (select count(*) from customer_histories)::int as histories`.execute(test.context.db);
    return row.rows[0]!;
  };

  it('records the day\'s actions: one email per customer, tasks, a verification letter, the history', async () => {
    const summary = await test.context.services.cadence.runDay(REALM, MONDAY);
    expect(summary.day).toBe(MONDAY);
    // Customer 2 gets one task carrying both reasons (its level call and finding an email address).
    expect(summary.applied).toMatchObject({ first_seen: 4, level_change: 3, send_message: 2, open_task: 2, add_reason: 1 });
    // A new invoice moved on from level 0 is written once at its level; its customer's activity for that level lists it.
    const levelled = await test.context.db.selectFrom('invoice_states').select(['invoice_id', 'level', 'level_entered_on', 'level1_on', 'level2_on', 'first_seen_on']).where('level', '>', 0).orderBy('invoice_id').execute();
    expect(levelled).toHaveLength(3);
    for (const state of levelled) {
      expect(state).toMatchObject({ level_entered_on: MONDAY, first_seen_on: MONDAY, level1_on: state.level === 1 ? MONDAY : null, level2_on: state.level === 2 ? MONDAY : null });
    }
    const customerOf = new Map((await test.context.db.selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', REALM).execute()).map((i) => [i.id, i.customer_id]));
    const expected = new Map<string, { customer_id: string; invoice_ids: string[]; summary: string; details: { from: number; to: number }; key: string; note_status: string }>();
    for (const state of levelled) {
      const customer = customerOf.get(state.invoice_id)!;
      const key = `entered:${customer}:${state.level}:${MONDAY}`;
      const entry = expected.get(key) ?? { customer_id: customer, invoice_ids: [], summary: `entered collection level ${state.level}`, details: { from: 0, to: state.level }, key, note_status: 'pending' };
      entry.invoice_ids.push(state.invoice_id);
      expected.set(key, entry);
    }
    const changes = await test.context.db.selectFrom('activities').select(['customer_id', 'invoice_ids', 'summary', 'details', 'key', 'note_status']).where('kind', '=', 'level_change').orderBy('key').execute();
    expect(changes).toEqual([...expected.values()].sort((a, b) => a.key.localeCompare(b.key)));
    // Customer 1's two invoices entered level 1 together: one activity (one note in QuickBooks), not one per invoice.
    expect(changes.length).toBeLessThan(levelled.length);
    const messages = await test.context.db.selectFrom('messages').select(['kind', 'customer_id', 'to_address', 'invoice_ids', 'total', 'send_at']).orderBy('kind').execute();
    expect(messages).toEqual([
      { kind: 'reminder', customer_id: '1', to_address: 'ap@acme.test', invoice_ids: ['11', '12'], total: '5200.00', send_at: new Date('2026-03-02T13:00:00Z') },
      { kind: 'verification', customer_id: '3', to_address: 'pay@birch.test', invoice_ids: ['31'], total: '800.00', send_at: new Date('2026-03-02T13:00:00Z') },
    ]);
    const tasks = await test.context.db.selectFrom('call_tasks').select(['customer_id', 'reason', 'reasons', 'scheduled_for', 'level']).orderBy('customer_id').orderBy('reason').execute();
    expect(tasks).toEqual([
      { customer_id: '1', reason: 'level', reasons: ['level'], scheduled_for: MONDAY, level: 1 },
      // Due at once: finding an address cannot wait for the personal call window.
      // First seen 21 days overdue: level 2 at once (at most 2), not one level a week from 0.
      { customer_id: '2', reason: 'level', reasons: ['level', 'find_email'], scheduled_for: MONDAY, level: 2 },
    ]);
    const history = await test.context.db.selectFrom('customer_histories').selectAll().where('customer_id', '=', '1').executeTakeFirstOrThrow();
    // The last dunning day is the day a message goes out (the gap counts those), not the day it was queued.
    expect(history).toMatchObject({ last_dunning_on: null, contacted_invoice_ids: ['11', '12'] });
  });

  it('lists the day\'s calls largest first, in the API\'s shape', async () => {
    const monday = await workListFor(test.context, REALM, MONDAY);
    expect(monday.date).toBe(MONDAY);
    // Inside, money is exact cents; the API turns it into currency units (checked below).
    expect(monday.items.map((i) => [i.customer.id, i.overdueBalance, i.level])).toEqual([
      ['1', 520000, 1],
      ['2', 30000, 2],
    ]);
    expect(monday.items[0]).toMatchObject({ customer: { id: '1', name: 'Acme Supply', type: 'commercial' }, oldestDaysOverdue: 11, scheduledFor: MONDAY, flags: expect.arrayContaining(['a_account', 'best_time']) });
    expect(monday.items[1]!.flags).toContain('find_email');
    const thursday = await workListFor(test.context, REALM, '2026-03-05');
    // Thursday is the personal call window: Dana's smaller account comes first that day.
    expect(thursday.items.map((i) => i.customer.id)).toEqual(['2', '1']);
  });

  it('shows the same figures for an account on the work list and in its account state, for any day', async () => {
    const todayByBusinessClock = () => localMoment(test.context.clock.businessNow(), 'America/New_York').date;
    for (const day of [MONDAY, '2026-03-05', '2026-04-20', addDays(todayByBusinessClock(), 30)]) {
      const list = await workListFor(test.context, REALM, day);
      expect(list.items.length).toBeGreaterThan(0);
      for (const item of list.items) {
        const state = await accountState(test.context, REALM, item.customer.id, day);
        expect(state).toMatchObject({ date: day, customer: item.customer, overdueBalance: item.overdueBalance, oldestDaysOverdue: item.oldestDaysOverdue });
        // Days after the business clock's today are projections, labelled as such.
        expect(state.projected).toBe(day > todayByBusinessClock());
      }
    }
  });

  it('says on a day without calls when the next ones are due', async () => {
    const { db } = test.context;
    const before = await workListFor(test.context, REALM, '2026-03-01');
    expect(before).toMatchObject({ total: 0, items: [], nextCalls: { date: MONDAY, count: 2 } });
    const busy = await workListFor(test.context, REALM, MONDAY);
    expect(busy.nextCalls).toBeNull();
    expect(await db.selectFrom('call_tasks').select('id').where('scheduled_for', '>', MONDAY).execute()).toEqual([]);
  });

  it('stores one state per account and day, and computes it again when a fact behind it changes', async () => {
    const { db } = test.context;
    const day = '2026-03-05';
    const states = async () => db.selectFrom('account_states').select(['payer_id', 'overdue_balance', 'level', 'tough', 'a_account', 'version']).where('realm_id', '=', REALM).where('day', '=', day).orderBy('version').execute();
    await workListFor(test.context, REALM, day);
    const before = await states();
    expect(before.filter((s) => s.payer_id === '1')).toEqual([expect.objectContaining({ overdue_balance: '5200.00', level: 1, tough: false, a_account: true })]);
    // Reading again computes nothing new.
    await workListFor(test.context, REALM, day);
    expect(await states()).toEqual(before);
    // A broken promise (a collections fact, not a QuickBooks one) makes the account tough at once.
    await db.insertInto('promises').values({ realm_id: REALM, customer_id: '1', invoice_ids: JSON.stringify(['11']), amount: 100, due_on: '2026-03-03', made_on: '2026-03-02', status: 'broken' } as never).execute();
    const item = (await workListFor(test.context, REALM, day)).items.find((i) => i.customer.id === '1')!;
    expect(item.flags).toContain('tough');
    expect(await accountState(test.context, REALM, '1', day)).toMatchObject({ tough: true, overdueBalance: item.overdueBalance });
    await db.deleteFrom('promises').where('realm_id', '=', REALM).execute();
    expect((await workListFor(test.context, REALM, day)).items.find((i) => i.customer.id === '1')!.flags).not.toContain('tough');
  });

  it('filters the list, counts its calls and its money, and sees a payment at once', async () => {
    const thursday = '2026-03-05';
    const all = await workListFor(test.context, REALM, thursday);
    expect(all).toMatchObject({ total: 2, totalOverdue: 550000 }); // one task per account
    expect((await workListFor(test.context, REALM, thursday, {}, { type: 'personal' })).items.map((i) => i.customer.id)).toEqual(['2']);
    expect((await workListFor(test.context, REALM, thursday, {}, { type: 'commercial' })).items.map((i) => i.customer.id)).toEqual(['1']);
    expect((await workListFor(test.context, REALM, thursday, {}, { flag: 'find_email' })).items.map((i) => i.customer.id)).toEqual(['2']);
    expect((await workListFor(test.context, REALM, thursday, {}, { level: 1 })).total).toBe(1);
    expect((await workListFor(test.context, REALM, thursday, {}, { level: 2 })).total).toBe(1);
    const second = await workListFor(test.context, REALM, thursday, { limit: 1, offset: 1 });
    expect(second).toMatchObject({ total: 2, totalOverdue: 550000 });
    expect(second.items).toHaveLength(1);
    // A payment synced into the copy changes the list on the next look (the snapshot is versioned).
    await test.context.db.updateTable('qbo_invoices').set({ balance: 3000 }).where('realm_id', '=', REALM).where('id', '=', '11').execute();
    expect((await workListFor(test.context, REALM, thursday)).items.find((i) => i.customer.id === '1')).toMatchObject({ overdueBalance: 420000 });
    await test.context.db.updateTable('qbo_invoices').set({ balance: 4000 }).where('realm_id', '=', REALM).where('id', '=', '11').execute();
    // Paid in full after the morning run: the account leaves the list at once, before any run.
    await test.context.db.updateTable('qbo_invoices').set({ balance: 0 }).where('realm_id', '=', REALM).where('customer_id', '=', '1').execute();
    const paid = await workListFor(test.context, REALM, thursday);
    expect(paid.items.map((i) => i.customer.id)).toEqual(['2']);
    expect(paid).toMatchObject({ total: 1, totalOverdue: 30000 });
    await test.context.db.updateTable('qbo_invoices').set({ balance: 4000 }).where('realm_id', '=', REALM).where('id', '=', '11').execute();
    await test.context.db.updateTable('qbo_invoices').set({ balance: 1200 }).where('realm_id', '=', REALM).where('id', '=', '12').execute();
  });

  it('rolls a sub-customer\'s overdue money up to the top-level parent, however deep', async () => {
    const { db } = test.context;
    const base = await db.selectFrom('qbo_customers').selectAll().where('realm_id', '=', REALM).where('id', '=', '3').executeTakeFirstOrThrow();
    await db.insertInto('qbo_customers').values([
      { ...base, id: '3-job', display_name: 'Birch Design:Kitchen', parent_id: '3', raw: '{}' } as never,
      { ...base, id: '3-job-phase', display_name: 'Birch Design:Kitchen:Phase 2', parent_id: '3-job', raw: '{}' } as never,
    ]).execute();
    await db.insertInto('qbo_invoices').values({ realm_id: REALM, id: '33', sync_token: '0', qbo_updated_at: new Date(), customer_id: '3-job-phase', doc_number: '1033', txn_date: '2026-01-01', due_date: '2026-01-31', total: 700, balance: 700, bill_email: null, sales_term_id: null, currency: 'USD', email_status: null, raw: '{}' }).execute();
    const task = await db.insertInto('call_tasks').values({ realm_id: REALM, customer_id: '3', level: 1, reason: 'level', scheduled_for: MONDAY, created_on: MONDAY, key: 'test:birch' }).returning('id').executeTakeFirstOrThrow();
    const list = await workListFor(test.context, REALM, MONDAY);
    expect(list.items.find((i) => i.taskId === task.id)).toMatchObject({ customer: { id: '3' }, overdueBalance: 70000, oldestDaysOverdue: 30 });
    // The call sheet reads the same account: the grandchild's invoice is the parent's to collect.
    const file = await customerFile(test.context, REALM, '3', MONDAY);
    expect(file.overdueBalance).toBe(70000);
    expect(file.overdue.map((i) => i.id)).toEqual(['33']);
    await db.deleteFrom('call_tasks').where('id', '=', task.id).execute();
    await db.deleteFrom('qbo_invoices').where('realm_id', '=', REALM).where('id', '=', '33').execute();
    await db.deleteFrom('qbo_customers').where('realm_id', '=', REALM).where('id', 'in', ['3-job', '3-job-phase']).execute();
  });

  it('changes nothing when the same day runs again', async () => {
    const before = await counts();
    const again = await test.context.services.cadence.runDay(REALM, MONDAY);
    expect(again.applied).toEqual({});
    expect(await counts()).toEqual(before);
  });

  it('thanks the customer and cancels pending actions once an invoice is paid', async () => {
    // The reminder went out (the customer was asked), then a Payment brought invoice 12 to 0.
    await test.context.db.updateTable('messages').set({ status: 'sent', sent_at: new Date('2026-03-02T14:00:00Z') }).where('kind', '=', 'reminder').execute();
    await test.context.db.insertInto('qbo_payments').values({ realm_id: REALM, id: 'pay-12', sync_token: '0', qbo_updated_at: new Date(), customer_id: '1', txn_date: '2026-03-03', total: 1200, unapplied: 0, applied_to: JSON.stringify([{ type: 'Invoice', id: '12', amount: 1200 }]) }).execute();
    await test.context.db.updateTable('qbo_invoices').set({ balance: 0 }).where('id', '=', '12').execute();
    const next = await test.context.services.cadence.runDay(REALM, '2026-03-03');
    expect(next.applied).toMatchObject({ cancel_pending: 1, send_message: 1 });
    const thanks = await test.context.db.selectFrom('messages').select(['kind', 'invoice_ids']).where('kind', '=', 'thank_you').execute();
    expect(thanks).toEqual([{ kind: 'thank_you', invoice_ids: ['12'] }]);
    expect(await test.context.db.selectFrom('invoice_states').select('invoice_id').where('invoice_id', '=', '12').executeTakeFirst()).toBeUndefined();
    expect((await test.context.services.cadence.runDay(REALM, '2026-03-03')).applied).toEqual({});
  });
});

describe('the cadence and work list over the API', () => {
  const TOKEN = 'operator-token-for-cadence-tests-0123456789';
  let test: TestContext;
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    test = await createTestContext({ env: { API_TOKEN: TOKEN } });
    await seed(test);
    const { startWeb } = await import('../../src/main/web');
    const web = await startWeb(test.context, 0);
    url = web.url;
    stop = web.stop;
  });
  afterAll(async () => {
    await stop();
    await test.destroy();
  });

  const call = (method: string, path: string) => fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } });

  it('runs the cadence for a date and serves the work list in the documented shape', async () => {
    const run = await call('POST', `/api/realms/${REALM}/cadence/run?date=${MONDAY}`);
    expect(run.status).toBe(200);
    expect(((await run.json()) as { day: string }).day).toBe(MONDAY);
    const list = await call('GET', `/api/realms/${REALM}/worklist?date=${MONDAY}`);
    const body = (await list.json()) as { date: string; items: Array<Record<string, unknown>> };
    expect(body.date).toBe(MONDAY);
    expect(Object.keys(body.items[0]!).sort()).toEqual(['bestDay', 'customer', 'flags', 'group', 'level', 'oldestDaysOverdue', 'overdueBalance', 'scheduledFor', 'taskId']);
    // Money leaves the API as currency units, converted once from exact cents.
    expect(body.items.map((i) => i.overdueBalance)).toEqual([5200, 300]);
    const account = await call('GET', `/api/realms/${REALM}/accounts/1?date=${MONDAY}`);
    expect(await account.json()).toMatchObject({ overdueBalance: 5200, aAccount: true, openInvoices: expect.arrayContaining([expect.objectContaining({ balance: expect.any(Number) })]) });
  });

  it('answers a bad date with 400 naming the field, and an unknown company with 404', async () => {
    const bad = await call('GET', `/api/realms/${REALM}/worklist?date=2026-02-30`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^date: /);
    expect((await call('POST', `/api/realms/${REALM}/cadence/run?date=yesterday`)).status).toBe(400);
    expect((await call('GET', '/api/realms/999/worklist')).status).toBe(404);
    expect(await test.context.db.selectFrom('messages').select('id').execute()).toHaveLength(2);
  });
});
