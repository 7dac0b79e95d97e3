import { startWeb, type RunningWeb } from '../../src/main/web';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '5550002';
const MONDAY = '2026-03-02';
const TOKEN = 'operator-token-for-outcome-tests-0123456789';

describe('recording call outcomes', () => {
  let test: TestContext;
  let web: RunningWeb;

  beforeAll(async () => {
    // The business clock stands on Monday 2026-03-02, 10:00 in New York.
    test = await createTestContext({ env: { API_TOKEN: TOKEN, ARDESK_NOW: '2026-03-02T15:00:00Z' } });
    const { db, repos } = test.context;
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Outcome Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    const customer = (id: string, name: string, company: string | null) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), display_name: name, company_name: company, given_name: null, family_name: null, email: `ap${id}@example.test`, phone: null, mobile: null, notes: null, balance: 0, active: true, parent_id: null, sales_term_id: null, currency: 'USD', raw: '{}' });
    await db.insertInto('qbo_customers').values(['1', '2', '3', '4', '5', '6'].map((id) => customer(id, `Customer ${id}`, `Customer ${id} LLC`))).execute();
    const invoice = (id: string, customerId: string) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), customer_id: customerId, doc_number: `20${id}`, txn_date: '2026-01-20', due_date: '2026-02-20', total: 900, balance: 900, bill_email: null, sales_term_id: null, currency: 'USD', email_status: null, raw: '{}' });
    await db.insertInto('qbo_invoices').values(['1', '2', '3', '4', '5', '6'].map((id) => invoice(`9${id}`, id))).execute();
    await test.context.services.cadence.runDay(REALM, MONDAY);
    web = await startWeb(test.context, 0);
  });
  afterAll(async () => {
    await web.stop();
    await test.destroy();
  });

  const taskOf = async (customerId: string) => (await test.context.db.selectFrom('call_tasks').selectAll().where('customer_id', '=', customerId).where('reason', '=', 'level').executeTakeFirstOrThrow());
  const post = (taskId: string, body: unknown) =>
    fetch(`${web.url}/api/realms/${REALM}/tasks/${taskId}/outcome`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('records a promise, queues its confirmation the same day, pauses dunning and closes the task', async () => {
    const task = await taskOf('1');
    const answer = await post(task.id, { outcome: 'promised', promise: { amount: 900, dueOn: '2026-03-09' } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ taskStatus: 'done', messageQueued: true, promiseIds: [expect.any(String)] });
    const promise = await test.context.db.selectFrom('promises').selectAll().where('customer_id', '=', '1').executeTakeFirstOrThrow();
    expect(promise).toMatchObject({ amount: '900.00', due_on: '2026-03-09', made_on: MONDAY, invoice_ids: ['91'], status: 'open' });
    const confirmation = await test.context.db.selectFrom('messages').selectAll().where('kind', '=', 'promise_confirmation').executeTakeFirstOrThrow();
    expect(confirmation).toMatchObject({ customer_id: '1', to_address: 'ap1@example.test', invoice_ids: ['91'] });
    expect((await taskOf('1')).status).toBe('done');
    expect((await test.context.db.selectFrom('customer_histories').select('last_reached_on').where('customer_id', '=', '1').executeTakeFirstOrThrow()).last_reached_on).toBe(MONDAY);
    const call = await test.context.db.selectFrom('activities').selectAll().where('kind', '=', 'call').where('customer_id', '=', '1').executeTakeFirstOrThrow();
    expect(call.summary).toBe('called: reached, promised to pay');
    // Recorded once: the finished task answers 409 with what was recorded.
    const again = await post(task.id, { outcome: 'no_answer' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'outcome_conflict', details: { taskStatus: 'done', lastOutcome: { id: call.id, summary: 'called: reached, promised to pay', on: MONDAY, correctable: true } } } });
  });

  it('records a payment plan as installments, each a promise', async () => {
    const task = await taskOf('2');
    const answer = await post(task.id, { outcome: 'cannot_pay', plan: { installments: [{ dueOn: '2026-03-16', amount: 450 }, { dueOn: '2026-03-30', amount: 450 }] } });
    expect(answer.status).toBe(200);
    const promises = await test.context.db.selectFrom('promises').select(['amount', 'due_on', 'plan_id']).where('customer_id', '=', '2').orderBy('due_on').execute();
    expect(promises.map((p) => [p.amount, p.due_on])).toEqual([['450.00', '2026-03-16'], ['450.00', '2026-03-30']]);
    expect(new Set(promises.map((p) => p.plan_id)).size).toBe(1);
    expect(await test.context.db.selectFrom('messages').select('kind').where('kind', '=', 'plan_confirmation').execute()).toHaveLength(1);
  });

  it('records a dispute with its category, which pauses the invoices', async () => {
    const task = await taskOf('3');
    expect((await post(task.id, { outcome: 'disputes', dispute: { category: 'pricing', text: 'Quoted 800, billed 900' } })).status).toBe(200);
    expect(await test.context.db.selectFrom('disputes').select(['category', 'invoice_ids', 'status']).where('customer_id', '=', '3').execute()).toEqual([{ category: 'pricing', invoice_ids: ['93'], status: 'open' }]);
  });

  it('keeps the task open with the right contact after reaching the wrong person', async () => {
    const task = await taskOf('4');
    expect((await post(task.id, { outcome: 'wrong_person', contact: { name: 'Pat Kim', role: 'Controller', phone: '(555) 010-2000' } })).status).toBe(200);
    expect((await taskOf('4')).status).toBe('open');
    expect(await test.context.db.selectFrom('contacts').select(['name', 'approves_payment']).where('customer_id', '=', '4').execute()).toEqual([{ name: 'Pat Kim', approves_payment: true }]);
  });

  it('reschedules after no answer to the next call window, and a call back to its date', async () => {
    const five = await taskOf('5');
    expect(await (await post(five.id, { outcome: 'voicemail' })).json()).toMatchObject({ taskStatus: 'open', scheduledFor: '2026-03-09' });
    const six = await taskOf('6');
    expect(await (await post(six.id, { outcome: 'call_back', callBackOn: '2026-03-04' })).json()).toMatchObject({ taskStatus: 'open', scheduledFor: '2026-03-04' });
    expect((await test.context.db.selectFrom('call_tasks').select('reason').where('id', '=', six.id).executeTakeFirstOrThrow()).reason).toBe('call_back');
  });

  it('reports results, difficult customers and the systems log from what was recorded', async () => {
    const get = async (path: string) => (await fetch(`${web.url}/api/realms/${REALM}/${path}`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } })).json() as Promise<Record<string, unknown>>;
    const figures = await get('results');
    // Six calls: three reached someone (asks), three did not (wrong person, voicemail, call back: attempts).
    expect(figures).toMatchObject({ to: MONDAY, asks: { calls: 3 }, attempts: 3, promises: 2, aging: { '1-30': 5400 } });
    expect(figures.promiseRate).toBe(0.667); // a promise and a plan from 3 calls that reached someone (the third, a dispute)
    expect(await get('systems-log')).toEqual({ entries: [{ month: '2026-03', category: 'pricing', count: 1 }] });
    const difficult = (await get('difficult-customers')) as { month: string; customers: Array<{ customerId: string }> };
    expect(difficult.month).toBe('2026-03');
    // March's list stands on the facts of the 1st; today's dispute makes customer 3 one of April's.
    expect(difficult.customers).toEqual([]);
    expect((await test.context.services.reports.difficultCustomers(REALM, '2026-04-06')).customers.map((c) => c.customerId)).toEqual(['3']);
    const bad = await fetch(`${web.url}/api/realms/${REALM}/results?from=2026-03-10&to=2026-03-01`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
  });

  it('reads and edits the playbook settings, refusing bad values with the field named', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const read = (await (await fetch(`${web.url}/api/realms/${REALM}/settings`, { headers })).json()) as { levelDays: number[]; timezone: string };
    expect(read).toMatchObject({ levelDays: [3, 13, 23, 45], timezone: 'America/New_York' });
    const put = (body: unknown) => fetch(`${web.url}/api/realms/${REALM}/settings`, { method: 'PUT', headers, body: JSON.stringify(body) });
    const saved = await put({ levelDays: [5, 15, 30, 60], timezone: 'America/Chicago' });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ levelDays: [5, 15, 30, 60], timezone: 'America/Chicago', dunningGapDays: 3 });
    // One field changes one field.
    expect(await (await put({ dunningGapDays: 4 })).json()).toMatchObject({ levelDays: [5, 15, 30, 60], timezone: 'America/Chicago', dunningGapDays: 4 });
    for (const [body, field] of [[{ levelDays: [5, 4, 30, 60] }, 'levelDays'], [{ timezone: 'Mars/Olympus' }, 'timezone'], [{ dunningGapDays: -1 }, 'dunningGapDays'], [{ colour: 'red' }, '']] as const) {
      const answer = await put(body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(field);
    }
    expect(await (await fetch(`${web.url}/api/realms/${REALM}/settings`, { headers })).json()).toMatchObject({ levelDays: [5, 15, 30, 60] });
    await put({ levelDays: [3, 13, 23, 45], timezone: 'America/New_York', dunningGapDays: 3 });
  });

  it('refuses bad input with a 400 naming the field, and changes nothing', async () => {
    const task = await taskOf('5');
    const before = await test.context.db.selectFrom('promises').select('id').execute();
    const cases: Array<[unknown, RegExp]> = [
      [{ outcome: 'promised', promise: { amount: -5, dueOn: '2026-03-09' } }, /promise\.amount/],
      [{ outcome: 'promised', promise: { amount: 100, dueOn: '2026-02-31' } }, /promise\.dueOn/],
      [{ outcome: 'promised', promise: { amount: 100, dueOn: '2026-02-01' } }, /promise\.dueOn: a promise cannot be due in the past/],
      [{ outcome: 'promised', promise: { amount: 100, dueOn: '2026-03-09', invoiceIds: ['91'] } }, /promise\.invoiceIds: invoice\(s\) 91 are not open invoices of this customer/],
      [{ outcome: 'disputes', dispute: { category: 'weather', text: 'x' } }, /dispute\.category/],
      [{ outcome: 'teleported' }, /outcome/],
      [{ outcome: 'no_answer', extra: true }, /extra|Unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const answer = await post(task.id, body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await test.context.db.selectFrom('promises').select('id').execute()).toEqual(before);
    expect((await post('00000000-0000-0000-0000-000000000000', { outcome: 'no_answer' })).status).toBe(404);
    expect((await post('not-a-task', { outcome: 'no_answer' })).status).toBe(404);
  });

  it('reschedules after no answer into the window of the account\'s type as the user set it', async () => {
    // Customer 4 has a company name (commercial: Mondays), but the user says it is personal (Thursday and Friday).
    await test.context.db.insertInto('customer_histories').values({ realm_id: REALM, customer_id: '4', type_override: 'personal' }).onConflict((oc) => oc.columns(['realm_id', 'customer_id']).doUpdateSet({ type_override: 'personal' })).execute();
    const four = await taskOf('4');
    expect(await (await post(four.id, { outcome: 'no_answer' })).json()).toMatchObject({ taskStatus: 'open', scheduledFor: '2026-03-05' });
  });
});
