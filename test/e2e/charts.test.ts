import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341906';
// Monday 2026-11-23, 10:00 in New York.
const NOW = '2026-11-23T15:00:00Z';
const FROM = '2026-09-01';
const TO = '2026-11-23';

/**
 * Issue 20's pictures, in real Chromium: the Results page draws money collected per week and the
 * promises due against those kept, and the customer page its aging as a bar; each drawn number
 * equals the API's, and they render under the page's own strict CSP.
 */
describe('charts on Results and the customer page', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;
  const cspErrors: string[] = [];
  const url = (path: string) => `${app.web.url}${path}`;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Chart Timber', customers: 20, invoices: 120 }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    await page.goto(url('/'));
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.getByLabel(/Chart Timber/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(url(`/companies/${REALM}`));
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    // Two promises falling due in the period, one of them kept.
    const [a, b] = await app.test.context.db.selectFrom('qbo_customers').select('id').where('realm_id', '=', REALM).limit(2).execute();
    await app.test.context.db
      .insertInto('promises')
      .values([
        { realm_id: REALM, customer_id: a!.id, invoice_ids: '[]', amount: '120.00', due_on: '2026-11-10', made_on: '2026-11-03', status: 'kept', settled_on: '2026-11-10' },
        { realm_id: REALM, customer_id: b!.id, invoice_ids: '[]', amount: '80.00', due_on: '2026-11-12', made_on: '2026-11-03', status: 'broken', settled_on: '2026-11-15' },
      ])
      .execute();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('draws money collected and promises per week with the API\'s numbers', async () => {
    await page.goto(url(`/companies/${REALM}/results?from=${FROM}&to=${TO}`));
    const api = await (await page.request.get(url(`/api/realms/${REALM}/results?from=${FROM}&to=${TO}`))).json();
    const weekly = api.weekly as Array<{ weekOf: string; collected: number; promisesDue: number; promisesKept: number }>;
    expect(weekly.length).toBe(13);
    expect(weekly.some((w) => w.collected > 0)).toBe(true);

    const collected = await page.locator('svg[data-chart="collected"] rect[data-value]').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    expect(collected.map((cents) => cents / 100)).toEqual(weekly.map((w) => w.collected));
    const due = await page.locator('svg[data-chart="promises"] rect[data-series="Promises due"]').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    const kept = await page.locator('svg[data-chart="promises"] rect[data-series="Kept"]').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    expect(due).toEqual(weekly.map((w) => w.promisesDue));
    expect(kept).toEqual(weekly.map((w) => w.promisesKept));
    expect(due.reduce((s, n) => s + n, 0)).toBe(2);
    expect(kept.reduce((s, n) => s + n, 0)).toBe(1);
    // The bars are drawn: the tallest week's bar has height, and a bar's size follows its value.
    const heights = await page.locator('svg[data-chart="collected"] rect[data-value]').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    const top = collected.indexOf(Math.max(...collected));
    expect(heights[top]).toBeGreaterThan(100);
    expect((await page.locator('svg[data-chart="collected"]').boundingBox())!.height).toBeGreaterThan(100);
    await page.locator('section.weekly').screenshot({ path: 'test-artifacts/screenshots/results-weekly.png' }).catch(() => undefined);
    expect(cspErrors).toEqual([]);
  });

  it('shows a customer\'s aging as a bar whose amounts are the account\'s', async () => {
    const state = await app.test.context.db.selectFrom('call_tasks').select('customer_id').where('realm_id', '=', REALM).where('status', '=', 'open').executeTakeFirstOrThrow();
    await page.goto(url(`/companies/${REALM}/customers/${state.customer_id}`));
    const account = await (await page.request.get(url(`/api/realms/${REALM}/accounts/${state.customer_id}`))).json();
    const buckets = await page.locator('.aging-legend li').evaluateAll((items) => items.map((li) => [li.getAttribute('data-bucket'), Number(li.getAttribute('data-cents'))] as [string, number]));
    const total = buckets.reduce((s, [, cents]) => s + cents, 0);
    const overdue = buckets.filter(([bucket]) => bucket !== 'current').reduce((s, [, cents]) => s + cents, 0);
    expect(total / 100).toBeCloseTo(account.openBalance, 2);
    expect(overdue / 100).toBeCloseTo(account.overdueBalance, 2);
    expect(await page.locator('.aging-bar span').count()).toBeGreaterThan(0);
    await screenshot(page, 'customer-aging');
    expect(cspErrors).toEqual([]);
  });
});
