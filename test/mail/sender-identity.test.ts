import type { Realm } from '../../src/sandbox/realm';
import { greetingOf, mergeDataFor, postalLines } from '../../src/mail/merge-data';
import { sampleMergeData, TemplateBook, TEMPLATE_NAMES, type MergeData } from '../../src/mail/templates';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341801';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

const IDENTITY = {
  collectorName: 'Dana Whitfield',
  collectorTitle: 'Credit Controller',
  replyTo: 'dana@harbor.test',
  directPhone: '(555) 010-7788',
  remitTo: 'Harbor Tools Ltd\nPO Box 881\nPortland, ME 04101',
  bankTransfer: 'Casco Bank, account Harbor Tools Ltd, routing 011200365, account 5550-1234',
  returnAddress: '',
};

/** Text of an HTML part as a reader sees it: tags dropped, entities and spaces folded. */
const readable = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#x27;|&#39;/g, "'").replace(/\s+/g, ' ');

describe('the sender identity: who writes to customers and how they pay', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let realm: Realm;
  let owner: HttpClient;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Harbor Tools', customers: 10, invoices: 40 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Harbor Tools AR <ar@harbor.test>' } });
    owner = new HttpClient(app.web.url);
    expect((await connect(app, owner, REALM)).status).toBeLessThan(400);
    realm = app.sandbox.sandbox.realm(REALM)!;
    await app.test.context.sync.run(REALM, 'full');
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const settingsPage = async () => (await owner.get(`/companies/${REALM}/settings`)).text();
  const reviewPage = async () => (await owner.get(`/companies/${REALM}/review`)).text();

  it('asks on the review page who is writing and how to pay, until the settings say', async () => {
    const page = await reviewPage();
    expect(page).toContain('Tell customers who is writing and how to pay');
    expect(page).toContain(`href="/companies/${REALM}/settings#sender"`);
  });

  it('refuses a bad reply-to address in plain words next to the field, and saves nothing', async () => {
    const token = csrfTokenIn(await settingsPage());
    const refused = await owner.postForm(`/companies/${REALM}/settings/sender`, { _csrf: token, ...IDENTITY, replyTo: 'dana at harbor' });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(/<input type="email" name="replyTo" value="dana at harbor"[^>]* aria-invalid="true" aria-describedby="replyTo-error"><\/label><span class="field-error" id="replyTo-error">The reply-to address must be an email address, like jane@yourcompany.com<\/span>/);
    // What was typed in the other fields is kept.
    expect(html).toContain('value="Dana Whitfield"');
    expect(await app.test.context.db.selectFrom('sender_identities').selectAll().execute()).toEqual([]);
  });

  it('saves the identity from the settings form and shows it there; the review page stops asking', async () => {
    const token = csrfTokenIn(await settingsPage());
    const saved = await owner.postForm(`/companies/${REALM}/settings/sender`, { _csrf: token, ...IDENTITY });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/companies/${REALM}/settings?senderSaved=1#sender`);
    const page = await (await owner.get(saved.headers.get('location')!.replace('#sender', ''))).text();
    expect(page).toContain('Saved. The next message uses it.');
    for (const name of ['collectorName', 'collectorTitle', 'replyTo', 'directPhone'] as const) expect(page).toContain(`name="${name}" value="${IDENTITY[name].replace(/&/g, '&amp;')}"`);
    expect(page).toContain(`>${IDENTITY.remitTo}</textarea>`);
    expect(page).toContain(`>${IDENTITY.bankTransfer}</textarea>`);
    expect(await app.test.context.services.senderIdentity.of(REALM)).toEqual({ ...IDENTITY, returnAddress: null, fromAddress: null });
    expect(await reviewPage()).not.toContain('Tell customers who is writing and how to pay');
  });

  /** A reminder for one open invoice, queued to go out now. */
  const queueReminder = async (key: string) => {
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'doc_number']).where('realm_id', '=', REALM).where('balance', '>', '0').where('due_date', '<', '2026-11-20').orderBy('id').executeTakeFirstOrThrow();
    const message = await app.test.context.db.insertInto('messages').values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'reminder', to_address: 'ap@customer.test', invoice_ids: JSON.stringify([invoice.id]), total: 1, send_at: new Date(NOW), key }).returning('id').executeTakeFirstOrThrow();
    return { id: message.id, invoice };
  };

  it('sends a reminder signed by the collector (name, title, direct phone), with Reply-To and, with no pay link, how to pay', async () => {
    realm.paymentsEnabled = false; // QuickBooks Payments off: no invoice carries a pay link
    try {
      const { id } = await queueReminder('test:identity-no-link');
      expect((await app.test.context.services.messages.send(id)).status).toBe('sent');
    } finally {
      realm.paymentsEnabled = true;
    }
    const mail = smtp.received.at(-1)!.parsed;
    expect(mail.replyTo?.value[0]?.address).toBe('dana@harbor.test');
    const text = mail.text ?? '';
    const html = readable(String(mail.html));
    for (const part of [text, html]) {
      expect(part).toContain('Dana Whitfield');
      expect(part).toContain('Credit Controller');
      expect(part).toContain('(555) 010-7788');
      expect(part).toContain('PO Box 881');
      expect(part).toContain('Portland, ME 04101');
      expect(part).toContain('routing 011200365, account 5550-1234');
      expect(part).not.toContain('Pay online');
      expect(part).not.toContain('accounts receivable');
    }
    expect(text).toMatch(/By cheque or post, to:\n {2}Harbor Tools Ltd\n {2}PO Box 881\n/);
  });

  it('gives posted letters the return address typed, else the company address from QuickBooks', async () => {
    const { db, services } = app.test.context;
    const { id, invoice } = await queueReminder('test:identity-return-address');
    const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const message = { ...row, invoice_ids: row.invoice_ids as unknown as string[] };
    const company = await db.selectFrom('companies').select('address').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const fromQuickBooks = postalLines(company.address as Parameters<typeof postalLines>[0]);
    expect((await mergeDataFor(db, message, new Map(), new Date(NOW), [invoice.id])).company.address).toEqual(fromQuickBooks);
    await services.senderIdentity.change(REALM, { ...IDENTITY, returnAddress: 'Harbor Tools Ltd\n\n  12 Wharf Road  \nPortland, ME 04101' });
    try {
      expect((await mergeDataFor(db, message, new Map(), new Date(NOW), [invoice.id])).company.address).toEqual(['Harbor Tools Ltd', '12 Wharf Road', 'Portland, ME 04101']);
    } finally {
      await services.senderIdentity.change(REALM, IDENTITY);
      await db.deleteFrom('messages').where('id', '=', id).execute();
    }
  });

  it('shows "Pay online" with the QuickBooks pay link for the invoice instead of the instructions', async () => {
    const { id, invoice } = await queueReminder('test:identity-link');
    expect((await app.test.context.services.messages.send(id)).status).toBe('sent');
    const mail = smtp.received.at(-1)!.parsed;
    const link = `/pay/${REALM}/${invoice.id}`;
    expect(mail.text).toMatch(new RegExp(`Pay online: https?://[^\\s]+${link}`));
    expect(String(mail.html)).toMatch(new RegExp(`<a href="https?://[^"]+${link}"[^>]*>Pay online</a>`));
    expect(mail.text).not.toContain('PO Box 881');
    expect(mail.text).toContain('Dana Whitfield');
  });
});

describe('every template without a phone number', () => {
  const book = new TemplateBook({ threads: 1 });
  afterAll(() => book.close());

  const noPhone = (change: (data: MergeData) => void): MergeData => {
    const data = sampleMergeData();
    data.company.phone = null;
    data.sender.phone = null;
    data.approver = { name: 'Sam Ortiz', phone: null };
    change(data);
    return data;
  };
  const cases: Array<[string, MergeData]> = [
    ['a named collector with payment instructions', noPhone(() => undefined)],
    ['no collector, no instructions, no pay link', noPhone((d) => {
      d.sender = { name: 'Accounts receivable', named: false, title: null, phone: null, email: null, replyTo: null };
      d.payment = { remitTo: [], bankTransfer: [], any: false, unlinked: true };
      d.invoices = d.invoices.map((i) => ({ ...i, payLink: null }));
      d.company.email = null;
    })],
    ['no collector, an email, no instructions', noPhone((d) => {
      d.sender = { name: 'Accounts receivable', named: false, title: null, phone: null, email: 'ar@northwind.test', replyTo: null };
      d.payment = { remitTo: [], bankTransfer: [], any: false, unlinked: true };
    })],
  ];

  it.each(cases)('leaves no dangling "at ." in any part of any template (%s)', async (_name, data) => {
    for (const name of TEMPLATE_NAMES) {
      const rendered = await book.render(name, data);
      for (const [part, body] of Object.entries({ subject: rendered.subject, text: rendered.text, html: readable(rendered.html) })) {
        const dangling = /\b(at|on)\s*[.,;:)]/.exec(body) ?? /\bcall(ing)?\s*[.,;)]/.exec(body) ?? /\b(at|on)\s*$/m.exec(body) ?? /\bat\s+(now|or)\b/.exec(body);
        expect({ template: name, part, dangling: dangling ? body.slice(Math.max(0, dangling.index - 60), dangling.index + 20) : null }).toEqual({ template: name, part, dangling: null });
        expect(body).not.toMatch(/accounts receivable from/i);
      }
    }
  });

  it('puts "Pay online" on each invoice QuickBooks has a pay link for, and says how to pay only when one has none', async () => {
    const both = noPhone((d) => {
      d.invoices = d.invoices.map((i) => ({ ...i, payLink: `https://pay.example.test/${i.number}` }));
      d.payment = { ...d.payment!, unlinked: false };
    });
    const linked = await book.render('reminder', both);
    expect([...linked.html.matchAll(/<a href="([^"]+)"[^>]*>Pay online<\/a>/g)].map((m) => m[1])).toEqual(['https://pay.example.test/1043', 'https://pay.example.test/1057']);
    expect(linked.text).not.toContain('HOW TO PAY');
    const one = await book.render('reminder', noPhone(() => undefined));
    expect([...one.html.matchAll(/<a href="([^"]+)"[^>]*>Pay online<\/a>/g)].map((m) => m[1])).toEqual(['https://pay.example.test/1043']);
    expect(one.text).toContain('HOW TO PAY\nBy cheque or post, to:\n  Northwind Supply Co.\n  PO Box 4410');
    const none = await book.render('reminder', noPhone((d) => { d.payment = { remitTo: [], bankTransfer: [], any: false, unlinked: true }; }));
    expect(none.text).toContain('To arrange payment, please contact Casey Morgan at casey@northwind.test.');
  });

  it('greets by the greeting and signs with the collector, title and company', async () => {
    const rendered = await book.render('reminder', noPhone(() => undefined));
    expect(rendered.text).toMatch(/^Dear Jordan Lee,/);
    expect(rendered.text).toContain('Kind regards,\nCasey Morgan\nAccounts Receivable Manager\nNorthwind Supply Co.\ncasey@northwind.test');
    const script = await book.render('call_script_level_1', noPhone(() => undefined));
    expect(script.text).toContain('Hello, this is Casey Morgan from Northwind Supply Co.');
    const unnamed = await book.render('call_script_level_1', noPhone((d) => { d.sender = { name: 'Accounts receivable', named: false }; }));
    expect(unnamed.text).toContain('Hello, this is [your name] from Northwind Supply Co.');
  });

  it('greets a business contact by name, a business with no contact by its name, a person by theirs', () => {
    expect(greetingOf('Priya Quist', 'Quist Fabrication LLC', 'Quist Fabrication')).toBe('Dear Priya Quist,');
    expect(greetingOf(null, 'Quist Fabrication LLC', 'Quist Fabrication')).toBe('Hello, Quist Fabrication LLC,');
    expect(greetingOf('Sam Lee', null, 'Sam Lee')).toBe('Dear Sam Lee,');
    expect(greetingOf(null, null, 'Sam Lee')).toBe('Dear Sam Lee,');
  });
});
