import type { Browser, Page } from 'playwright-core';
import type { SeedFile } from '../../src/sandbox/seed';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341502';
const NOW = '2026-11-23T15:00:00Z';
const SCRIPT = '<script>alert("name")</script>';
const IMG = '<img src=x onerror=alert("img")>';
const SVG = '"><svg onload=alert("attr")>';

/** Every untrusted text QuickBooks gives us, filled with markup that would run if it were not escaped. */
function poison(seed: SeedFile): void {
  const customers = seed.Customer as Array<Record<string, unknown>>;
  const invoices = seed.Invoice as Array<Record<string, unknown>>;
  customers.forEach((customer, index) => {
    customer.DisplayName = `${SCRIPT} Customer ${index}`;
    if (customer.CompanyName) customer.CompanyName = `${IMG} Company ${index}`;
    customer.Notes = `${SVG} notes`;
    if (customer.PrimaryPhone) customer.PrimaryPhone = { FreeFormNumber: `555${SVG}` };
  });
  for (const invoice of invoices) {
    invoice.DocNumber = `${invoice.DocNumber}<b>x</b>`;
    (invoice.CustomerRef as { name: string }).name = SCRIPT;
  }
  (seed.CompanyInfo as Record<string, unknown>).CompanyName = `${IMG} Co`;
}

describe('untrusted customer and invoice fields render as text on every page', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;
  const fired: string[] = [];

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Poisoned', customers: 12, invoices: 60, edit: poison }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('dialog', (dialog) => {
      fired.push(dialog.message());
      void dialog.dismiss();
    });
    // Connect in the browser, so the pages are this person's.
    await page.goto(`${app.web.url}/connect?realmId=${REALM}`);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(`${app.web.url}/companies/${REALM}`);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    // A dispute and a wrong-person contact typed by a collector, with markup in them too.
    const tasks = await app.test.context.db.selectFrom('call_tasks').select(['id']).where('realm_id', '=', REALM).where('status', '=', 'open').limit(2).execute();
    expect(tasks.length).toBe(2);
    await app.test.context.services.callOutcomes.record(REALM, tasks[0]!.id, { outcome: 'disputes', dispute: { category: 'quality', text: `${IMG} broken crate` }, notes: SCRIPT });
    await app.test.context.services.callOutcomes.record(REALM, tasks[1]!.id, { outcome: 'wrong_person', contact: { name: SCRIPT, role: IMG, phone: '555', approvesPayment: true } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('runs no injected script and shows the markup as text', async () => {
    const db = app.test.context.db;
    const customer = await db.selectFrom('qbo_customers').select('id').where('realm_id', '=', REALM).orderBy('id').executeTakeFirstOrThrow();
    const disputed = await db.selectFrom('disputes').select('customer_id').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const contactOf = await db.selectFrom('contacts').select('customer_id').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const invoice = await db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const task = await db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('status', '=', 'open').executeTakeFirstOrThrow();
    const message = await db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('kind', '=', 'verification').executeTakeFirstOrThrow();
    const base = `/companies/${REALM}`;
    const pages = [
      '/',
      base,
      `${base}/worklist`,
      `${base}/tasks/${task.id}`,
      `${base}/customers/${customer.id}`,
      `${base}/customers/${disputed.customer_id}`,
      `${base}/customers/${contactOf.customer_id}`,
      `${base}/customers/${disputed.customer_id}/escalation`,
      `${base}/invoices/${invoice.id}`,
      `${base}/promises`,
      `${base}/results`,
      `${base}/disputes`,
      `${base}/difficult-customers`,
      `${base}/outbox`,
      `${base}/outbox/${message.id}`,
      `${base}/letters/${message.id}`,
      `${base}/activities`,
      `${base}/settings`,
      `${base}/templates`,
      `${base}/templates/verification`,
    ];
    for (const path of pages) {
      const response = await page.goto(`${app.web.url}${path}`);
      expect({ path, status: response!.status() }).toEqual({ path, status: 200 });
      // Nothing injected became an element: no inline script, no handler attribute, no <b> from a DocNumber.
      const injected = await page.evaluate(`({
        inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
        handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        bold: document.querySelectorAll('main b').length,
        // Ardesk's own charts are drawn as SVG; any other SVG came from the injected markup.
        svg: [...document.querySelectorAll('svg')].filter((svg) => !svg.closest('figure.chart, .backtest-chart, .chart-legend') && !svg.matches('.backtest-chart')).length,
      })`);
      expect({ path, ...(injected as object) }).toEqual({ path, inlineScripts: 0, handlers: 0, bold: 0, svg: 0 });
    }
    // The markup shows as the text it is.
    await page.goto(`${app.web.url}${base}/customers/${disputed.customer_id}`);
    const text = await page.locator('main').innerText();
    expect(text).toContain(SCRIPT);
    expect(text).toContain(`${IMG} broken crate`);
    await page.goto(`${app.web.url}${base}/worklist`);
    expect(await page.locator('main').innerText()).toContain(SCRIPT);
    await screenshot(page, 'xss-worklist');
    expect(fired).toEqual([]);
  });
});
