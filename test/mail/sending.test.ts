import { sql } from 'kysely';
import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341001';
const TOKEN = 'operator-token-for-mail-tests-0123456789ab';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

describe('sending letters and emails through a real SMTP server', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let realm: Realm;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Harbor Tools', customers: 25, invoices: 120 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Harbor Tools AR <ar@harbor.test>', API_TOKEN: TOKEN } });
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBeLessThan(400);
    realm = app.sandbox.sandbox.realm(REALM)!;
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const queued = (kind?: string) => {
    let query = app.test.context.db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('status', '=', 'queued');
    if (kind) query = query.where('kind', '=', kind);
    return query.execute();
  };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${app.web.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('sends nothing for an invoice paid at QuickBooks between the cadence run and the send', async () => {
    const message = (await queued('reminder'))[0]!;
    for (const id of message.invoice_ids) {
      const invoice = realm.table('Invoice').get(id) as unknown as { Id: string; Balance: number; CustomerRef: { value: string } };
      realm.create('Payment', { CustomerRef: invoice.CustomerRef, TotalAmt: invoice.Balance, Line: [{ Amount: invoice.Balance, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });
    }
    expect(await app.test.context.services.messages.send(message.id)).toMatchObject({ status: 'cancelled' });
    expect(smtp.received).toHaveLength(0);
    expect(await app.test.context.repos.outbox.find(message.id)).toMatchObject({ status: 'cancelled', status_reason: expect.stringMatching(/paid/) });
  });

  it('sends every due message once, with a deterministic Message-ID, both parts, the amounts and pay links', async () => {
    const due = await queued();
    expect(due.length).toBeGreaterThan(3);
    // The customer's last dunning day is the day a dunning message goes out, not the day it was queued.
    const dunned = [...new Set(due.filter((m) => ['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice'].includes(m.kind)).map((m) => m.customer_id))];
    expect(dunned.length).toBeGreaterThan(0);
    const lastDunning = async () => (await app.test.context.db.selectFrom('customer_histories').select(['customer_id', 'last_dunning_on']).where('realm_id', '=', REALM).where('customer_id', 'in', dunned).execute()).map((h) => h.last_dunning_on);
    expect(new Set(await lastDunning())).toEqual(new Set([null]));
    for (const message of due) expect((await app.test.context.services.messages.send(message.id)).status).toBe('sent');
    expect(await lastDunning()).toEqual(dunned.map(() => '2026-11-20'));
    expect(smtp.received).toHaveLength(due.length);
    for (const message of due) {
      const mail = smtp.received.find((m) => m.messageId === `<${message.id}@harbor.test>`);
      expect(mail).toBeDefined();
      const parsed = mail!.parsed;
      expect(parsed.from?.value[0]?.address).toBe('ar@harbor.test');
      expect((parsed.to as { value: Array<{ address: string }> }).value[0]!.address).toBe(message.to_address);
      expect(parsed.subject).toBeTruthy();
      expect(parsed.text).toBeTruthy();
      expect(parsed.html).toContain('<table');
      const row = (await app.test.context.repos.outbox.find(message.id))!;
      expect(row).toMatchObject({ status: 'sent', subject: parsed.subject });
      // Each listed invoice's number and current balance, formatted as money, appear in both parts.
      const invoices = await app.test.context.db.selectFrom('qbo_invoices').select(['doc_number', 'balance']).where('realm_id', '=', REALM).where('id', 'in', row.listed_invoice_ids!).execute();
      for (const invoice of invoices) {
        const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(invoice.balance));
        expect(parsed.text).toContain(money);
        expect(parsed.html).toContain(String(invoice.doc_number));
      }
      const link = /https?:\/\/[^\s"<]+\/pay\/[^\s"<]+/.exec(parsed.text ?? '');
      if (link) expect(parsed.html).toContain(link[0].replace(/&/g, '&amp;'));
    }
    const kinds = new Set(due.map((m) => m.kind));
    expect(kinds.has('reminder') || kinds.has('verification')).toBe(true);
    const activities = await app.test.context.db.selectFrom('activities').select(['kind', 'summary']).where('realm_id', '=', REALM).where('kind', 'in', ['email_sent', 'letter_sent']).execute();
    expect(activities).toHaveLength(due.length);
    expect(activities[0]!.summary).toMatch(/emailed to .+@.+ for invoices? .+\(USD [\d,]+\.\d\d/);
    // Sending again changes nothing: every message is past `queued`.
    for (const message of due) expect((await app.test.context.services.messages.send(message.id)).status).toBe('skipped');
    expect(smtp.received).toHaveLength(due.length);
  });

  it('refuses a broken override with its line number; a valid one is used for the next message', async () => {
    const broken = await api('PUT', `/api/realms/${REALM}/templates/reminder`, { html: '<p>Hello</p>\n{{#each invoices}}\n<p>{{number}}</p>\n' });
    expect(broken.status).toBe(400);
    const error = ((await broken.json()) as { error: { message: string } }).error;
    expect(error.message).toMatch(/^reminder html: The HTML part .*line \d+/);
    const unknownHelper = await api('PUT', `/api/realms/${REALM}/templates/reminder`, { subject: 'Hi\n{{shout customer.name}}' });
    expect(((await unknownHelper.json()) as { error: { message: string } }).error.message).toBe('reminder subject: The subject has a problem (line 2): unknown helper "shout"');
    expect(await app.test.context.db.selectFrom('template_overrides').selectAll().execute()).toHaveLength(0);

    const saved = await api('PUT', `/api/realms/${REALM}/templates/reminder`, { subject: 'Account {{customer.name}}: {{money total}} past due' });
    expect(saved.status).toBe(200);
    const preview = (await (await api('POST', `/api/realms/${REALM}/templates/reminder/preview`, {})).json()) as { subject: string };
    expect(preview.subject).toBe('Account Acme Builders: $4,210.00 past due');

    const invoice = await app.test.context.db.selectFrom('qbo_invoices').innerJoin('qbo_customers', (j) => j.onRef('qbo_customers.id', '=', 'qbo_invoices.customer_id').onRef('qbo_customers.realm_id', '=', 'qbo_invoices.realm_id'))
      .select(['qbo_invoices.id', 'qbo_invoices.customer_id', 'qbo_customers.display_name']).where('qbo_invoices.realm_id', '=', REALM).where('qbo_invoices.balance', '>', '0').executeTakeFirstOrThrow();
    const next = await app.test.context.db.insertInto('messages').values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'reminder', to_address: 'ap@customer.test', invoice_ids: JSON.stringify([invoice.id]), total: 1, send_at: new Date(NOW), key: 'test:override' }).returning('id').executeTakeFirstOrThrow();
    expect((await app.test.context.services.messages.send(next.id)).status).toBe('sent');
    expect(smtp.received.at(-1)!.parsed.subject).toMatch(new RegExp(`^Account ${invoice.display_name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\$[\\d,]+\\.\\d\\d past due$`));
  });

  it('turns an address the server refuses into a find-an-email task, and never retries it', async () => {
    smtp.rejectRecipients.add('gone@customer.test');
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('balance', '>', '0').executeTakeFirstOrThrow();
    const message = await app.test.context.db.insertInto('messages').values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'reminder', to_address: 'gone@customer.test', invoice_ids: JSON.stringify([invoice.id]), total: 1, send_at: new Date(NOW), key: 'test:bounce' }).returning('id').executeTakeFirstOrThrow();
    expect((await app.test.context.services.messages.send(message.id)).status).toBe('failed');
    expect(await app.test.context.repos.outbox.find(message.id)).toMatchObject({ status: 'failed', status_reason: expect.stringMatching(/^550/) });
    const task = await app.test.context.db.selectFrom('call_tasks').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', invoice.customer_id).where(sql<boolean>`reasons ? 'find_email'`).where('status', '=', 'open').executeTakeFirst();
    expect(task).toBeDefined();
    const malformed = await app.test.context.db.insertInto('messages').values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'reminder', to_address: 'not an address', invoice_ids: JSON.stringify([invoice.id]), total: 1, send_at: new Date(NOW), key: 'test:malformed' }).returning('id').executeTakeFirstOrThrow();
    expect(await app.test.context.services.messages.send(malformed.id)).toMatchObject({ status: 'failed', reason: 'invalid address' });
  });

  it('never lists an invoice paid since the promise in its confirmation: it drops out, and a confirmation with nothing left is not sent', async () => {
    const { db, services } = app.test.context;
    type Invoice = { id: string; doc_number: string | null; balance: string };
    // Open tasks of accounts with an address and at least two overdue invoices of their own.
    const accounts: Array<{ taskId: string; customerId: string; invoices: Invoice[] }> = [];
    const tasks = await db.selectFrom('call_tasks as t').innerJoin('qbo_customers as c', (j) => j.onRef('c.realm_id', '=', 't.realm_id').onRef('c.id', '=', 't.customer_id'))
      .select(['t.id', 't.customer_id']).where('t.realm_id', '=', REALM).where('t.status', '=', 'open').where('c.email', 'is not', null).where('c.parent_id', 'is', null).orderBy('t.id').execute();
    for (const task of tasks) {
      const invoices = await db.selectFrom('qbo_invoices').select(['id', 'doc_number', 'balance']).where('realm_id', '=', REALM).where('customer_id', '=', task.customer_id).where('balance', '>', '0').where('due_date', '<', '2026-11-20').orderBy('id').execute();
      if (invoices.length >= 2) accounts.push({ taskId: task.id, customerId: task.customer_id, invoices });
    }
    expect(accounts.length).toBeGreaterThanOrEqual(2);
    const pay = (invoice: Invoice, customerId: string) =>
      realm.create('Payment', { CustomerRef: { value: customerId }, TxnDate: '2026-11-20', TotalAmt: Number(invoice.balance), Line: [{ Amount: Number(invoice.balance), LinkedTxn: [{ TxnId: invoice.id, TxnType: 'Invoice' }] }] });
    const confirmationOf = async (promiseId: string) => db.selectFrom('messages').selectAll().where('key', '=', `promise-confirmation:${promiseId}`).executeTakeFirstOrThrow();

    // Promised this morning for two invoices; one of them is paid before the confirmation goes out.
    const [partly, wholly] = accounts as [(typeof accounts)[number], (typeof accounts)[number]];
    const [paid, unpaid] = partly.invoices as [Invoice, Invoice];
    const first = await services.callOutcomes.record(REALM, partly.taskId, { outcome: 'promised', promise: { amount: 100, dueOn: '2026-11-27', invoiceIds: [paid.id, unpaid.id] } });
    const confirmation = await confirmationOf(first.promiseIds[0]!);
    expect(confirmation).toMatchObject({ status: 'queued', invoice_ids: [paid.id, unpaid.id] });
    pay(paid, partly.customerId);
    const received = smtp.received.length;
    expect(await services.messages.send(confirmation.id)).toEqual({ status: 'sent', listed: [unpaid.id] });
    expect(smtp.received).toHaveLength(received + 1);
    const text = smtp.received.at(-1)!.parsed.text ?? '';
    expect(text).toContain(`Invoice ${unpaid.doc_number ?? unpaid.id}  dated`);
    expect(text).not.toContain(`Invoice ${paid.doc_number ?? paid.id}  dated`);
    expect(await app.test.context.repos.outbox.find(confirmation.id)).toMatchObject({ status: 'sent', listed_invoice_ids: [unpaid.id] });

    // Every invoice it names paid the same day: there is nothing to confirm.
    const second = await services.callOutcomes.record(REALM, wholly.taskId, { outcome: 'promised', promise: { amount: 100, dueOn: '2026-11-27', invoiceIds: wholly.invoices.map((i) => i.id) } });
    const nothingLeft = await confirmationOf(second.promiseIds[0]!);
    for (const invoice of wholly.invoices) pay(invoice, wholly.customerId);
    expect(await services.messages.send(nothingLeft.id)).toEqual({ status: 'cancelled', reason: 'paid' });
    expect(smtp.received).toHaveLength(received + 1);
    expect(await app.test.context.repos.outbox.find(nothingLeft.id)).toMatchObject({ status: 'cancelled', status_reason: expect.stringMatching(/paid/) });
  });
});
