import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { pdfText } from '../support/pdf';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341027';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

/** The verification letter says "here is a copy": QuickBooks' own PDF of each invoice goes with it, each fetch a counted read. */
describe('the verification letter attaches the invoices from QuickBooks', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  const db = () => app.test.context.db;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Birch Supply', customers: 30, invoices: 150 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Birch Supply AR <ar@birch.test>' } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const reads = async () => (await db().selectFrom('quickbooks_reads').select(['count']).where('realm_id', '=', REALM).where('kind', '=', 'read').execute()).reduce((sum, r) => sum + Number(r.count), 0);
  const pdfRequests = () => app.sandbox.sandbox.requestLog.filter((e) => e.realmId === REALM && e.kind === 'pdf').length;

  it('each listed invoice as a PDF attachment, read through the gateway and counted; a reminder attaches nothing', async () => {
    const letter = await db().selectFrom('messages').select(['id', 'invoice_ids']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    const numbers = (await db().selectFrom('qbo_invoices').select(['id', 'doc_number']).where('realm_id', '=', REALM).where('id', 'in', letter.invoice_ids).execute()).map((i) => i.doc_number ?? i.id);
    const [readsBefore, pdfsBefore] = [await reads(), pdfRequests()];
    expect((await app.test.context.services.messages.send(letter.id)).status).toBe('sent');
    const mail = smtp.received.find((m) => m.messageId === `<${letter.id}@birch.test>`)!;
    expect(mail.parsed.attachments.map((a) => [a.filename, a.contentType]).sort()).toEqual(numbers.map((n) => [`invoice-${n}.pdf`, 'application/pdf']).sort());
    for (const attachment of mail.parsed.attachments) expect(pdfText(attachment.content)).toContain(attachment.filename!.replace(/^invoice-|\.pdf$/g, ''));
    expect(pdfRequests() - pdfsBefore).toBe(letter.invoice_ids.length);
    expect((await reads()) - readsBefore).toBeGreaterThanOrEqual(letter.invoice_ids.length);
    const sent = await db().selectFrom('activities').select('details').where('realm_id', '=', REALM).where('key', '=', `sent:${letter.id}`).executeTakeFirstOrThrow();
    expect((sent.details as { attachments: Array<{ sha256: string }> }).attachments).toHaveLength(letter.invoice_ids.length);

    const reminder = await db().selectFrom('messages').select('id').where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '!=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    expect((await app.test.context.services.messages.send(reminder.id)).status).toBe('sent');
    expect(smtp.received.find((m) => m.messageId === `<${reminder.id}@birch.test>`)!.parsed.attachments).toEqual([]);
  });
});
