import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341026';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

/**
 * What goes out is the consumer variant for a personal customer (QuickBooks has no company name
 * for it, or the collector said so) and the business letter for a business: through the send to
 * a real SMTP server, with the company's override of the variant, not of the business letter.
 */
describe('consumer letters go to personal customers', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  const db = () => app.test.context.db;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Harbor Goods', customers: 40, invoices: 200 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Harbor Goods AR <ar@harbor.test>' } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  /** Queued messages of one kind, to customers with (business) or without (personal) a company name. */
  const queued = async (kind: string, business: boolean) =>
    db()
      .selectFrom('messages as m')
      .innerJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'm.realm_id').onRef('c.id', '=', 'm.customer_id'))
      .select(['m.id', 'm.customer_id', 'c.display_name'])
      .where('m.realm_id', '=', REALM)
      .where('m.status', '=', 'queued')
      .where('m.kind', '=', kind)
      .where('c.company_name', business ? 'is not' : 'is', null)
      .orderBy('m.id')
      .execute();
  const mailOf = (id: string) => smtp.received.find((m) => m.messageId === `<${id}@harbor.test>`)!;

  it('a personal customer gets the plain variant; a business the business letter', async () => {
    const kinds = (await db().selectFrom('messages').select('kind').distinct().where('realm_id', '=', REALM).where('status', '=', 'queued').execute()).map((r) => r.kind);
    const kind = ['reminder', 'overdue_statement', 'second_notice', 'verification'].find((k) => kinds.includes(k))!;
    const [personal] = await queued(kind, false);
    const [business] = await queued(kind, true);
    expect(personal && business).toBeTruthy();
    expect((await app.test.context.services.letters.document(REALM, personal!.id)).template).toBe(`${kind}_personal`);
    expect((await app.test.context.services.letters.document(REALM, business!.id)).template).toBe(kind);

    // The company's own wording of the consumer variant is what the personal customer gets.
    await app.test.context.services.templates.save(REALM, `${kind}_personal` as never, { subject: 'A note from Harbor Goods for {{customer.name}}' });
    for (const message of [personal!, business!]) expect((await app.test.context.services.messages.send(message.id)).status).toBe('sent');
    expect(mailOf(personal!.id).parsed.subject).toBe(`A note from Harbor Goods for ${personal!.display_name}`);
    expect(mailOf(business!.id).parsed.subject).not.toContain('A note from Harbor Goods');
    expect(mailOf(personal!.id).parsed.text).not.toMatch(/Attention:|Thank you for your business|purchase order/);
  });

  it('the collector marking a business as personal turns its letters into the consumer variant', async () => {
    const [business] = await queued('reminder', true).then((rows) => (rows.length ? rows : queued('overdue_statement', true)));
    await app.test.context.services.customerTypes.choose(REALM, business!.customer_id, 'personal');
    expect((await app.test.context.services.letters.document(REALM, business!.id)).template).toMatch(/_personal$/);
  });
});
