import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { pdfText } from '../support/pdf';

const REALM = '9341002';
const TOKEN = 'operator-token-for-letter-tests-0123456789';
const NOW = '2026-11-20T15:00:00Z';

describe('letters to print and post, and the template pages', () => {
  let app: ConnectedApp;
  const get = (path: string) => fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const postForm = (path: string, form: Record<string, string>) =>
    fetch(`${app.web.url}${path}`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Quarry Supply', customers: 25, invoices: 120 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(() => app.stop());

  const letterOf = async (kind: string) =>
    app.test.context.db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('kind', '=', kind).orderBy('id').executeTakeFirstOrThrow();

  it('shows a verification letter as a printable page with the address, invoices and terms, and notes it was printed', async () => {
    const message = await letterOf('verification');
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').selectAll().where('realm_id', '=', REALM).where('id', '=', message.invoice_ids[0]!).executeTakeFirstOrThrow();
    const customer = await app.test.context.db.selectFrom('qbo_customers').selectAll().where('realm_id', '=', REALM).where('id', '=', message.customer_id).executeTakeFirstOrThrow();
    const page = await get(`/companies/${REALM}/letters/${message.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(String(invoice.doc_number));
    expect(html).toContain('Is everything as you ordered?');
    expect(html).toContain((customer.raw as { BillAddr: { Line1: string } }).BillAddr.Line1);
    expect(html).toContain('href="/print.css"');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await app.test.context.repos.outbox.find(message.id))!.printed_at).toBeInstanceOf(Date);
  });

  it('downloads a demand letter or verification letter as a PDF whose text carries the invoices and the total', async () => {
    const message = await letterOf('verification');
    const response = await get(`/companies/${REALM}/letters/${message.id}/pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="verification-[A-Za-z0-9._-]+\.pdf"$/);
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').selectAll().where('realm_id', '=', REALM).where('id', '=', message.invoice_ids[0]!).executeTakeFirstOrThrow();
    expect(text).toContain('Quarry Supply');
    expect(text).toContain(String(invoice.doc_number));
    expect(text).toContain(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(invoice.balance)));
    expect(text).toContain('Total');
    expect(text).toContain('Is everything as you ordered?');
  });

  it('refuses a letter of another kind or company, and a malformed id, without a trace of it', async () => {
    const reminder = await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('kind', '=', 'reminder').executeTakeFirst();
    if (reminder) expect((await get(`/companies/${REALM}/letters/${reminder.id}`)).status).toBe(404);
    expect((await get(`/companies/${REALM}/letters/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await get(`/companies/${REALM}/letters/not-a-uuid/pdf`)).status).toBe(400);
    // Without a session or the API token, no company exists at all.
    expect((await fetch(`${app.web.url}/companies/${REALM}/letters/00000000-0000-4000-8000-000000000000`, { redirect: 'manual' })).status).toBe(404);
  });

  it('lists the outbox with its letters, and shows one message as the customer sees it', async () => {
    const message = await letterOf('verification');
    const outbox = await (await get(`/companies/${REALM}/outbox`)).text();
    expect(outbox).toContain(`/companies/${REALM}/letters/${message.id}/pdf`);
    expect(outbox).toMatch(/queued \(\d+\)/);
    const view = await get(`/companies/${REALM}/outbox/${message.id}`);
    expect(view.status).toBe(200);
    expect(await view.text()).toContain('<iframe class="mail-preview"');
  });

  it('refuses a broken template from the edit page with its line, keeps what was typed, and previews a good one', async () => {
    const path = `/companies/${REALM}/templates/reminder`;
    const broken = 'Dear {{contact.name}},\n{{#if total}}\nYou owe {{money total}}.\n';
    const refused = await postForm(path, { subject: 'Reminder', html: broken, text: 'Hello' });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('The HTML part has a {{#if}} that is never closed (line 2)');
    expect(page).toContain('You owe {{money total}}.');
    expect(await app.test.context.db.selectFrom('template_overrides').selectAll().where('realm_id', '=', REALM).execute()).toHaveLength(0);

    const preview = await postForm(`${path}/preview`, { subject: 'Now {{money total}}', html: '<p>Dear {{contact.name}}</p>', text: 'Dear {{contact.name}}' });
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    expect(shown).toContain('Now $4,210.00');
    expect(shown).toContain('srcdoc="&lt;p&gt;Dear Jordan Lee&lt;/p&gt;"');
    expect(await app.test.context.db.selectFrom('template_overrides').selectAll().where('realm_id', '=', REALM).execute()).toHaveLength(0);

    const saved = await postForm(path, { subject: 'Now {{money total}}', html: '<p>Dear {{contact.name}}</p>', text: 'Dear {{contact.name}}' });
    expect(saved.status).toBe(303);
    expect(await app.test.context.repos.outbox.overridesOf(REALM, 'reminder')).toEqual({ subject: 'Now {{money total}}', html: '<p>Dear {{contact.name}}</p>', text: 'Dear {{contact.name}}' });
    expect((await postForm(`${path}/revert`, {})).status).toBe(303);
    expect(await app.test.context.repos.outbox.overridesOf(REALM, 'reminder')).toEqual({});
  });
});
