import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { pdfText } from '../support/pdf';
import { playbookSettingsSchema } from '../../src/collections/settings';
import { settingsFromForm } from '../../src/web/routes/report-pages';

const REALM = '9341601';
const OTHER = '9341602';
const NOW = '2026-11-23T15:00:00Z';

/** The collector's forms over plain HTTP: CSRF on each, bad input refused with the field named and nothing changed, realms kept apart. */
describe('the collector pages and their forms', () => {
  let app: ConnectedApp;
  let owner: HttpClient;
  let stranger: HttpClient;
  let token: string;
  let taskId: string;
  let customerId: string;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Pine Supply', customers: 15, invoices: 70 }, { realmId: OTHER, name: 'Other Co', customers: 5, invoices: 10 }], env: { ARDESK_NOW: NOW } });
    owner = new HttpClient(app.web.url);
    stranger = new HttpClient(app.web.url);
    await connect(app, owner, REALM);
    await connect(app, stranger, OTHER);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    const task = await app.test.context.db.selectFrom('call_tasks').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('status', '=', 'open').executeTakeFirstOrThrow();
    taskId = task.id;
    customerId = task.customer_id;
    token = csrfTokenIn(await (await owner.get(`/companies/${REALM}/tasks/${taskId}`)).text());
  });
  afterAll(async () => {
    await app.stop();
  });

  const forms = () => [
    [`/companies/${REALM}/tasks/${taskId}/outcome`, { outcome: 'no_answer' }],
    [`/companies/${REALM}/customers/${customerId}/pause`, { until: '2026-12-01' }],
    [`/companies/${REALM}/customers/${customerId}/type`, { type: 'personal' }],
    [`/companies/${REALM}/settings`, { timezone: 'America/Chicago' }],
  ] as const;

  it('refuses every form without the CSRF token, or with another session\'s, and changes nothing', async () => {
    const strangerToken = csrfTokenIn(await (await stranger.get(`/companies/${OTHER}`)).text());
    for (const [path, fields] of forms()) {
      expect((await owner.postForm(path, fields)).status).toBe(403);
      expect((await owner.postForm(path, { ...fields, _csrf: strangerToken })).status).toBe(403);
    }
    const db = app.test.context.db;
    expect((await db.selectFrom('call_tasks').select('status').where('id', '=', taskId).executeTakeFirstOrThrow()).status).toBe('open');
    expect(await db.selectFrom('pauses').selectAll().where('realm_id', '=', REALM).execute()).toEqual([]);
    expect(await db.selectFrom('playbook_settings').selectAll().where('realm_id', '=', REALM).execute()).toEqual([]);
  });

  it('shows another company\'s pages to nobody else: 404, not 403', async () => {
    for (const path of ['worklist', `tasks/${taskId}`, `customers/${customerId}`, 'promises', 'results', 'disputes', 'difficult-customers', 'settings']) {
      expect({ path, status: (await stranger.get(`/companies/${REALM}/${path}`)).status }).toEqual({ path, status: 404 });
    }
    const strangerToken = csrfTokenIn(await (await stranger.get(`/companies/${OTHER}`)).text());
    expect((await stranger.postForm(`/companies/${REALM}/customers/${customerId}/pause`, { _csrf: strangerToken })).status).toBe(404);
  });

  it('writes every amount on the pages from the exact cents behind it: the API\'s figures, the database\'s numeric text', async () => {
    const usd = (units: number | string) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(units));
    const json = async <T>(path: string) => (await (await owner.get(path, { headers: { accept: 'application/json' } })).json()) as T;
    const page = async (path: string) => (await owner.get(`/companies/${REALM}/${path}`)).text();
    const db = app.test.context.db;

    const list = await json<{ totalOverdue: number; items: Array<{ overdueBalance: number }> }>(`/api/realms/${REALM}/worklist`);
    expect(list.items.length).toBeGreaterThan(0);
    const worklist = await page('worklist');
    expect(worklist).toContain(`<strong>${usd(list.totalOverdue)}</strong> overdue on the list`);
    for (const item of list.items.slice(0, 5)) expect(worklist).toContain(`>${usd(item.overdueBalance)}</td>`);

    const account = await json<{ openBalance: number; overdueBalance: number }>(`/api/realms/${REALM}/accounts/${customerId}`);
    expect(await page(`customers/${customerId}`)).toContain(`<strong>${usd(account.overdueBalance)}</strong> overdue of ${usd(account.openBalance)} open`);

    const invoice = await db.selectFrom('qbo_invoices').select(['id', 'total', 'balance']).where('realm_id', '=', REALM).where('balance', '>', '0').orderBy('id').executeTakeFirstOrThrow();
    expect(await page(`invoices/${invoice.id}`)).toContain(`balance <strong>${usd(invoice.balance)}</strong> of ${usd(invoice.total)}`);

    const message = await db.selectFrom('messages').select('total').where('realm_id', '=', REALM).orderBy('send_at', 'desc').orderBy('id').executeTakeFirstOrThrow();
    expect(await page('outbox')).toContain(`<td class="num">${usd(message.total)}</td>`);
  });

  it('answers bad input with 400 naming the field, keeps what was typed, and records nothing', async () => {
    const promise = await owner.postForm(`/companies/${REALM}/tasks/${taskId}/outcome`, { _csrf: token, outcome: 'promised', promiseAmount: '-5', promiseDueOn: '2026-02-30', notes: 'kept <text>' });
    expect(promise.status).toBe(400);
    const html = await promise.text();
    expect(html).toContain('<span class="field-error" id="promiseAmount-error">The amount must be more than 0</span>');
    expect(html).toContain('<span class="field-error" id="promiseDueOn-error">The pay-by date is not a real date</span>');
    expect(html).not.toContain('promise.amount');
    expect(html).toContain('value="-5"');
    expect(html).toContain('kept &lt;text&gt;</textarea>');
    expect((await owner.postForm(`/companies/${REALM}/tasks/${taskId}/outcome`, { _csrf: token, outcome: 'shouted' })).status).toBe(400);
    expect(await app.test.context.db.selectFrom('promises').selectAll().where('realm_id', '=', REALM).execute()).toEqual([]);

    const pause = await owner.postForm(`/companies/${REALM}/customers/${customerId}/pause`, { _csrf: token, until: '2020-01-01' });
    expect(pause.status).toBe(400);
    expect(await pause.text()).toContain('until');
    expect((await owner.postForm(`/companies/${REALM}/customers/${customerId}/type`, { _csrf: token, type: 'alien' })).status).toBe(400);

    const settingsPage = await (await owner.get(`/companies/${REALM}/settings`)).text();
    expect(settingsPage).toContain('value="America/New_York"');
    const settings = await owner.postForm(`/companies/${REALM}/settings`, { _csrf: token, timezone: 'Mars/Olympus', level1: '3', level2: '2', level3: '23', level4: '45', minDaysBetweenLevels: '7', dunningGapDays: '3', verificationMaxAgeDays: '7', promiseGraceDays: '2', customerPromiseMaxDays: '30', aAccountPercent: '80', sendDays: '1', sendStart: '8', sendEnd: '17', commercialDays: '1', commercialStart: '9', commercialEnd: '12', personalDays: '4', personalStart: '9', personalEnd: '17' });
    expect(settings.status).toBe(400);
    const refused = await settings.text();
    expect(refused).toContain('<span class="field-error" id="timezone-error">The time zone must be a name like America/New_York or Europe/London</span>');
    expect(refused).toContain('<p class="field-error" id="levels-error">Each level must start later than the one before (e.g. 3, 13, 23, 45 days)</p>');
    expect(refused).not.toContain('levelDays');
    expect(refused).toContain('value="Mars/Olympus"');
    expect(await app.test.context.db.selectFrom('playbook_settings').selectAll().where('realm_id', '=', REALM).execute()).toEqual([]);

    expect((await owner.get(`/companies/${REALM}/worklist?date=tomorrow`)).status).toBe(400);
    expect((await owner.get(`/companies/${REALM}/worklist?level=9`)).status).toBe(400);
    expect((await owner.get(`/companies/${REALM}/tasks/not-a-task`)).status).toBe(404);
    expect((await owner.get(`/companies/${REALM}/customers/<x>`)).status).toBe(404);
  });

  it('saves the settings form whole, and a call moves on to the next task', async () => {
    const saved = await owner.postForm(`/companies/${REALM}/settings`, { _csrf: token, timezone: 'America/Chicago', level1: '5', level2: '15', level3: '25', level4: '50', minDaysBetweenLevels: '7', dunningGapDays: '4', verificationMaxAgeDays: '7', promiseGraceDays: '2', customerPromiseMaxDays: '30', aAccountPercent: '75', sendDays: '1', sendStart: '8', sendEnd: '17', commercialDays: '1', commercialStart: '9', commercialEnd: '12', personalDays: '4', personalStart: '9', personalEnd: '17', writeNotesToQuickBooks: 'on', writeCustomersToQuickBooks: 'on', quickBooksInvoicePdfs: 'on' });
    expect(saved.status).toBe(303);
    const api = await (await owner.get(`/api/realms/${REALM}/settings`, { headers: { accept: 'application/json' } })).json();
    expect(api).toMatchObject({ timezone: 'America/Chicago', levelDays: [5, 15, 25, 50], dunningGapDays: 4, aAccountShare: 0.75, sendWindow: { days: [1] }, writeNotesToQuickBooks: true, writeCustomersToQuickBooks: true, quickBooksInvoicePdfs: true });

    // A voicemail keeps the task for another try; the page still moves on to the next call.
    const voicemail = await owner.postForm(`/companies/${REALM}/tasks/${taskId}/outcome`, { _csrf: token, outcome: 'voicemail', notes: 'left a message with reception' });
    expect(voicemail.status).toBe(303);
    expect(voicemail.headers.get('location')).not.toContain(taskId);
    expect((await app.test.context.db.selectFrom('call_tasks').select(['status', 'outcome']).where('id', '=', taskId).executeTakeFirstOrThrow())).toMatchObject({ status: 'open', outcome: 'voicemail' });

    const called = await owner.postForm(`/companies/${REALM}/tasks/${taskId}/outcome`, { _csrf: token, outcome: 'will_not_pay', notes: 'says the goods were late' });
    expect(called.status).toBe(303);
    const next = called.headers.get('location')!;
    expect(next).toMatch(new RegExp(`/companies/${REALM}/(tasks/[0-9a-f-]{36}|worklist)\\?done=`));
    expect(next).not.toContain(taskId);
    expect((await app.test.context.db.selectFrom('call_tasks').select(['status', 'outcome']).where('id', '=', taskId).executeTakeFirstOrThrow())).toEqual({ status: 'done', outcome: 'will_not_pay' });
    // The escalation file holds every contact in date order, as a page and as a PDF.
    const file = await owner.get(`/companies/${REALM}/customers/${customerId}/escalation`);
    expect(file.status).toBe(200);
    const page = await file.text();
    expect(page).toContain('Collection file:');
    expect(page).toContain('called: reached, will not pay');
    expect(page).toContain('says the goods were late');
    expect(page.indexOf('called: left a voicemail')).toBeLessThan(page.indexOf('called: reached, will not pay'));
    const pdf = await owner.get(`/companies/${REALM}/customers/${customerId}/escalation.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain('Collection file:');
    expect(text).toContain('called: reached, will not pay');
    expect(text).toContain('Open invoices');

    // A closed call shows as closed, with no form to record it twice.
    const closed = await (await owner.get(`/companies/${REALM}/tasks/${taskId}`)).text();
    expect(closed).toContain('This call is done');
    expect(closed).not.toContain('Save and go to the next call');
  });

  it('resolves a dispute from the disputes page, once, with a reason, and records it', async () => {
    const task = await app.test.context.db.selectFrom('call_tasks').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('status', '=', 'open').executeTakeFirstOrThrow();
    const { disputeId } = await app.test.context.services.callOutcomes.record(REALM, task.id, { outcome: 'disputes', dispute: { category: 'pricing', text: 'billed at list price' } });
    const page = await (await owner.get(`/companies/${REALM}/disputes`)).text();
    expect(page).toContain(`/disputes/${disputeId}/resolve`);
    expect((await owner.postForm(`/companies/${REALM}/disputes/${disputeId}/resolve`, { _csrf: token, resolution: '  ' })).status).toBe(400);
    expect((await owner.postForm(`/companies/${REALM}/disputes/${disputeId}/resolve`, { resolution: 'credit note' })).status).toBe(403);
    const resolved = await owner.postForm(`/companies/${REALM}/disputes/${disputeId}/resolve`, { _csrf: token, resolution: 'credit note CM-12 issued for the difference' });
    expect(resolved.status).toBe(303);
    expect(await app.test.context.db.selectFrom('disputes').select(['status', 'resolution', 'resolved_on']).where('id', '=', disputeId!).executeTakeFirstOrThrow()).toEqual({ status: 'resolved', resolution: 'credit note CM-12 issued for the difference', resolved_on: '2026-11-23' });
    const activity = await app.test.context.db.selectFrom('activities').select(['summary', 'note_status']).where('realm_id', '=', REALM).where('kind', '=', 'dispute_resolved').executeTakeFirstOrThrow();
    expect(activity.summary).toContain('credit note CM-12');
    expect((await owner.postForm(`/companies/${REALM}/disputes/${disputeId}/resolve`, { _csrf: token, resolution: 'again' })).status).toBe(404);
    expect((await stranger.postForm(`/companies/${REALM}/disputes/${disputeId}/resolve`, { _csrf: csrfTokenIn(await (await stranger.get(`/companies/${OTHER}`)).text()), resolution: 'x' })).status).toBe(404);
  });

  it('saves the settings page as a browser submits it without changing a setting: writes to QuickBooks customers stay off', async () => {
    // Every setting is on the form: none is left for a default to reset.
    expect(Object.keys(settingsFromForm({})).sort()).toEqual(Object.keys(playbookSettingsSchema.shape).sort());
    const stored = async () => (await (await owner.get(`/api/realms/${REALM}/settings`, { headers: { accept: 'application/json' } })).json()) as Record<string, unknown>;
    await app.test.context.services.settings.change(REALM, { writeCustomersToQuickBooks: false });
    const before = await stored();
    expect(before).toMatchObject({ writeCustomersToQuickBooks: false, writeNotesToQuickBooks: true });

    /** The settings form's fields as a browser sends them: every input, a checkbox only when checked. */
    const submitted = async (check: string[] = []) => {
      const html = await (await owner.get(`/companies/${REALM}/settings`)).text();
      const start = html.indexOf(`<form method="post" action="/companies/${REALM}/settings"`);
      const form = html.slice(start, html.indexOf('</form>', start));
      const fields = new URLSearchParams();
      for (const [, attributes] of form.matchAll(/<input ([^>]*)>/g)) {
        const attribute = (name: string) => new RegExp(`(?:^| )${name}="([^"]*)"`).exec(attributes!)?.[1];
        const name = attribute('name');
        if (!name) continue;
        if (attribute('type') === 'checkbox' && !/ checked(?: |$)/.test(attributes!) && !check.includes(name)) continue;
        fields.append(name, attribute('value') ?? 'on');
      }
      return owner.request(`/companies/${REALM}/settings`, { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    };
    expect((await submitted()).status).toBe(303);
    expect(await stored()).toEqual(before);
    // The page shows the setting, so it can be turned back on there.
    expect((await submitted(['writeCustomersToQuickBooks'])).status).toBe(303);
    expect(await stored()).toEqual({ ...before, writeCustomersToQuickBooks: true });
  });

  it('puts a difficult customer of the month at the top of the day\'s list, flagged and labelled', async () => {
    type Item = { taskId: string; group: string; flags: string[]; customer: { id: string } };
    const list = async (query = '') => (await (await owner.get(`/api/realms/${REALM}/worklist${query}`, { headers: { accept: 'application/json' } })).json()) as { items: Item[] };
    // Monday: the commercial accounts' best time. The one owing the least of them is the month's difficult customer.
    const before = (await list()).items;
    const best = before.filter((item) => item.group === 'best_time_today');
    expect(best.length).toBeGreaterThan(1);
    const last = best.at(-1)!;
    expect(last.flags).not.toContain('difficult_customer');
    await app.test.context.repos.callTasks.wantDifficultCustomerReason(REALM, { customerId: last.customer.id, level: 1, scheduledFor: '2026-11-23', createdOn: '2026-11-23', month: '2026-11' });

    const after = await list();
    expect(after.items[0]).toMatchObject({ taskId: last.taskId, group: 'best_time_today', flags: expect.arrayContaining(['difficult_customer']) });
    expect(after.items.slice(1).map((item) => item.taskId)).toEqual(before.filter((item) => item !== last).map((item) => item.taskId));
    expect((await list('?flag=difficult_customer')).items.map((item) => item.taskId)).toEqual([last.taskId]);
    const page = await (await owner.get(`/companies/${REALM}/worklist`)).text();
    const firstRow = page.slice(page.indexOf('<tr data-task='), page.indexOf('</tr>', page.indexOf('<tr data-task=')));
    expect(firstRow).toContain(`data-task="${last.taskId}"`);
    expect(firstRow).toContain('<span class="flag flag-difficult_customer">Difficult customer</span>');
    expect(page).toContain('<option value="difficult_customer">Difficult customer</option>');
  });
});
