import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341903';
const NOW = '2026-11-23T15:00:00Z';
const PAGES = ['', '/worklist', '/review', '/promises', '/outbox', '/results', '/disputes', '/difficult-customers', '/activities', '/settings', '/templates'];

/**
 * Issue 20: a company that is not connected says so on every one of its pages, in words (not
 * `needs_reconnect`), with the way back; and Disconnect asks first.
 */
describe('the connection, on every page of a company', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;
  const url = (path: string) => `${app.web.url}/companies/${REALM}${path}`;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Banner Hardware', customers: 6, invoices: 20 }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.web.url}/`);
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.getByLabel(/Banner Hardware/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(url(''));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows no banner while connected', async () => {
    for (const path of PAGES) {
      await page.goto(url(path));
      expect(await page.locator('.connection-banner').count()).toBe(0);
    }
    expect(await page.locator('main').innerText()).not.toContain('needs_reconnect');
  });

  it('asks for a reconnect on every page while QuickBooks wants one', async () => {
    await app.test.context.repos.companies.setStatus(REALM, 'needs_reconnect', 'QuickBooks no longer accepts the connection.');
    for (const path of PAGES) {
      await page.goto(url(path));
      const banner = page.locator('.connection-banner');
      expect(await banner.count()).toBe(1);
      expect(await banner.innerText()).toContain('QuickBooks needs you to reconnect Banner Hardware');
      expect(await banner.getByRole('link', { name: 'Reconnect to QuickBooks' }).getAttribute('href')).toBe(`/connect?realmId=${REALM}`);
    }
    await page.goto(url(''));
    expect(await page.locator('.facts').innerText()).toContain('Needs reconnecting');
    expect(await page.locator('main').innerText()).not.toContain('needs_reconnect');
    await screenshot(page, 'company-needs-reconnect');
    await app.test.context.repos.companies.setStatus(REALM, 'connected');
  });

  it('asks before disconnecting, and says it is disconnected on every page after', async () => {
    await page.goto(url(''));
    await page.getByRole('link', { name: /Disconnect from QuickBooks/ }).click();
    await page.waitForURL(url('/disconnect'));
    expect(await page.locator('h1').innerText()).toBe('Disconnect Banner Hardware from QuickBooks?');
    await screenshot(page, 'disconnect-confirm');
    // Cancel keeps it connected.
    await page.getByRole('link', { name: 'Cancel, keep it connected' }).click();
    await page.waitForURL(url(''));
    expect((await app.test.context.repos.companies.find(REALM))!.status).toBe('connected');

    await page.getByRole('link', { name: /Disconnect from QuickBooks/ }).click();
    await page.getByRole('button', { name: 'Disconnect Banner Hardware' }).click();
    await page.waitForURL(url(''));
    expect((await app.test.context.repos.companies.find(REALM))!.status).toBe('disconnected');
    for (const path of PAGES) {
      await page.goto(url(path));
      expect(await page.locator('.connection-banner').innerText()).toContain('Banner Hardware is disconnected from QuickBooks');
    }
  });
});
