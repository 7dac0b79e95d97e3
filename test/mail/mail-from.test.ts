import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { fromFor } from '../../src/services/send-message';

const REALM = '9341973';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

/**
 * Issue 20: MAIL_FROM per company where the mail setup allows it. A company may send From its own
 * address on a domain MAIL_FROM_DOMAINS lists (checked next to the field); otherwise its emails
 * come from MAIL_FROM's address with the company's name, over a real SMTP server.
 */
describe('the From address of a company\'s emails', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let owner: HttpClient;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Quayside Tools', customers: 8, invoices: 30 }],
      env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Ardesk <ardesk@mail.ardesk.test>', MAIL_FROM_DOMAINS: 'quayside.test, Billing.Quayside.test' },
    });
    owner = new HttpClient(app.web.url);
    await connect(app, owner, REALM);
    await app.test.context.sync.run(REALM, 'full');
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const settings = async () => (await owner.get(`/companies/${REALM}/settings`)).text();
  const sendReminder = async (key: string) => {
    const { db, services } = app.test.context;
    const invoice = await db.selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('balance', '>', '0').orderBy('id').executeTakeFirstOrThrow();
    const message = await db.insertInto('messages').values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'reminder', to_address: 'ap@customer.test', invoice_ids: JSON.stringify([invoice.id]), total: 1, send_at: new Date(NOW), key }).returning('id').executeTakeFirstOrThrow();
    const before = smtp.received.length;
    expect((await services.messages.send(message.id)).status).toBe('sent');
    expect(smtp.received).toHaveLength(before + 1);
    return smtp.received[before]!.parsed;
  };

  it('sends from MAIL_FROM\'s address with the company\'s name until the company gives its own', async () => {
    const mail = await sendReminder('test:from-default');
    expect(mail.from?.value).toEqual([{ name: 'Quayside Tools', address: 'ardesk@mail.ardesk.test' }]);
  });

  it('refuses a From address on a domain the mail setup does not send for, next to the field, and saves nothing', async () => {
    const refused = await owner.postForm(`/companies/${REALM}/settings/sender`, { _csrf: csrfTokenIn(await settings()), fromAddress: 'ar@gmail.com' });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(/name="fromAddress" value="ar@gmail.com"[^>]* aria-invalid="true" aria-describedby="fromAddress-error"><\/label><span class="field-error" id="fromAddress-error">Emails can only be sent from an address at quayside.test or billing.quayside.test; leave it empty/);
    expect((await app.test.context.services.senderIdentity.of(REALM)).fromAddress).toBeNull();
    const notAnAddress = await owner.postForm(`/companies/${REALM}/settings/sender`, { _csrf: csrfTokenIn(await settings()), fromAddress: 'accounts at quayside' });
    expect(await notAnAddress.text()).toContain('The From address must be an email address, like accounts@yourcompany.com');
  });

  it('sends from the company\'s own address on an allowed domain, with its name', async () => {
    const saved = await owner.postForm(`/companies/${REALM}/settings/sender`, { _csrf: csrfTokenIn(await settings()), fromAddress: 'Accounts@Billing.Quayside.test' });
    expect(saved.status).toBe(303);
    expect(await settings()).toContain('name="fromAddress" value="Accounts@Billing.Quayside.test"');
    const mail = await sendReminder('test:from-own');
    // (Domains are case-blind: the mail setup writes this one in lower case.)
    expect(mail.from?.value).toEqual([{ name: 'Quayside Tools', address: 'Accounts@billing.quayside.test' }]);
    // Message-IDs stay on the mail setup's own domain.
    expect(mail.messageId).toMatch(/@mail\.ardesk\.test>$/);
  });

  it('falls back to MAIL_FROM\'s address when a saved domain is no longer allowed, and quotes the name', () => {
    expect(fromFor('Quayside Tools', 'accounts@quayside.test', 'Ardesk <ardesk@mail.ardesk.test>', [])).toBe('"Quayside Tools" <ardesk@mail.ardesk.test>');
    expect(fromFor('Smith "The Tools" & Co', null, 'ardesk@mail.ardesk.test', ['quayside.test'])).toBe('"Smith \\"The Tools\\" & Co" <ardesk@mail.ardesk.test>');
  });
});
