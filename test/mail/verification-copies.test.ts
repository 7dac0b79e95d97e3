import { createHash } from 'node:crypto';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { pdfText } from '../support/pdf';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341027';
const OTHER = '9341028';
const TOKEN = 'operator-token-for-verification-copies-0123456789';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

interface MessageJson {
  sha256: string;
  parts: Record<string, string>;
  attachments: Array<{ filename: string; contentType: string; size: number; sha256: string; part: string; url: string }>;
}

/** The manifest as src/mail/sent-copy.ts documents it: body parts in order, then attachment.1, attachment.2, … */
const manifestOf = (parts: Record<string, string>) => {
  const attachments = Object.keys(parts).filter((name) => name.startsWith('attachment.')).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  return ['subject', 'text', 'html', 'letterHtml', 'pdf', ...attachments].filter((part) => parts[part]).map((part) => `${part} ${parts[part]}\n`).join('');
};
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

/** The verification letter says "here is a copy": a copy of each invoice goes with it, drawn from the invoice QuickBooks just gave (or QuickBooks' own PDF, by choice). */
describe('the verification letter attaches a copy of each invoice it lists', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  const db = () => app.test.context.db;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({
      realms: [
        { realmId: REALM, name: 'Birch Supply', customers: 30, invoices: 150 },
        { realmId: OTHER, name: 'Other Supply', customers: 5, invoices: 10 },
      ],
      env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Birch Supply AR <ar@birch.test>', API_TOKEN: TOKEN },
    });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    expect((await connect(app, new HttpClient(app.web.url), OTHER)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const reads = async () => (await db().selectFrom('quickbooks_reads').select(['count']).where('realm_id', '=', REALM).where('kind', '=', 'read').execute()).reduce((sum, r) => sum + Number(r.count), 0);
  const pdfRequests = () => app.sandbox.sandbox.requestLog.filter((e) => e.realmId === REALM && e.kind === 'pdf').length;

  it('each listed invoice as a PDF attachment, drawn from the invoice the balance check read (no read of its own); a reminder attaches nothing', async () => {
    const letter = await db().selectFrom('messages').select(['id', 'invoice_ids']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    const invoices = await db().selectFrom('qbo_invoices').select(['id', 'doc_number', 'raw']).where('realm_id', '=', REALM).where('id', 'in', letter.invoice_ids).execute();
    const numbers = invoices.map((i) => i.doc_number ?? i.id);
    const [readsBefore, pdfsBefore] = [await reads(), pdfRequests()];
    const queriesBefore = app.sandbox.sandbox.requestLog.filter((e) => e.realmId === REALM && e.kind === 'query').length;
    expect((await app.test.context.services.messages.send(letter.id)).status).toBe('sent');
    const mail = smtp.received.find((m) => m.messageId === `<${letter.id}@birch.test>`)!;
    expect(mail.parsed.attachments.map((a) => [a.filename, a.contentType]).sort()).toEqual(numbers.map((n) => [`invoice-${n}.pdf`, 'application/pdf']).sort());
    for (const attachment of mail.parsed.attachments) {
      const number = attachment.filename!.replace(/^invoice-|\.pdf$/g, '');
      const raw = invoices.find((i) => (i.doc_number ?? i.id) === number)!.raw as { Line: Array<{ Description?: string; DetailType: string }>; TotalAmt: number; Balance: number };
      const text = pdfText(attachment.content).replace(/\s+/g, ' ');
      expect(text).toContain(`Invoice ${number}`);
      expect(text).toContain('Birch Supply');
      for (const line of raw.Line.filter((l) => l.DetailType === 'SalesItemLineDetail' && l.Description)) expect(text).toContain(line.Description!);
      expect(text).toContain(`Total $${raw.TotalAmt.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
      expect(text).toContain(`Balance due $${raw.Balance.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    }
    // The balance check's one query read them whole; nothing else was asked of QuickBooks.
    expect(pdfRequests() - pdfsBefore).toBe(0);
    expect((await reads()) - readsBefore).toBe(0);
    expect(app.sandbox.sandbox.requestLog.filter((e) => e.realmId === REALM && e.kind === 'query').length - queriesBefore).toBe(1);
    const sent = await db().selectFrom('activities').select('details').where('realm_id', '=', REALM).where('key', '=', `sent:${letter.id}`).executeTakeFirstOrThrow();
    expect((sent.details as { attachments: Array<{ sha256: string }> }).attachments).toHaveLength(letter.invoice_ids.length);

    const reminder = await db().selectFrom('messages').select('id').where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '!=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    expect((await app.test.context.services.messages.send(reminder.id)).status).toBe('sent');
    expect(smtp.received.find((m) => m.messageId === `<${reminder.id}@birch.test>`)!.parsed.attachments).toEqual([]);
  });

  it('a company that chose QuickBooks\' own PDFs gets them, each fetch a counted read', async () => {
    await app.test.context.services.settings.change(REALM, { quickBooksInvoicePdfs: true });
    try {
      const letter = await db().selectFrom('messages').select(['id', 'invoice_ids']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();
      const [readsBefore, pdfsBefore] = [await reads(), pdfRequests()];
      expect((await app.test.context.services.messages.send(letter.id)).status).toBe('sent');
      const mail = smtp.received.find((m) => m.messageId === `<${letter.id}@birch.test>`)!;
      expect(mail.parsed.attachments).toHaveLength(letter.invoice_ids.length);
      for (const attachment of mail.parsed.attachments) expect(pdfText(attachment.content)).toContain(attachment.filename!.replace(/^invoice-|\.pdf$/g, ''));
      expect(pdfRequests() - pdfsBefore).toBe(letter.invoice_ids.length);
      expect((await reads()) - readsBefore).toBe(letter.invoice_ids.length);
    } finally {
      await app.test.context.services.settings.change(REALM, { quickBooksInvoicePdfs: false });
    }
  });

  const get = (path: string) => fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const json = async (path: string) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return (await response.json()) as MessageJson;
  };

  it('keeps the invoice PDFs with the sent copy: the API lists each with its size and SHA-256, serves the very bytes sent, and the copy\'s sha256 covers them', async () => {
    const letter = await db().selectFrom('messages').select(['id', 'invoice_ids']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    expect((await app.test.context.services.messages.send(letter.id)).status).toBe('sent');
    const mail = smtp.received.find((m) => m.messageId === `<${letter.id}@birch.test>`)!;
    const sent = await json(`/api/realms/${REALM}/messages/${letter.id}`);

    expect(sent.attachments.map((a) => a.filename)).toEqual(mail.parsed.attachments.map((a) => a.filename));
    expect(sent.attachments).toHaveLength(letter.invoice_ids.length);
    for (const [index, listed] of sent.attachments.entries()) {
      const received = mail.parsed.attachments[index]!;
      expect(listed).toEqual({ filename: received.filename, contentType: 'application/pdf', size: received.content.length, sha256: sha256(received.content), part: `attachment.${index + 1}`, url: `/api/realms/${REALM}/messages/${letter.id}/attachments/${index + 1}` });
      expect(sent.parts[listed.part]).toBe(listed.sha256);
      const download = await get(listed.url);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toMatch(/^application\/pdf/);
      expect(download.headers.get('content-disposition')).toContain(received.filename!);
      expect(Buffer.from(await download.arrayBuffer()).equals(received.content)).toBe(true);
    }
    // The outbox's page of the message links each one, with its digest.
    const page = await (await get(`/companies/${REALM}/outbox/${letter.id}`)).text();
    for (const listed of sent.attachments) expect(page).toContain(`<a href="${listed.url}">${listed.filename}</a> (${listed.size} bytes; SHA-256 <code>${listed.sha256}</code>)`);
    // The copy's sha256 is over the manifest with the attachments' lines: change a byte of one and it no longer matches.
    expect(manifestOf(sent.parts)).toMatch(/^subject [0-9a-f]{64}\ntext [0-9a-f]{64}\nhtml [0-9a-f]{64}\nletterHtml [0-9a-f]{64}\npdf [0-9a-f]{64}\nattachment\.1 [0-9a-f]{64}\n/);
    expect(sha256(manifestOf(sent.parts))).toBe(sent.sha256);
    const withoutAttachments = Object.fromEntries(Object.entries(sent.parts).filter(([name]) => !name.startsWith('attachment.')));
    expect(sha256(manifestOf(withoutAttachments))).not.toBe(sent.sha256);
    const activity = await db().selectFrom('activities').select('details').where('realm_id', '=', REALM).where('key', '=', `sent:${letter.id}`).executeTakeFirstOrThrow();
    expect((activity.details as { attachments: Array<{ filename: string; sha256: string }> }).attachments).toEqual(sent.attachments.map((a) => ({ filename: a.filename, sha256: a.sha256 })));

    // Another company's realm, an attachment the message did not carry, a malformed number, no sign-in: nothing served.
    expect((await get(`/api/realms/${OTHER}/messages/${letter.id}/attachments/1`)).status).toBe(404);
    expect((await get(`/api/realms/${OTHER}/messages/${letter.id}`)).status).toBe(404);
    expect((await get(`/api/realms/${REALM}/messages/${letter.id}/attachments/${sent.attachments.length + 1}`)).status).toBe(404);
    expect((await get(`/api/realms/${REALM}/messages/${letter.id}/attachments/first`)).status).toBe(400);
    expect((await fetch(`${app.web.url}${sent.attachments[0]!.url}`)).status).toBeGreaterThanOrEqual(401);
  });

  it('a message without attachments keeps the manifest, and so the sha256, it always had', async () => {
    const reminder = await db().selectFrom('messages').select('id').where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '!=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    expect((await app.test.context.services.messages.send(reminder.id)).status).toBe('sent');
    const sent = await json(`/api/realms/${REALM}/messages/${reminder.id}`);
    expect(sent.attachments).toEqual([]);
    expect(Object.keys(sent.parts).sort()).toEqual(['html', 'subject', 'text']);
    expect(sha256(`subject ${sent.parts.subject}\ntext ${sent.parts.text}\nhtml ${sent.parts.html}\n`)).toBe(sent.sha256);
    expect(await db().selectFrom('sent_copy_attachments').select('position').where('message_id', '=', reminder.id).execute()).toEqual([]);
  });
});
