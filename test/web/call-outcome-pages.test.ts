import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const REALM = '9341603';
// Monday 2026-11-23, 10:00 in New York.
const NOW = '2026-11-23T15:00:00Z';
const TODAY = '2026-11-23';

/** The call sheet's form over plain HTTP: it carries what it was shown, a stale one gets the 409 page, and a find-email task has its own script and outcome. */
describe('the call sheet records an outcome once', () => {
  let app: ConnectedApp;
  let owner: HttpClient;
  let token: string;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Spruce Supply', customers: 20, invoices: 80 }], env: { ARDESK_NOW: NOW } });
    owner = new HttpClient(app.web.url);
    await connect(app, owner, REALM);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    token = csrfTokenIn(await (await owner.get(`/companies/${REALM}/worklist`)).text());
  });
  afterAll(async () => {
    await app.stop();
  });

  const stampOf = (html: string) => /name="lastOutcomeId" value="([^"]+)"/.exec(html)?.[1];

  it('answers a form older than the last outcome with the 409 page: what was recorded, and the correction form', async () => {
    const task = await app.test.context.db.selectFrom('call_tasks').select(['id']).where('realm_id', '=', REALM).where('status', '=', 'open').where('level', '>', 0).executeTakeFirstOrThrow();
    const path = `/companies/${REALM}/tasks/${task.id}`;
    const first = await (await owner.get(path)).text();
    expect(stampOf(first)).toBe('none');

    expect((await owner.postForm(`${path}/outcome`, { _csrf: token, outcome: 'no_answer', lastOutcomeId: 'none' })).status).toBe(303);
    const shown = await (await owner.get(path)).text();
    expect(shown).toContain('Last outcome: <span class="recorded-outcome">called: no answer</span>');
    const outcomeId = stampOf(shown);
    expect(outcomeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(shown).toContain(`href="${path}?correct=1"`);

    // The same form sent again, as the Back button would: refused, and nothing recorded.
    const stale = await owner.postForm(`${path}/outcome`, { _csrf: token, outcome: 'promised', promiseAmount: '5000', promiseDueOn: '2026-11-30', lastOutcomeId: 'none' });
    expect(stale.status).toBe(409);
    const page = await stale.text();
    expect(page).toContain('Not saved: this call was recorded after the page was opened.');
    expect(page).toContain('Recorded: <span class="recorded-outcome">called: no answer</span> on <time datetime="2026-11-23">');
    expect(page).toContain('Correct the last outcome');
    expect(page).toContain(`name="corrects" value="${outcomeId}"`);
    expect(page).toContain('value="5000"');
    expect(await app.test.context.db.selectFrom('promises').select('id').where('realm_id', '=', REALM).execute()).toEqual([]);

    // The correction page on its own, from the link.
    const correcting = await (await owner.get(`${path}?correct=1`)).text();
    expect(correcting).toContain('Save the correction');
    expect(correcting).toContain(`name="corrects" value="${outcomeId}"`);
    const saved = await owner.postForm(`${path}/outcome`, { _csrf: token, outcome: 'voicemail', corrects: outcomeId! });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toContain(path);
    expect(await (await owner.get(path)).text()).toContain('Last outcome: <span class="recorded-outcome">correction: called: left a voicemail');
  });

  it('gives a find-email task its own script and an Email found outcome that saves the address', async () => {
    const { db, repos } = app.test.context;
    const busy = (await db.selectFrom('call_tasks').select('customer_id').where('realm_id', '=', REALM).where('status', '=', 'open').execute()).map((t) => t.customer_id);
    const customer = await db.selectFrom('qbo_customers').select(['id', 'display_name']).where('realm_id', '=', REALM).where('parent_id', 'is', null).where('id', 'not in', busy.length ? busy : ['-']).executeTakeFirstOrThrow();
    expect(await repos.callTasks.wantReason(REALM, { customerId: customer.id, reason: 'find_email', level: 0, scheduledFor: TODAY, createdOn: TODAY, key: `test:find-email:${customer.id}` })).toBe('opened');
    const task = await db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('customer_id', '=', customer.id).where('status', '=', 'open').executeTakeFirstOrThrow();
    const path = `/companies/${REALM}/tasks/${task.id}`;
    const sheet = await (await owner.get(path)).text();
    expect(sheet).toContain('Script: Find an email:');
    expect(sheet).toContain('Who handles your payables?');
    expect(sheet).not.toContain('When can we expect payment');
    expect(sheet).toContain('value="email_found"');

    const saved = await owner.postForm(`${path}/outcome`, { _csrf: token, outcome: 'email_found', foundEmail: 'ap@spruce-found.test', foundName: 'Dana', lastOutcomeId: 'none' });
    expect(saved.status).toBe(303);
    expect(await db.selectFrom('call_tasks').select(['status', 'outcome']).where('id', '=', task.id).executeTakeFirstOrThrow()).toEqual({ status: 'done', outcome: 'email_found' });
    expect((await db.selectFrom('qbo_customers').select('email').where('realm_id', '=', REALM).where('id', '=', customer.id).executeTakeFirstOrThrow()).email).toBe('ap@spruce-found.test');
    const closed = await (await owner.get(path)).text();
    expect(closed).toContain('This call is done');
    expect(closed).toContain('email found: ap@spruce-found.test');
  });
});
