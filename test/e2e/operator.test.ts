import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341452000000801';
const OPERATOR_EMAIL = 'ops@ardesk-operator.example';

/** In Chromium, under the app's own Content-Security-Policy. */
describe('the Connect button and the queue view in a real browser', () => {
  let app: ConnectedApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Operator Holdings', edit: (seed) => void (seed.owner = { email: OPERATOR_EMAIL, givenName: 'Olive', familyName: 'Operator' }) }],
      env: { OPERATOR_EMAILS: OPERATOR_EMAIL },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('draws the Connect to QuickBooks button from our SVG, with its hover state', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && blocked.push(message.text())));
    await page.goto(app.web.url);
    const link = page.getByRole('link', { name: 'Connect to QuickBooks' });
    const base = link.locator('img.c2qb-base');
    await base.waitFor();
    const loaded = await base.evaluate((element) => {
      const img = element as unknown as { complete: boolean; naturalWidth: number; getBoundingClientRect(): { height: number } };
      return [img.complete, img.naturalWidth, img.getBoundingClientRect().height];
    });
    expect(loaded).toEqual([true, 223, 36]);
    await screenshot(page, 'connect-button');
    await link.hover();
    const shown = () =>
      link.locator('img').evaluateAll((imgs) => {
        const style = (globalThis as unknown as { getComputedStyle(element: unknown): { display: string } }).getComputedStyle;
        return imgs.map((img) => `${img.className}:${style(img).display}`);
      });
    expect(await shown()).toEqual(['c2qb-base:none', 'c2qb-hover:block']);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('lets an operator sign in with Intuit and see the queues, nothing blocked but the web font', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    await page.goto(app.web.url);
    await page.getByRole('button', { name: 'Sign in with Intuit' }).click();
    await page.getByLabel(/Olive Operator/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/operator\/queues/);
    // What the queue view itself loads (the sandbox's consent page has no favicon: not ours).
    page.on('console', (message) => void (message.type() === 'error' && blocked.push(message.text())));
    page.on('response', (response) => void (response.status() >= 400 && blocked.push(`${response.status()} ${response.url()}`)));
    await page.reload();
    await page.getByText('maintenance', { exact: false }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'operator-queues');
    // Bull Board asks Google for its font; the policy says no, and nothing else is refused.
    expect(blocked.filter((text) => !/fonts\.googleapis\.com/.test(text))).toEqual([]);
    await page.close();
  }, 60_000);
});
