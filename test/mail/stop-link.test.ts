import { createLogger } from '../../src/logger';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp';

const REALM = '9341030';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';
const DUNNING = ['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice'];

interface Attachable {
  Note: string;
  AttachableRef: Array<{ EntityRef: { type: string; value: string } }>;
}

/**
 * A personal customer can stop all contact (issue 21): its messages carry a signed *Stop
 * contacting me* link and a one-click List-Unsubscribe (RFC 8058). A provider's POST, with no
 * cookie and no form token, marks it do not contact; a GET only asks; a changed or another
 * account's token does nothing. A business customer's message has no one-click header.
 */
describe('the stop link and one-click unsubscribe', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let owner: HttpClient;
  let personal: string;
  let personalMail: ReceivedMail;
  let business: string;
  let businessMail: ReceivedMail;
  let second: string;
  let third: string;
  const silent = createLogger({ level: 'silent' });
  const db = () => app.test.context.db;
  const services = () => app.test.context.services;

  const messagesOf = (customerId: string) => db().selectFrom('messages').select(['id', 'status', 'kind']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).orderBy('id').execute();
  const tasksOf = (customerId: string) => db().selectFrom('call_tasks').select(['status']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).execute();
  /** Sends the customer's first queued dunning message and returns what the SMTP server got. */
  const sendOne = async (customerId: string): Promise<ReceivedMail> => {
    const message = (await messagesOf(customerId)).find((m) => m.status === 'queued' && DUNNING.includes(m.kind))!;
    expect((await services().messages.send(message.id)).status).toBe('sent');
    return smtp.received.find((mail) => mail.messageId === `<${message.id}@stop.test>`)!;
  };
  /** A header as it went over the wire (unfolded), not as mailparser interprets it. */
  const header = (mail: ReceivedMail, name: string) => {
    const head = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    return head.split(/\r?\n/).find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
  };
  const unsubscribeUrl = (mail: ReceivedMail) => /<(https?:\/\/[^>]+)>/.exec(header(mail, 'List-Unsubscribe') ?? '')?.[1];
  const oneClick = (url: string, body = 'List-Unsubscribe=One-Click') => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Stop Supply', customers: 30, invoices: 160 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Stop Supply AR <ar@stop.test>', SEND_REVIEW_DEFAULT: 'off' } });
    owner = new HttpClient(app.web.url);
    expect((await connect(app, owner, REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await services().cadence.runDay(REALM);
    const rows = await db().selectFrom('messages').select('customer_id').distinct().where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', 'in', DUNNING).orderBy('customer_id').execute();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    [personal, business, second, third] = rows.map((r) => r.customer_id) as [string, string, string, string];
    await services().customerTypes.choose(REALM, personal, 'personal');
    await services().customerTypes.choose(REALM, second, 'personal');
    await services().customerTypes.choose(REALM, third, 'personal');
    await services().customerTypes.choose(REALM, business, 'commercial');
    personalMail = await sendOne(personal);
    businessMail = await sendOne(business);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  it("gives a personal customer's reminder the one-click headers and the stop link; a business's has neither", () => {
    const url = unsubscribeUrl(personalMail);
    expect(url).toMatch(new RegExp(`^${app.web.url}/c/unsubscribe/v1\\.[\\w-]+\\.[\\w-]+$`));
    expect(header(personalMail, 'List-Unsubscribe')).toMatch(/^<https?:\/\/[^>]+>, <mailto:[^>]+\?subject=unsubscribe>$/);
    expect(header(personalMail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(personalMail.parsed.text).toMatch(new RegExp(`To ask us to stop contacting you: ${app.web.url}/c/stop/v1\\.`));
    expect(personalMail.parsed.html).toContain('Stop contacting me</a>');

    expect(header(businessMail, 'List-Unsubscribe-Post')).toBeUndefined();
    expect(unsubscribeUrl(businessMail)).toBeUndefined();
    expect(businessMail.parsed.text).not.toContain('/c/stop/');
  });

  it("lists the stop link on a personal customer's message page in the outbox", async () => {
    const id = /^<([^@]+)@/.exec(personalMail.messageId)![1]!;
    const html = await (await owner.get(`/companies/${REALM}/outbox/${id}`)).text();
    expect(html).toMatch(/href="[^"]*\/c\/stop\/v1\.[\w-]+\.[\w-]+"[^>]*>Stop contacting me<\/a>/);
    const businessId = /^<([^@]+)@/.exec(businessMail.messageId)![1]!;
    expect(await (await owner.get(`/companies/${REALM}/outbox/${businessId}`)).text()).not.toContain('Stop contacting me');
  });

  it('asks on GET and does nothing; refuses a changed token, another purpose\'s token and a POST without the one-click body', async () => {
    const url = unsubscribeUrl(personalMail)!;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Yes, stop contacting me');
    const [version, claims, signature] = new URL(url).pathname.split('/')[3]!.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(claims, 'base64url').toString());
    const otherAccount = Buffer.from(JSON.stringify({ ...decoded, c: business })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    for (const bad of [`${version}.${otherAccount}.${signature}`, `${version}.${claims}.${flipped}`, 'v1.e30.AAAA']) {
      expect((await oneClick(`${app.web.url}/c/unsubscribe/${bad}`)).status).toBe(404);
    }
    // The statement link's token (same account, another page) does not unsubscribe.
    const statement = /\/c\/statement\/(v1\.[\w-]+\.[\w-]+)/.exec(personalMail.parsed.text ?? '')![1]!;
    expect((await oneClick(`${app.web.url}/c/unsubscribe/${statement}`)).status).toBe(404);
    expect((await oneClick(url, 'something=else')).status).toBe(400);
    expect(await services().doNotContact.statusOf(REALM, personal)).toBeUndefined();
    expect(await services().doNotContact.statusOf(REALM, business)).toBeUndefined();
  });

  it("marks the customer do not contact on the provider's one-click POST: nothing more is sent, its task retires, QuickBooks gets the note", async () => {
    const response = await oneClick(unsubscribeUrl(personalMail)!);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await services().doNotContact.statusOf(REALM, personal)).toMatchObject({ source: 'unsubscribe' });
    expect((await tasksOf(personal)).map((t) => t.status)).toEqual(['retired']);
    expect((await messagesOf(personal)).filter((m) => m.status === 'queued')).toEqual([]);

    // Later runs queue nothing for it; whatever is there is not sent.
    await services().cadence.runDay(REALM, '2026-12-07');
    await services().cadence.runDay(REALM, '2026-12-21');
    const received = smtp.received.length;
    for (const message of await messagesOf(personal)) await services().messages.send(message.id);
    expect(smtp.received).toHaveLength(received);
    expect((await messagesOf(personal)).filter((m) => m.status === 'queued')).toEqual([]);
    expect((await tasksOf(personal)).map((t) => t.status)).toEqual(['retired']);

    await services().notes.writePending(REALM);
    const notes = (await app.test.context.quickbooks.client.query<Attachable>(REALM, 'Attachable', 'STARTPOSITION 1 MAXRESULTS 1000')).rows;
    const note = notes.find((n) => n.AttachableRef.some((r) => r.EntityRef.type === 'Customer' && r.EntityRef.value === personal) && n.Note.includes('do not contact'));
    expect(note?.Note).toContain('unsubscribed with one click');

    // The page now says so; a second click changes nothing.
    expect(await (await fetch(unsubscribeUrl(personalMail)!)).text()).toContain('sends you no more reminders');
    expect((await oneClick(unsubscribeUrl(personalMail)!)).status).toBe(200);
    expect(await services().doNotContact.statusOf(REALM, personal)).toMatchObject({ source: 'unsubscribe' });
  });

  it('the stop page asks to confirm, needs its CSRF token, and then marks the customer (source: customer link)', async () => {
    const mail = await sendOne(second);
    const stopUrl = new URL(/(https?:\/\/\S+\/c\/stop\/v1\.[\w-]+\.[\w-]+)/.exec(mail.parsed.text ?? '')![1]!);
    const customer = new HttpClient(app.web.url);
    const page = await customer.get(stopUrl.pathname);
    expect(page.status).toBe(200);
    const token = csrfTokenIn(await page.text());
    expect((await customer.postForm(stopUrl.pathname, {})).status).toBe(403);
    expect(await services().doNotContact.statusOf(REALM, second)).toBeUndefined();
    const done = await customer.postForm(stopUrl.pathname, { _csrf: token });
    expect(done.status).toBe(303);
    expect(await services().doNotContact.statusOf(REALM, second)).toMatchObject({ source: 'customer_link', reason: 'The customer asked, through the link in our message, to stop contacting them' });
    expect(await (await customer.get(`${stopUrl.pathname}?done=1`)).text()).toContain('Done.');
    // Marked twice by any way is one mark.
    expect((await services().doNotContact.mark(REALM, second, { source: 'collector', reason: 'again' }, silent)).marked).toBe(false);
  });

  it('takes the one-click POST as multipart/form-data too (RFC 8058 allows either encoding)', async () => {
    const mail = await sendOne(third);
    const form = new FormData();
    form.append('List-Unsubscribe', 'One-Click');
    const response = await fetch(unsubscribeUrl(mail)!, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(await services().doNotContact.statusOf(REALM, third)).toMatchObject({ source: 'unsubscribe' });
  });
});
