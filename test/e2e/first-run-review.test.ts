import type { Browser, Page } from 'playwright-core';
import { startWorker } from '../../src/main/worker';
import type { WorkerHost } from '../../src/jobs/worker-host';
import { launchBrowser, reloadUntil, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { until } from '../support/until';

const REALM = '9341520';
// Tuesday 2026-11-24, 10:00 in New York: inside the send window.
const NOW = '2026-11-24T15:00:00Z';

/**
 * Issue 20's first run, in real Chromium against the app, a worker, the sandbox and a real SMTP
 * server, with the product's default review (first_run): a company with a backlog connects, its
 * first run's messages wait on the review page, the SMTP server receives nothing, one customer is
 * held back, and after approval every other listed message arrives exactly once.
 */
describe('the first run waits for a person', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let worker: WorkerHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Backlog Supply', customers: 12, invoices: 70 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, SEND_REVIEW_DEFAULT: 'first_run' } });
    worker = await startWorker(app.test.context, { shutdownGraceMs: 2_000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    await smtp?.stop();
  });

  const url = (path: string) => `${app.web.url}${path}`;
  const listedIds = () => page.locator('form[action$="/review/approve"] input[name="messageIds"]').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));

  it('shows what the first run would send, and sends nothing', async () => {
    await page.goto(url('/'));
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.getByLabel(/Backlog Supply/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(url(`/companies/${REALM}`));
    expect(await page.locator('.banner').first().innerText()).toMatch(/sends nothing until you approve its first run|wait for your review/);
    await reloadUntil(page, 'the first run to wait for review', async () => (await page.locator('.banner-review').count()) > 0);
    await page.locator('.banner-review').getByRole('link', { name: 'Review before sending' }).click();
    await page.waitForURL(url(`/companies/${REALM}/review`));
    await screenshot(page, 'review-first-run');

    const api = await (await page.request.get(url(`/api/realms/${REALM}/review`))).json();
    expect(api.awaiting).toBe(true);
    expect(api.messages).toBeGreaterThan(3);
    expect(new Set(await listedIds())).toEqual(new Set(api.accounts.flatMap((a: { messages: Array<{ id: string }> }) => a.messages.map((m) => m.id))));
    expect(await page.locator('section.review-account').count()).toBe(api.accounts.length);
    expect(await page.locator('main').innerText()).toContain(`${api.messages} messages`);
    // Nothing reached the mail server, however long the dispatcher has been running.
    await app.test.context.services.mailDispatch.dispatchDue();
    expect(smtp.received).toHaveLength(0);
  });

  it('holds a customer back with a reason, and asks for one in plain words', async () => {
    const first = page.locator('section.review-account').first();
    const name = (await first.locator('h2 a').innerText()).trim();
    await first.getByRole('button', { name: 'Hold back' }).click();
    // The browser itself refuses an empty reason (required); the server says the same in words.
    expect(await first.getByLabel('Reason to hold back').evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
    await first.getByLabel('Reason to hold back').fill('pays by cheque on the 15th');
    await first.getByRole('button', { name: 'Hold back' }).click();
    await page.waitForURL(/held=/);
    expect(await page.locator('.notice[role="status"]').innerText()).toContain(`${name} is held back`);
    expect(await page.locator('section.review-account h2 a').allInnerTexts()).not.toContain(name);
  });

  it('approves, and every listed message arrives once', async () => {
    const listed = await listedIds();
    const held = await app.test.context.db.selectFrom('messages').select(['id', 'to_address']).where('realm_id', '=', REALM).where('id', 'in', listed).execute();
    await page.getByRole('button', { name: 'Approve and start collecting' }).click();
    await page.waitForURL(/approved=/);
    expect(await page.locator('.notice[role="status"]').innerText()).toContain(`Approved ${listed.length} messages`);
    await until('every approved message to reach the SMTP server', () => smtp.received.length >= listed.length, 60_000);
    // A few more dispatch passes send nothing twice.
    for (let i = 0; i < 3; i++) await app.test.context.services.mailDispatch.dispatchDue();
    await until('the outbox to settle', async () => (await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('status', 'in', ['queued', 'sending']).where('id', 'in', listed).execute()).length === 0, 30_000);
    const sent = await app.test.context.db.selectFrom('messages').select(['id', 'status']).where('realm_id', '=', REALM).where('id', 'in', listed).execute();
    const delivered = sent.filter((m) => m.status === 'sent').length;
    expect(smtp.received).toHaveLength(delivered);
    expect(delivered).toBeGreaterThan(0);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(smtp.received.length);
    // Each received message is one of those the page listed, by its Message-ID (<id@domain>).
    const receivedIds = smtp.received.map((m) => m.messageId.replace(/^<|@.*$/g, ''));
    expect(receivedIds.every((id) => held.some((m) => m.id === id))).toBe(true);
    expect(new Set(receivedIds)).toEqual(new Set(sent.filter((m) => m.status === 'sent').map((m) => m.id)));
    // The held-back customer got nothing.
    const heldBack = await app.test.context.db.selectFrom('messages').select(['to_address', 'status']).where('realm_id', '=', REALM).where('status_reason', 'like', 'held back on the review page%').execute();
    expect(heldBack.length).toBeGreaterThan(0);
    expect(heldBack.every((m) => m.status === 'cancelled')).toBe(true);
    expect(await page.locator('main').innerText()).toContain('Nothing is waiting for a review');
  });
});
