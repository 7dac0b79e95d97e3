import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341905';
// Monday 2026-11-23, 10:00 in New York: the commercial call window, so the list has calls.
const NOW = '2026-11-23T15:00:00Z';
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }

/**
 * Issue 20: axe-core run inside every page of a company with data (desktop and phone widths):
 * no serious or critical violation. The page's own CSP forbids injected scripts, so the test's
 * browser context bypasses CSP for axe alone; the pages are served as in production.
 */
describe('accessibility of every page (axe-core)', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;
  const paths: string[] = [];

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Axe Joinery', customers: 12, invoices: 60 }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${app.web.url}/`);
    paths.push('/');
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.getByLabel(/Axe Joinery/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(`${app.web.url}/companies/${REALM}`);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    const task = await app.test.context.db.selectFrom('call_tasks').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('status', '=', 'open').executeTakeFirstOrThrow();
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const message = await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const company = `/companies/${REALM}`;
    // The customer's own pages, by links signed for the task's account.
    const members = await app.test.context.db.selectFrom('customer_accounts').select('customer_id').where('realm_id', '=', REALM).where('payer_id', '=', task.customer_id).execute();
    const owed = await app.test.context.db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).where('customer_id', 'in', [task.customer_id, ...members.map((m) => m.customer_id)]).limit(5).execute();
    const expiresAt = new Date(app.test.context.clock.now().getTime() + 3_600_000);
    const link = (purpose: 'answer' | 'statement') => new URL(app.test.context.services.customerLinks.url(purpose, { realmId: REALM, customerId: task.customer_id, invoiceIds: owed.map((i) => i.id), expiresAt })).pathname;
    paths.push(`${link('answer')}?answer=in_order`, `${link('answer')}?answer=problem`, link('statement'));
    paths.push(
      company,
      ...['/worklist', '/review', '/promises', '/outbox', '/results', '/disputes', '/difficult-customers', '/activities', '/settings', '/templates', '/disconnect'].map((p) => company + p),
      `${company}/tasks/${task.id}`,
      `${company}/customers/${task.customer_id}`,
      `${company}/invoices/${invoice.id}`,
      `${company}/outbox/${message.id}`,
      '/eula',
      '/privacy',
    );
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const violationsOf = async (path: string): Promise<string[]> => {
    const response = await page.goto(`${app.web.url}${path}`);
    // The customer's pages are checked as they show, not as an error page.
    if (path.startsWith('/c/')) expect(response!.status()).toBe(200);
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] })).violations;
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${path}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  };

  it('has no serious or critical violation on any page, on a desktop', async () => {
    const found: string[] = [];
    for (const path of paths) found.push(...(await violationsOf(path)));
    expect(found).toEqual([]);
  });

  it('has none on a phone either', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const found: string[] = [];
    for (const path of paths) found.push(...(await violationsOf(path)));
    expect(found).toEqual([]);
  });
});
