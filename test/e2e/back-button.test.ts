import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341902';
// Monday 2026-11-23, 10:00 in New York: inside the send window and the commercial call window.
const NOW = '2026-11-23T15:00:00Z';

/**
 * The Back button in real Chromium: after saving *no answer*, going Back to the call sheet and
 * saving a $5,000 promise must record neither the promise nor its confirmation; the page says
 * what was recorded and offers to correct it, and the correction is what stands.
 */
describe('the Back button on a call sheet', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Backtrack Timber', customers: 20, invoices: 90 }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.web.url}/`);
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.getByLabel(/Backtrack Timber/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(`${app.web.url}/companies/${REALM}`);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('refuses the promise saved from the page before the no answer, shows what was recorded, and corrects it', async () => {
    const db = app.test.context.db;
    const task = await db
      .selectFrom('call_tasks as t')
      .innerJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 't.realm_id').onRef('c.id', '=', 't.customer_id'))
      .select(['t.id', 't.customer_id'])
      .where('t.realm_id', '=', REALM)
      .where('t.status', '=', 'open')
      .where('c.email', 'is not', null)
      .where(sql<boolean>`exists (select 1 from qbo_invoices i where i.realm_id = t.realm_id and i.customer_id = t.customer_id and i.balance > 0 and i.due_date < '2026-11-23')`)
      .executeTakeFirstOrThrow();
    const sheet = `${app.web.url}/companies/${REALM}/tasks/${task.id}`;
    // Pages holding company data are no-store, so Chromium's Back asks the server again; the
    // page the collector goes back to is then the one kept open before saving (a second tab
    // opened first is the same stale page, deterministically).
    const stale = await (await browser.newContext({ storageState: await page.context().storageState(), viewport: { width: 1280, height: 900 } })).newPage();
    await stale.goto(sheet);
    await page.goto(sheet);
    await page.getByLabel('No answer').check();
    await page.getByRole('button', { name: 'Save and go to the next call' }).click();
    await page.waitForURL((u) => u.href !== sheet);
    await page.close();
    page = stale;
    await page.getByLabel('Reached: promised to pay').check();
    await page.getByLabel('Amount', { exact: true }).fill('5000');
    await page.getByLabel('Pay by').fill('2026-11-30');
    const refused = page.waitForResponse((r) => r.url().endsWith('/outcome') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save and go to the next call' }).click();
    expect((await refused).status()).toBe(409);
    const alert = await page.getByRole('alert').innerText();
    expect(alert).toContain('this call was recorded after the page was opened');
    expect(alert).toContain('called: no answer');
    await screenshot(page, 'back-button-409');

    const promises = () => db.selectFrom('promises').select(['amount']).where('realm_id', '=', REALM).where('customer_id', '=', task.customer_id).execute();
    const confirmations = () => db.selectFrom('messages').select(['status']).where('realm_id', '=', REALM).where('customer_id', '=', task.customer_id).where('kind', '=', 'promise_confirmation').execute();
    expect(await promises()).toEqual([]);
    expect(await confirmations()).toEqual([]);
    const calls = await db.selectFrom('activities').select('summary').where('realm_id', '=', REALM).where('kind', '=', 'call').where(sql<boolean>`details->>'taskId' = ${task.id}`).execute();
    expect(calls).toEqual([{ summary: 'called: no answer' }]);

    // What was typed is kept, now as the correction of the no answer.
    await expect(page.getByRole('heading', { name: 'Correct the last outcome' }).isVisible()).resolves.toBe(true);
    expect(await page.getByLabel('Amount', { exact: true }).inputValue()).toBe('5000');
    await page.getByRole('button', { name: 'Save the correction' }).click();
    await page.waitForURL((u) => !u.href.startsWith(sheet) || u.searchParams.get('done') === 'call');
    expect((await promises()).map((p) => Number(p.amount))).toEqual([5000]);
    expect(await confirmations()).toEqual([{ status: 'queued' }]);
    const after = await db.selectFrom('activities').select(['kind', 'summary']).where('realm_id', '=', REALM).where(sql<boolean>`details->>'taskId' = ${task.id}`).orderBy('created_at').execute();
    expect(after.map((a) => a.kind)).toEqual(['call_corrected', 'call']);
    expect(after[1]!.summary).toContain('correction: called: reached, promised to pay');
  });
});
