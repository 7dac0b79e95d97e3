import type { Browser, Page } from 'playwright-core';
import { startWorker } from '../../src/main/worker';
import type { WorkerHost } from '../../src/jobs/worker-host';
import { launchBrowser, reloadUntil, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { eventually } from '../support/until';

const REALM = '9341501';
// Monday 2026-11-23, 10:00 in New York: inside the send window and the commercial call window.
const NOW = '2026-11-23T15:00:00Z';

/**
 * A collector's day in real Chromium against the app, a worker, the local QuickBooks sandbox and
 * a real SMTP server: connect, first sync, the work list, a call with a promise, the confirmation
 * email and the QuickBooks note, a pause, and a broken template refused.
 */
describe('the collector in the browser', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let worker: WorkerHost;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Harbor Lumber', customers: 30, invoices: 140 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Harbor Lumber AR <ar@harbor-lumber.test>' } });
    worker = await startWorker(app.test.context, { shutdownGraceMs: 2_000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    await smtp?.stop();
  });

  const url = (path: string) => `${app.web.url}${path}`;
  const money = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));

  it('connects through the consent page and sees the first sync finish', async () => {
    await page.goto(url('/'));
    await screenshot(page, '01-connect');
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.waitForURL(/\/connect\/oauth2|authorize/);
    await page.getByLabel(/Harbor Lumber/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(url(`/companies/${REALM}`));
    // Synced, and the day's run after it done: the page stops refreshing itself.
    await reloadUntil(page, 'the first sync and the day\'s run', async () => (await page.locator('.sync-status').innerText()).includes('Last synced') && (await page.locator('meta[http-equiv="refresh"]').count()) === 0);
    expect(await page.locator('.sync-status').innerText()).toMatch(/\d+ invoices/);
    await screenshot(page, '02-company');
  });

  it('opens the work list, largest overdue balance first, with counts and the money on it', async () => {
    await page.goto(url(`/companies/${REALM}/worklist`));
    await reloadUntil(page, 'the day\'s playbook to fill the work list', async () => (await page.locator('table.worklist tbody tr').count()) > 0);
    // The same list as the API, and the summary counts every call on the list. The list may still
    // change while the day's messages go out (a message sent changes what its account shows):
    // the page and the API are read until they show the same calls, and that one list is checked.
    const taskIds = () => page.locator('table.worklist tbody tr[data-task]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')));
    let api = { items: [] as Array<{ taskId: string; group: string; flags: string[] }>, total: 0 };
    let amounts: number[] = [];
    await reloadUntil(page, 'the page and the API to show the same list', async () => {
      amounts = (await page.locator('table.worklist tbody tr[data-task] td:nth-child(3)').allInnerTexts()).map(money);
      const shown = await taskIds();
      api = await (await page.request.get(url(`/api/realms/${REALM}/worklist?limit=50`), { headers: { accept: 'application/json' } })).json();
      return JSON.stringify(shown) === JSON.stringify(api.items.map((item) => item.taskId));
    });
    expect(amounts.length).toBeGreaterThan(1);
    // Within each group, the month's difficult customers lead, then the largest overdue balance first.
    const rank = (item: { group: string; flags: string[] }) => `${item.group}:${item.flags.includes('difficult_customer') ? 0 : 1}`;
    for (let i = 1; i < amounts.length; i++) if (rank(api.items[i]!) === rank(api.items[i - 1]!)) expect(amounts[i]).toBeLessThanOrEqual(amounts[i - 1]!);
    expect(await taskIds()).toEqual(api.items.map((item) => item.taskId));
    // The day's two groups, each headed: best time today first, then the others.
    const groups = await page.locator('table.worklist tbody tr[data-task]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-group')));
    expect(groups).toEqual(api.items.map((item) => item.group));
    expect(await page.locator('table.worklist tr.group-heading').count()).toBe(new Set(groups).size);
    expect(await page.locator('.summary').innerText()).toContain(`${api.total} call`);
    await screenshot(page, '03-worklist');

    await page.getByLabel('Type').selectOption('commercial');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/type=commercial/);
    expect(await page.locator('table.worklist tbody tr td:nth-child(2) .muted').allInnerTexts()).toEqual(expect.arrayContaining(['commercial']));
    expect(await page.locator('table.worklist tbody tr td:nth-child(2) .muted').allInnerTexts()).not.toContain('personal');
  });

  it('records a promise on a call; the confirmation email reaches the SMTP server and the note reaches QuickBooks', async () => {
    const { items } = await (await page.request.get(url(`/api/realms/${REALM}/worklist?limit=50`), { headers: { accept: 'application/json' } })).json();
    const emails = await app.test.context.db.selectFrom('qbo_customers').select(['id', 'email']).where('realm_id', '=', REALM).where('email', 'is not', null).execute();
    const withEmail = new Set(emails.map((c) => c.id));
    const item = items.find((i: { customer: { id: string } }) => withEmail.has(i.customer.id));
    expect(item).toBeDefined();

    await page.goto(url(`/companies/${REALM}/worklist`));
    await page.locator(`tr[data-task="${item.taskId}"]`).getByRole('link', { name: 'Call' }).click();
    await page.waitForURL(url(`/companies/${REALM}/tasks/${item.taskId}`));
    await expect(page.locator('h1').innerText()).resolves.toBe(`Call ${item.customer.name}`);
    // The script for this level, with this customer's oldest overdue invoice in it.
    const oldest = (await page.locator('#invoices-heading + .table-wrap tbody tr td:first-child a').allInnerTexts()).map((n) => n.replace('#', ''));
    const script = await page.locator('.script').innerText();
    expect(oldest.filter((number) => script.includes(number)).length).toBeGreaterThan(0);
    await screenshot(page, '04-call-sheet');

    // A wrong amount is refused and what was typed is kept.
    await page.getByLabel('Reached: promised to pay').check();
    await page.getByLabel('Amount', { exact: true }).fill('lots');
    await page.getByLabel('Pay by').fill('2026-11-30');
    await page.getByRole('button', { name: 'Save and go to the next call' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Not saved.');
    expect(await page.locator('#promiseAmount-error').innerText()).toMatch(/^The amount must be a number, like 125\.50/);
    expect(await page.getByLabel('Pay by').inputValue()).toBe('2026-11-30');

    await page.getByLabel('Amount', { exact: true }).fill('250.00');
    await page.getByLabel('Notes').fill('Will pay Monday, asked for a copy of #1001');
    await page.getByRole('button', { name: 'Save and go to the next call' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith(item.taskId) && /\/(tasks\/|worklist)/.test(u.pathname));
    await expect(page.getByRole('status').first().innerText()).resolves.toContain(`Saved the call with ${item.customer.name}`);
    await screenshot(page, '05-next-call');

    const promise = await app.test.context.db.selectFrom('promises').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', item.customer.id).executeTakeFirstOrThrow();
    expect(promise).toMatchObject({ amount: expect.anything(), due_on: '2026-11-30', status: 'open' });
    expect(Number(promise.amount)).toBe(250);

    const confirmation = await eventually('the confirmation to be sent', async () => app.test.context.db.selectFrom('messages').select(['id', 'to_address', 'status']).where('realm_id', '=', REALM).where('key', '=', `promise-confirmation:${promise.id}`).where('status', '=', 'sent').executeTakeFirst(), 60_000);
    const mail = smtp.received.find((m) => m.messageId === `<${confirmation!.id}@harbor-lumber.test>`);
    expect(mail).toBeDefined();
    expect(mail!.parsed.text).toContain('$250.00');
    expect(mail!.parsed.text).toContain('2026');

    const realm = app.sandbox.sandbox.realm(REALM)!;
    const note = await eventually('the call\'s note in QuickBooks', async () => [...realm.table('Attachable').values()].find((a) => String((a as { Note?: string }).Note ?? '').includes('promised to pay') && String((a as { Note?: string }).Note).includes(item.customer.name)), 60_000);
    expect(String((note as unknown as { Note: string }).Note)).toContain('Will pay Monday');
  });

  it('pauses a customer from its page', async () => {
    const { items } = await (await page.request.get(url(`/api/realms/${REALM}/worklist?limit=5`), { headers: { accept: 'application/json' } })).json();
    const customer = items[0].customer as { id: string; name: string };
    await page.goto(url(`/companies/${REALM}/customers/${customer.id}`));
    await expect(page.locator('h1').innerText()).resolves.toBe(customer.name);
    await page.getByLabel('Until (empty: until further notice)').fill('2026-12-15');
    await page.getByRole('region', { name: 'Pause automatic collection' }).getByLabel('Why').fill('Owner in hospital; call after the 15th');
    await page.getByRole('button', { name: 'Pause this customer' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toContain('Paused until 2026-12-15');
    expect(await page.locator('#pause-heading + ul').innerText()).toContain('Owner in hospital');
    await screenshot(page, '06-customer');
    const pause = await app.test.context.db.selectFrom('pauses').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', customer.id).executeTakeFirstOrThrow();
    expect(pause.until).toBe('2026-12-15');
  });

  it('refuses a template with a syntax error, naming the line, and keeps what was typed', async () => {
    await page.goto(url(`/companies/${REALM}/templates/reminder`));
    const broken = 'Dear {{contact.name}},\nYour balance is {{money total currency}}.\n{{#if invoices}}\nNo closing tag here.\n';
    await page.getByLabel('Plain-text body').fill(broken);
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = await page.getByRole('alert').innerText();
    expect(alert).toContain('The text part has a {{#if}} that is never closed (line 3)');
    expect(await page.getByLabel('Plain-text body').inputValue()).toBe(broken);
    await screenshot(page, '07-template-refused');
    expect(await app.test.context.repos.outbox.overridesOf(REALM, 'reminder')).toEqual({});
  });

  it('shows the other pages of the day', async () => {
    for (const [path, name, heading] of [
      ['promises', '08-promises', 'Promises to pay'],
      ['results', '09-results', 'Results'],
      ['disputes', '10-disputes', 'Disputes and the systems log'],
      ['difficult-customers', '11-difficult-customers', 'Difficult customers'],
      ['settings', '12-settings', 'Playbook settings'],
      ['outbox', '13-outbox', 'Outbox'],
      ['activities', '14-activities', 'Activity'],
    ] as const) {
      const response = await page.goto(url(`/companies/${REALM}/${path}`));
      expect(response!.status()).toBe(200);
      expect(await page.locator('h1').innerText()).toContain(heading);
      await screenshot(page, name);
    }
    const { items } = await (await page.request.get(url(`/api/realms/${REALM}/worklist?limit=1`), { headers: { accept: 'application/json' } })).json();
    await page.goto(url(`/companies/${REALM}/customers/${items[0].customer.id}`));
    await page.getByRole('link', { name: /Escalation file/ }).click();
    expect(await page.locator('h1').innerText()).toContain('Collection file');
    await screenshot(page, '16-escalation-file');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url(`/companies/${REALM}/worklist`));
    await screenshot(page, '15-worklist-phone');
    expect(dialogs).toEqual([]);
  });
});
