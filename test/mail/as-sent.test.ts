import { createHash } from 'node:crypto';
import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { pdfText } from '../support/pdf';

const REALM = '9341021';
const TOKEN = 'operator-token-for-as-sent-tests-0123456789';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

interface MessageJson {
  id: string;
  kind: string;
  status: string;
  stored: boolean;
  sha256: string | null;
  parts: Record<string, string> | null;
  sentAt: string | null;
  dated: string | null;
  subject: string;
  text: string;
  html: string;
  pdf: string | null;
}

/**
 * What a customer received is the evidence: a letter is kept as it went out and every later view,
 * print, PDF and the escalation file show that copy, however the records or the templates change.
 */
describe('messages and letters kept as sent', () => {
  let app: ConnectedApp;
  let realm: Realm;
  const get = (path: string) => fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const json = async (path: string) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return (await response.json()) as MessageJson;
  };
  const bytes = async (path: string) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };
  const text = async (path: string) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Granite Supply', customers: 20, invoices: 80 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    realm = app.sandbox.sandbox.realm(REALM)!;
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(() => app.stop());

  /** A demand letter queued for a customer with an open overdue invoice (the cadence would queue it weeks later). */
  async function queueDemandLetter(): Promise<{ id: string; customerId: string; invoiceId: string; docNumber: string }> {
    const { db } = app.test.context;
    const invoice = await db.selectFrom('qbo_invoices').selectAll().where('realm_id', '=', REALM).where('balance', '>', '0').where('due_date', '<', '2026-11-01').orderBy('id').executeTakeFirstOrThrow();
    const row = await db
      .insertInto('messages')
      .values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'demand_letter', to_address: 'ap@granite-customer.test', invoice_ids: JSON.stringify([invoice.id]), total: invoice.balance, send_at: new Date(NOW), key: `test:demand:${invoice.id}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, customerId: invoice.customer_id, invoiceId: invoice.id, docNumber: String(invoice.doc_number) };
  }

  it('keeps a demand letter as sent: after its invoice is paid and the template edited, its page, PDF, API copy and the escalation file are what was sent, and sha256 matches', async () => {
    const letter = await queueDemandLetter();
    const before = await json(`/api/realms/${REALM}/messages/${letter.id}`);
    expect(before).toMatchObject({ status: 'queued', stored: false, sha256: null });

    expect(await app.test.context.services.messages.send(letter.id)).toMatchObject({ status: 'sent' });
    const sent = await json(`/api/realms/${REALM}/messages/${letter.id}`);
    expect(sent).toMatchObject({ status: 'sent', stored: true, kind: 'demand_letter', dated: '2026-11-20' });
    expect(sent.text).toContain(letter.docNumber);
    // The digest: each part's SHA-256, and the SHA-256 of the manifest of them (src/mail/sent-copy.ts).
    expect(sent.parts).toMatchObject({ subject: sha256(sent.subject), text: sha256(sent.text), html: sha256(sent.html) });
    const pdf = await bytes(sent.pdf!);
    expect(sha256(pdf)).toBe(sent.parts!.pdf);
    const manifest = ['subject', 'text', 'html', 'letterHtml', 'pdf'].filter((part) => sent.parts![part]).map((part) => `${part} ${sent.parts![part]}\n`).join('');
    expect(sha256(manifest)).toBe(sent.sha256);
    const page = await text(`/companies/${REALM}/letters/${letter.id}`);
    const pagePdf = await bytes(`/companies/${REALM}/letters/${letter.id}/pdf`);
    const shown = await text(`/companies/${REALM}/outbox/${letter.id}`);
    expect(shown).toContain(sent.sha256!);
    expect(shown).toMatch(/Kept when it went out, \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z;/);
    expect(page).toContain(`As sent; SHA-256 <code>${sent.sha256}</code>`);

    // Then the world moves on: the invoice is paid, the template edited, the records re-read.
    const invoice = realm.table('Invoice').get(letter.invoiceId) as unknown as { Id: string; Balance: number; CustomerRef: { value: string } };
    realm.create('Payment', { CustomerRef: invoice.CustomerRef, TotalAmt: invoice.Balance, Line: [{ Amount: invoice.Balance, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });
    await app.test.context.sync.run(REALM, 'full');
    expect((await app.test.context.db.selectFrom('qbo_invoices').select('balance').where('realm_id', '=', REALM).where('id', '=', letter.invoiceId).executeTakeFirstOrThrow()).balance).toBe('0.00');
    await app.test.context.repos.outbox.saveOverrides(REALM, 'demand_letter', { subject: 'EDITED {{customer.name}}', html: '<p>EDITED {{money total}}</p>', text: 'EDITED {{money total}}' });

    const after = await json(`/api/realms/${REALM}/messages/${letter.id}`);
    expect(after).toEqual(sent);
    expect((await bytes(sent.pdf!)).equals(pdf)).toBe(true);
    expect((await bytes(`/companies/${REALM}/letters/${letter.id}/pdf`)).equals(pagePdf)).toBe(true);
    expect(pagePdf.equals(pdf)).toBe(true);
    expect(await text(`/companies/${REALM}/letters/${letter.id}`)).toBe(page);
    const shownAfter = await text(`/companies/${REALM}/outbox/${letter.id}`);
    expect(shownAfter).not.toContain('EDITED');
    expect(shownAfter).toContain(sent.sha256!);

    const file = await text(`/companies/${REALM}/customers/${letter.customerId}/escalation`);
    expect(file).toContain(`SHA-256 ${sent.sha256}`);
  });

  it('shows the verification letter in the escalation file as sent, not as the edited template renders it today', async () => {
    const { db } = app.test.context;
    const verification = await db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('kind', '=', 'verification').where('status', '=', 'queued').orderBy('id').executeTakeFirstOrThrow();
    expect(await app.test.context.services.messages.send(verification.id)).toMatchObject({ status: 'sent' });
    const sent = await json(`/api/realms/${REALM}/messages/${verification.id}`);
    await app.test.context.repos.outbox.saveOverrides(REALM, 'verification', { subject: 'REWRITTEN', html: '<p>REWRITTEN</p>', text: 'REWRITTEN' });

    const records = await app.test.context.services.escalationFiles.recordsOf(REALM, verification.customer_id);
    const kept = records.verifications.find((v) => v.message.id === verification.id)!;
    expect(kept).toMatchObject({ sha256: sent.sha256, reRendered: false, rendered: { subject: sent.subject, text: sent.text, html: sent.html } });
    const file = await text(`/companies/${REALM}/customers/${verification.customer_id}/escalation`);
    expect(file).not.toContain('REWRITTEN');
    expect(file).toContain(`As sent; SHA-256 ${sent.sha256}`);
    expect(await db.selectFrom('sent_copies').select('sha256').where('message_id', '=', verification.id).executeTakeFirstOrThrow()).toEqual({ sha256: sent.sha256 });
  });

  it('prints the verification letter dated, with the company\'s return address from QuickBooks, and no "reply to this email" on paper', async () => {
    const { db } = app.test.context;
    await app.test.context.repos.outbox.saveOverrides(REALM, 'verification', { subject: null, html: null, text: null });
    const verification = await db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('kind', '=', 'verification').where('status', '=', 'queued').orderBy('id').executeTakeFirstOrThrow();
    expect(await app.test.context.services.messages.send(verification.id)).toMatchObject({ status: 'sent' });
    const page = await text(`/companies/${REALM}/letters/${verification.id}`);
    expect(page).toContain('100 Market Street, Springfield, IL 62701');
    expect(page).toContain('November 20, 2026');
    const pdf = pdfText(await bytes(`/companies/${REALM}/letters/${verification.id}/pdf`)).replace(/\s+/g, ' ');
    expect(pdf).toContain('100 Market Street, Springfield, IL 62701');
    expect(pdf).toMatch(/^Granite Supply .*November 20, 2026 Dear /);
    expect(pdf).not.toMatch(/reply to this/i);
  });

  it('previews a queued message by rendering it, and refuses another company\'s or a malformed id', async () => {
    const queued = await app.test.context.db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('status', '=', 'queued').orderBy('id').executeTakeFirstOrThrow();
    const preview = await json(`/api/realms/${REALM}/messages/${queued.id}`);
    expect(preview).toMatchObject({ status: 'queued', stored: false, sha256: null, parts: null });
    expect(preview.subject.length).toBeGreaterThan(0);
    expect((await get(`/api/realms/${REALM}/messages/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await get(`/api/realms/${REALM}/messages/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${app.web.url}/api/realms/${REALM}/messages/${queued.id}`)).status).toBeGreaterThanOrEqual(401);
  });
});
