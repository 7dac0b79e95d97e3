import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { createTestContext, type TestContext } from '../support/context';
import { HttpClient } from '../support/http';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '5550019';
// Monday 2026-04-06, 11:00 in New York: the commercial call window is open today.
const NOW = '2026-04-06T15:00:00Z';
const MARCH = { from: '2026-03-01', to: '2026-03-31' };

/** The results and the difficult customers from what the database holds: asks, periods, the history, the month's fixed list. */
describe('results and difficult customers on the database', () => {
  let test: TestContext;

  beforeAll(async () => {
    test = await createTestContext({ env: { ARDESK_NOW: NOW } });
    const { db, repos } = test.context;
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Results Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
    const customer = (id: string, name: string, parentId: string | null = null) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), display_name: name, company_name: `${name} LLC`, given_name: null, family_name: null, email: `ap${id}@example.test`, phone: null, mobile: null, notes: null, balance: 0, active: true, parent_id: parentId, sales_term_id: null, currency: 'USD', raw: '{}' });
    await db.insertInto('qbo_customers').values([customer('1', 'Acme'), customer('2', 'Birch'), customer('3', 'Cedar'), customer('4', 'Dune'), customer('5', 'Dune: east site', '4')]).execute();
    const invoice = (id: string, customerId: string, txnDate: string, dueDate: string, total: number, balance: number) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), customer_id: customerId, doc_number: `50${id}`, txn_date: txnDate, due_date: dueDate, total, balance, bill_email: null, sales_term_id: null, currency: 'USD', email_status: null, raw: '{}' });
    await db.insertInto('qbo_invoices').values([
      invoice('11', '1', '2026-01-02', '2026-02-01', 1000, 0), // paid 600 on 03-10, credited 400 on 03-20
      invoice('12', '1', '2026-03-01', '2026-03-31', 200, 0), // paid on 03-25 after a verification letter only
      invoice('21', '2', '2026-01-10', '2026-01-20', 500, 300), // 200 paid on 04-03, after March
      invoice('31', '3', '2026-02-01', '2026-03-01', 800, 800),
      invoice('41', '5', '2026-01-05', '2026-01-15', 300, 300),
    ]).execute();
    const payment = (id: string, customerId: string, txnDate: string, total: number, lines: Array<{ id: string; type: string; amount: number }>) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date(), customer_id: customerId, txn_date: txnDate, total, unapplied: 0, applied_to: JSON.stringify(lines) });
    await db.insertInto('qbo_payments').values([
      payment('P1', '1', '2026-03-10', 600, [{ id: '11', type: 'Invoice', amount: 600 }]),
      payment('P2', '1', '2026-03-20', 0, [{ id: '11', type: 'Invoice', amount: 400 }, { id: 'CM1', type: 'CreditMemo', amount: 400 }]),
      payment('P3', '1', '2026-03-25', 200, [{ id: '12', type: 'Invoice', amount: 200 }]),
      payment('P4', '2', '2026-04-03', 200, [{ id: '21', type: 'Invoice', amount: 200 }]),
    ]).execute();
    const call = (customerId: string, on: string, outcome: string, reached: boolean, invoiceIds: string[]) => ({ realm_id: REALM, customer_id: customerId, invoice_ids: JSON.stringify(invoiceIds), kind: 'call', summary: `called: ${outcome}`, details: JSON.stringify({ outcome, reached, asked: true }), occurred_on: on, key: `call:${customerId}:${on}` });
    await db.insertInto('activities').values([
      call('1', '2026-03-05', 'promised', true, ['11']),
      call('2', '2026-03-06', 'no_answer', false, ['21']),
      call('3', '2026-03-31', 'will_not_pay', true, ['31']),
      call('2', '2026-04-02', 'promised', true, ['21']),
    ]).execute();
    const message = (key: string, customerId: string, kind: string, status: 'sent' | 'queued', sentAt: string, invoiceIds: string[]) => ({ realm_id: REALM, customer_id: customerId, kind, to_address: `ap${customerId}@example.test`, invoice_ids: JSON.stringify(invoiceIds), total: 0, send_at: new Date(sentAt), status, key, sent_at: status === 'sent' ? new Date(sentAt) : null, listed_invoice_ids: JSON.stringify(invoiceIds) });
    await db.insertInto('messages').values([
      message('m1', '2', 'reminder', 'sent', '2026-03-02T14:00:00Z', ['21']),
      message('m2', '1', 'verification', 'sent', '2026-03-01T14:00:00Z', ['11', '12']),
      message('m3', '3', 'second_notice', 'sent', '2026-04-01T03:30:00Z', ['31']), // 23:30 on 03-31 in New York
      message('m4', '3', 'reminder', 'sent', '2026-04-01T05:00:00Z', ['31']), // 01:00 on 04-01 in New York
      message('m5', '3', 'reminder', 'queued', '2026-03-20T14:00:00Z', ['31']),
    ]).execute();
    const promise = (customerId: string, madeOn: string, dueOn: string, amount: number, status: 'kept' | 'broken', settledOn: string) => ({ realm_id: REALM, customer_id: customerId, invoice_ids: JSON.stringify([]), amount, due_on: dueOn, made_on: madeOn, status, settled_on: settledOn });
    await db.insertInto('promises').values([promise('1', '2026-03-05', '2026-03-12', 600, 'kept', '2026-03-10'), promise('2', '2026-02-10', '2026-02-20', 500, 'broken', '2026-02-23')]).execute();
    await db.insertInto('disputes').values({ realm_id: REALM, customer_id: '5', invoice_ids: JSON.stringify(['41']), category: 'quality', text: 'Two crates arrived broken', opened_on: '2026-03-15' }).execute();
    // Cedar asked not to be contacted: it stays on the month's list, but gets no call task.
    await db.insertInto('do_not_contact').values([{ realm_id: REALM, customer_id: '3', source: 'customer_reply', reason: 'Stop calling us', marked_on: '2026-04-02' }]).execute();
    // Birch already has a level call on Wednesday.
    await db.insertInto('call_tasks').values({ realm_id: REALM, customer_id: '2', level: 1, reason: 'level', reasons: JSON.stringify(['level']) as never, scheduled_for: '2026-04-08', created_on: '2026-04-01', key: 'level:2:1' }).execute();
  });
  afterAll(() => test.destroy());

  it('counts asks in the period: calls that reached someone and dunning messages sent, by the company\'s date', async () => {
    const figures = await test.context.services.reports.results(REALM, MARCH);
    expect(figures).toMatchObject({ from: MARCH.from, to: MARCH.to, asks: { calls: 2, emails: 2, total: 4 }, attempts: 1, promises: 1, promiseRate: 0.5, keptRate: 1 });
  });

  it('counts money collected after an ask only: not after a verification letter, not a credit memo', async () => {
    expect((await test.context.services.reports.results(REALM, MARCH)).collectedAfterContact).toBe(60_000);
  });

  it('ages a past period as of its end from the history, and today from today\'s balances', async () => {
    const march = await test.context.services.reports.results(REALM, MARCH);
    expect(march.agingAsOf).toBe('2026-03-31');
    expect(march.aging).toEqual({ current: 0, '1-30': 80_000, '31-60': 0, '61-90': 80_000, '90+': 0 });
    const today = await test.context.services.reports.results(REALM, {});
    expect(today).toMatchObject({ from: '2026-03-08', to: '2026-04-06', agingAsOf: '2026-04-06' });
    expect(today.aging).toEqual({ current: 0, '1-30': 0, '31-60': 80_000, '61-90': 60_000, '90+': 0 });
    // The period's end bounds every count: April's call to Birch and the reminder of 04-01 are April's.
    expect(await test.context.services.reports.results(REALM, { from: '2026-04-01', to: '2026-04-06' })).toMatchObject({ asks: { calls: 1, emails: 1 } });
  });

  it('fixes the month\'s difficult customers on the first view, per paying account, and puts each on the next call day', async () => {
    const { reports } = test.context.services;
    const april = await reports.difficultCustomers(REALM);
    expect(april).toMatchObject({ month: '2026-04', asOf: '2026-04-01', fixedOn: '2026-04-06' });
    // Birch: a broken promise (2) and an invoice over 60 days; Dune (its site's dispute and invoice); Cedar said it will not pay.
    expect(april.customers.map((c) => [c.customerId, c.score])).toEqual([['2', 3], ['4', 2], ['3', 1]]);
    const plan = (id: string) => april.customers.find((c) => c.customerId === id)!.attackPlan;
    expect(plan('2')).toContain('1 broken promise, the last $500.00 due 2026-02-20: ask for a smaller amount now ($250.00)');
    expect(plan('4')).toContain('Dispute open since 2026-03-15 (quality, invoice 5041): resolve the dispute first');
    expect(plan('3')).toContain('Said they will not pay on 2026-03-31: send the demand letter now');
    // Birch owed 500.00 on the 1st (the 200.00 of 04-03 came later).
    expect(april.customers[0]).toMatchObject({ balance: 50_000, overdueBalance: 50_000 });

    const tasks = await test.context.db.selectFrom('call_tasks').select(['customer_id', 'reasons', 'scheduled_for']).where('realm_id', '=', REALM).where('status', '=', 'open').orderBy('customer_id').execute();
    // Cedar is marked do not contact: on the list, but no task.
    expect(tasks).toEqual([
      { customer_id: '2', reasons: ['level', 'difficult_customer'], scheduled_for: '2026-04-06' },
      { customer_id: '4', reasons: ['difficult_customer'], scheduled_for: '2026-04-06' },
    ]);
    const list = await test.context.services.workList.forDay(REALM, '2026-04-06');
    expect(list.items.map((i) => i.customer.id).sort()).toEqual(['2', '4']);
  });

  it('keeps the month\'s list as fixed: later facts wait for next month', async () => {
    const { db, services } = test.context;
    const before = await services.reports.difficultCustomers(REALM);
    await db.insertInto('promises').values({ realm_id: REALM, customer_id: '1', invoice_ids: JSON.stringify([]), amount: 100, due_on: '2026-04-03', made_on: '2026-04-02', status: 'broken', settled_on: '2026-04-05' }).execute();
    // Facts dated before the 1st but recorded since (a cheque entered late, a dispute logged late) do not reshuffle the month.
    await db.insertInto('qbo_payments').values({ realm_id: REALM, id: 'P5', sync_token: '0', qbo_updated_at: new Date(), customer_id: '4', txn_date: '2026-03-28', total: 300, unapplied: 0, applied_to: JSON.stringify([{ id: '41', type: 'Invoice', amount: 300 }]) }).execute();
    await db.insertInto('disputes').values({ realm_id: REALM, customer_id: '1', invoice_ids: JSON.stringify(['11']), category: 'pricing', text: 'Logged late', opened_on: '2026-03-30' }).execute();
    expect(await services.reports.difficultCustomers(REALM)).toEqual(before);
    expect(await db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('status', '=', 'open').execute()).toHaveLength(2);
    const may = await services.reports.difficultCustomers(REALM, '2026-05-04');
    expect(may).toMatchObject({ month: '2026-05', asOf: '2026-05-01' });
    expect(may.customers.map((c) => c.customerId)).toContain('1');
  });
});

/** The Results page: the period it shows, and a From after To refused next to the field. */
describe('the results page', () => {
  let app: ConnectedApp;
  let owner: HttpClient;
  const PAGE_REALM = '5550020';

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: PAGE_REALM, name: 'Page Co', customers: 4, invoices: 10 }], env: { ARDESK_NOW: '2026-11-23T15:00:00Z' } });
    owner = new HttpClient(app.web.url);
    await connect(app, owner, PAGE_REALM);
  });
  afterAll(() => app.stop());

  it('shows the figures with their period', async () => {
    const page = await owner.get(`/companies/${PAGE_REALM}/results?from=2026-10-01&to=2026-10-31`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Results, 2026-10-01 to 2026-10-31');
    expect(html).toContain('open on <time datetime="2026-10-31">Oct 31, 2026</time>');
    expect(html).toContain('calls that reached someone');
  });

  it('counts promises kept on their date and kept within the grace days apart, on the page and in the API', async () => {
    const { db } = app.test.context;
    // Promises of November, each covering one invoice of 100.00; the payments dated as the customers paid.
    const promise = (invoiceId: string, madeOn: string, dueOn: string, settledOn: string, status: 'kept' | 'broken') =>
      ({ realm_id: PAGE_REALM, customer_id: '1', invoice_ids: JSON.stringify([invoiceId]), amount: 100, due_on: dueOn, made_on: madeOn, status, settled_on: settledOn });
    const payment = (id: string, invoiceId: string, txnDate: string) =>
      ({ realm_id: PAGE_REALM, id, sync_token: '0', qbo_updated_at: new Date(), customer_id: '1', txn_date: txnDate, total: 100, unapplied: 0, applied_to: JSON.stringify([{ id: invoiceId, type: 'Invoice', amount: 100 }]) });
    await db.insertInto('promises').values([
      promise('K1', '2026-11-02', '2026-11-06', '2026-11-07', 'kept'), // paid on its date (found kept the morning after)
      promise('K2', '2026-11-03', '2026-11-09', '2026-11-11', 'kept'), // paid two days after it, within the grace days
      promise('K3', '2026-11-04', '2026-11-10', '2026-11-13', 'broken'),
    ]).execute();
    await db.insertInto('qbo_payments').values([payment('KEPT1', 'K1', '2026-11-06'), payment('KEPT2', 'K2', '2026-11-11')]).execute();

    const period = 'from=2026-11-01&to=2026-11-20';
    const api = await (await owner.get(`/api/realms/${PAGE_REALM}/results?${period}`, { headers: { accept: 'application/json' } })).json();
    expect(api).toMatchObject({ promises: 3, keptRate: 0.667, keptOnDate: 1, keptWithinGrace: 1, keptOnDateRate: 0.333, keptWithinGraceRate: 0.333, promiseGraceDays: 2 });
    const html = await (await owner.get(`/companies/${PAGE_REALM}/results?${period}`)).text();
    expect(html).toMatch(/Kept on the date<\/span><strong>33\.3%<\/strong><span class="muted">1 promise paid by its date<\/span>/);
    expect(html).toMatch(/Kept within the grace days<\/span><strong>33\.3%<\/strong><span class="muted">1 promise paid in the 2 days after its date<\/span>/);
  });

  it('refuses a From date after To with a plain error next to the field, the form as typed', async () => {
    const page = await owner.get(`/companies/${PAGE_REALM}/results?from=2026-11-30&to=2026-11-01`);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toMatch(/<input type="date" name="from" value="2026-11-30" aria-invalid="true" aria-describedby="from-error"><\/label>\s*<span class="field-error error-box" id="from-error" role="alert">The start date must be on or before the end date<\/span>/);
    expect(html).toContain('value="2026-11-01"');
    expect(html).toContain('<nav');
    expect(html).not.toContain('Money collected');
  });
});
