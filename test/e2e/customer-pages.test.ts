import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DUNNING_KINDS } from '../../src/collections/message-kinds';
import { launchBrowser, screenshot } from '../support/browser';
import { steerBusinessClock, type BusinessClock } from '../support/business-clock';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341620';
const ZONE = 'America/New_York';
// Monday 2026-11-23, 10:00 in New York: inside the send window and the commercial call window.
const NOW = '2026-11-23T15:00:00Z';

interface Queued {
  id: string;
  customer_id: string;
  kind: string;
  invoice_ids: string[];
}

/**
 * The customer's side in real Chromium, from the mail a real SMTP server received: the
 * verification letter's *There is a problem* opens a dispute the collector sees on the work list
 * (with a QuickBooks note, and no later reminder listing those invoices); a reminder's statement
 * link takes a promise to pay whose confirmation arrives by email and which pauses dunning.
 */
describe('the customer answers in the browser', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let browser: Browser;
  let collector: Page;
  let customerContext: BrowserContext;
  let customer: Page;
  let clock: BusinessClock;
  let verification: Queued;
  let reminder: Queued;
  let promisedIds: string[] = [];

  const url = (path: string) => `${app.web.url}${path}`;
  const db = () => app.test.context.db;
  // The database's own clock: created_at is its now(), which a faked test clock does not move.
  const databaseNow = async () => (await sql<{ now: Date }>`select now() as now`.execute(db())).rows[0]!.now;
  const mailOf = (id: string) => smtp.received.find((m) => m.messageId === `<${id}@slate-works.test>`);
  /** The link after `label` in a received mail's plain text. */
  const linkIn = (text: string, label: string) => new RegExp(`${label}:?\\s*\\n?(http\\S+)`).exec(text)?.[1];
  /** What a worker would have sent meanwhile: everything still queued goes out. */
  const sendQueued = async () => {
    const queued = await db().selectFrom('messages').select('id').where('realm_id', '=', REALM).where('status', '=', 'queued').execute();
    for (const { id } of queued) await app.test.context.services.messages.send(id);
  };
  const dunningSince = async (customerId: string, createdAfter: Date) =>
    (await db().selectFrom('messages').select(['kind', 'invoice_ids', 'status']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).where('created_at', '>', createdAfter).execute()).filter((m) => DUNNING_KINDS.has(m.kind));

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Slate Works', customers: 30, invoices: 160 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, SEND_REVIEW_DEFAULT: 'off', MAIL_FROM: 'Slate Works AR <ar@slate-works.test>' } });
    clock = steerBusinessClock(app.test.context.clock, ZONE, new Date(NOW));
    browser = await launchBrowser();
    collector = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    customerContext = await browser.newContext({ viewport: { width: 900, height: 900 } });
    customer = await customerContext.newPage();

    // The collector connects in the browser; the first sync and the day's run are done here at once.
    await collector.goto(url('/'));
    await collector.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await collector.getByLabel(/Slate Works/).check();
    await collector.getByRole('button', { name: 'Connect' }).click();
    await collector.waitForURL(url(`/companies/${REALM}`));
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    const queued = (await db().selectFrom('messages').select(['id', 'customer_id', 'kind', 'invoice_ids']).where('realm_id', '=', REALM).where('status', '=', 'queued').orderBy('id').execute()) as Queued[];
    verification = queued.find((m) => m.kind === 'verification')!;
    // A reminder some of whose invoices would move up a level within a week: a second notice would follow it.
    const dueDates = new Map((await db().selectFrom('qbo_invoices').select(['id', 'due_date']).where('realm_id', '=', REALM).execute()).map((i) => [i.id, i.due_date]));
    reminder = queued.find((m) => m.kind === 'reminder' && m.customer_id !== verification.customer_id && m.invoice_ids.some((id) => (dueDates.get(id) ?? '9999') <= '2026-11-16'))!;
    expect(verification).toBeDefined();
    expect(reminder).toBeDefined();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await smtp?.stop();
  });

  it('follows "There is a problem" from the verification email and reports it', async () => {
    expect(await app.test.context.services.messages.send(verification.id)).toMatchObject({ status: 'sent' });
    const mail = mailOf(verification.id)!;
    expect(mail).toBeDefined();
    const problem = linkIn(mail.parsed.text ?? '', 'There is a problem')!;
    expect(problem).toMatch(/\/c\/answer\/v1\..+\?answer=problem$/);
    // The HTML part carries the same two links.
    expect(String(mail.parsed.html).replace(/&#x3D;/g, '=')).toContain(`href="${problem}"`);

    await customer.goto(problem);
    await screenshot(customer, 'customer-01-problem-form');
    await customer.getByLabel('We did not receive the goods or services').check();
    await customer.getByLabel('Tell us what is wrong').fill('Only half of the pallets arrived; <b>PO 7781</b> lists 12.');
    await customer.getByRole('button', { name: 'Report the problem' }).click();
    await customer.waitForURL(/answer=problem&done=1/);
    await expect(customer.getByRole('status').innerText()).resolves.toContain('You reported a problem on 2026-11-23');
    await screenshot(customer, 'customer-02-problem-reported');

    const dispute = await db().selectFrom('disputes').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', verification.customer_id).executeTakeFirstOrThrow();
    expect(dispute).toMatchObject({ category: 'not_received', status: 'open', source: 'customer', invoice_ids: verification.invoice_ids });
  });

  it('shows the dispute to the collector on the work list and the disputes page, and notes QuickBooks', async () => {
    const name = (await db().selectFrom('qbo_customers').select(['display_name']).where('realm_id', '=', REALM).where('id', '=', verification.customer_id).executeTakeFirstOrThrow()).display_name;
    await collector.goto(url(`/companies/${REALM}/worklist?flag=problem_reported`));
    const row = collector.locator('table.worklist tbody tr[data-task]');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.innerText()).toContain(name);
    expect(await row.locator('.flag-problem_reported').innerText()).toBe('Problem reported');
    await screenshot(collector, 'customer-03-worklist-problem');
    // The call sheet shows the customer's words, as text.
    await row.getByRole('link', { name: 'Call' }).click();
    await expect(collector.locator('h1').innerText()).resolves.toBe(`Call ${name}`);
    expect(await collector.locator('#disputes-heading + ul').innerText()).toContain('Only half of the pallets arrived; <b>PO 7781</b> lists 12.');
    await collector.goto(url(`/companies/${REALM}/disputes`));
    const disputes = await collector.locator('main').innerText();
    expect(disputes).toContain('Only half of the pallets arrived; <b>PO 7781</b> lists 12.');
    expect(disputes).toContain('reported by the customer');

    await app.test.context.services.notes.writePending(REALM);
    const notes = [...app.sandbox.sandbox.realm(REALM)!.table('Attachable').values()].map((a) => String((a as { Note?: string }).Note ?? ''));
    const note = notes.find((n) => n.includes('reported a problem'));
    expect(note).toContain(name);
    expect(note).toContain('dispute (not received): Only half of the pallets arrived');
  });

  it('opens the statement from a reminder and promises a payment; the confirmation arrives by email', async () => {
    expect(await app.test.context.services.messages.send(reminder.id)).toMatchObject({ status: 'sent' });
    const statement = linkIn(mailOf(reminder.id)!.parsed.text ?? '', 'how to pay, and a form to tell us when you will pay\\)')!;
    expect(statement).toMatch(/\/c\/statement\/v1\./);
    await customer.goto(statement);
    await expect(customer.locator('h1').innerText()).resolves.toBe('Your statement from Slate Works');
    const shown = await customer.locator('table.customer-invoices tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-invoice')));
    expect(shown).toEqual(expect.arrayContaining(reminder.invoice_ids));
    // The invoice's PDF comes from QuickBooks through the gateway.
    const href = await customer.locator(`tr[data-invoice="${reminder.invoice_ids[0]}"] a`, { hasText: 'PDF' }).getAttribute('href');
    const pdf = await customer.request.get(url(href!));
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await screenshot(customer, 'customer-04-statement');

    await customer.getByLabel('Amount').fill('300.00');
    await customer.getByLabel('I will pay by').fill('2026-12-04');
    await customer.getByRole('button', { name: 'Promise this payment' }).click();
    await customer.waitForURL(/promised=1/);
    await expect(customer.getByRole('status').innerText()).resolves.toContain('Your promise is recorded');
    expect(await customer.locator('.customer-promises').innerText()).toContain('You will pay $300.00 by 2026-12-04');
    await screenshot(customer, 'customer-05-promised');

    const promise = await db().selectFrom('promises').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', reminder.customer_id).executeTakeFirstOrThrow();
    expect(promise).toMatchObject({ due_on: '2026-12-04', status: 'open', source: 'customer' });
    promisedIds = promise.invoice_ids;
    const confirmation = await db().selectFrom('messages').select(['id']).where('realm_id', '=', REALM).where('key', '=', `promise-confirmation:${promise.id}`).executeTakeFirstOrThrow();
    expect(await app.test.context.services.messages.send(confirmation.id)).toMatchObject({ status: 'sent' });
    const mail = mailOf(confirmation.id)!;
    expect(mail.parsed.text).toContain('$300.00');
    expect(mail.parsed.text).toContain('December 4, 2026');
  });

  it('sends no dunning for what the promise covers while it stands', async () => {
    await sendQueued();
    const before = await databaseNow();
    clock.set('2026-11-30', '10:00');
    await app.test.context.services.cadence.runDay(REALM);
    const later = await dunningSince(reminder.customer_id, before);
    expect(later.filter((m) => m.invoice_ids.some((id) => promisedIds.includes(id)))).toEqual([]);
    // Others' invoices move on as usual that day: the run did dun.
    expect((await db().selectFrom('messages').select('kind').where('realm_id', '=', REALM).where('created_at', '>', before).execute()).some((m) => DUNNING_KINDS.has(m.kind))).toBe(true);
  });

  it('lists the disputed invoices in no later reminder', async () => {
    await sendQueued();
    const before = await databaseNow();
    // Both disputed invoices are overdue by then: without the dispute a reminder would list them.
    clock.set('2026-12-28', '10:00');
    await app.test.context.services.cadence.runDay(REALM);
    const later = await dunningSince(verification.customer_id, new Date(0));
    expect(later.filter((m) => m.invoice_ids.some((id) => verification.invoice_ids.includes(id)))).toEqual([]);
    expect((await db().selectFrom('messages').select('kind').where('realm_id', '=', REALM).where('created_at', '>', before).execute()).some((m) => DUNNING_KINDS.has(m.kind))).toBe(true);
    // The collector still has the call to make while the dispute is open.
    const task = await db().selectFrom('call_tasks').select(['reasons']).where('realm_id', '=', REALM).where('customer_id', '=', verification.customer_id).where('status', '=', 'open').executeTakeFirstOrThrow();
    expect(task.reasons).toContain('problem_reported');
    // The customer's promise is judged like a call's: past its date and grace days unpaid, it is broken.
    const promise = await db().selectFrom('promises').select(['status']).where('realm_id', '=', REALM).where('customer_id', '=', reminder.customer_id).executeTakeFirstOrThrow();
    expect(promise.status).toBe('broken');
  });
});
