import { createLogger } from '../../src/logger';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341025';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';

interface Attachable {
  Note: string;
  AttachableRef: Array<{ EntityRef: { type: string; value: string } }>;
}

/**
 * A customer marked do not contact (on its page, by the collector) gets nothing: what was queued
 * for it is cancelled, a message queued for it anyway (a racing run) is stopped at the send, the
 * next daily run queues nothing and opens no task, its call task retires, and the reason is noted
 * in QuickBooks. Cleared, it is collected from again.
 */
describe('do not contact', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let owner: HttpClient;
  const silent = createLogger({ level: 'silent' });
  const db = () => app.test.context.db;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Quay Supply', customers: 30, invoices: 160 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Quay Supply AR <ar@quay.test>' } });
    owner = new HttpClient(app.web.url);
    expect((await connect(app, owner, REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  /** A customer with a queued message and an open call task. */
  const customerWithWork = async (skip: string[] = []) => {
    const rows = await db()
      .selectFrom('messages as m')
      .innerJoin('call_tasks as t', (join) => join.onRef('t.realm_id', '=', 'm.realm_id').onRef('t.customer_id', '=', 'm.customer_id').on('t.status', '=', 'open'))
      .select(['m.id', 'm.customer_id', 't.id as task_id'])
      .where('m.realm_id', '=', REALM)
      .where('m.status', '=', 'queued')
      .orderBy('m.id')
      .execute();
    const row = rows.find((r) => !skip.includes(r.customer_id));
    if (!row) throw new Error('no customer with a queued message and an open task');
    return row;
  };
  const messagesOf = (customerId: string) => db().selectFrom('messages').select(['id', 'status', 'status_reason']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).execute();
  const tasksOf = (customerId: string) => db().selectFrom('call_tasks').select(['id', 'status']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).execute();
  const mailsTo = async (customerId: string) => {
    const ids = new Set((await messagesOf(customerId)).map((m) => `<${m.id}@quay.test>`));
    return smtp.received.filter((mail) => ids.has(mail.messageId ?? ''));
  };
  const sendAll = async (customerId: string) => {
    for (const message of await messagesOf(customerId)) await app.test.context.services.messages.send(message.id);
  };

  it('marked on the customer page: queued messages cancelled, the task retired, nothing reaches the mail server, and the next run adds nothing', async () => {
    const { customer_id: customerId, task_id: taskId } = await customerWithWork();
    const page = `/companies/${REALM}/customers/${customerId}`;
    const token = csrfTokenIn(await (await owner.get(page)).text());
    expect((await owner.postForm(`${page}/do-not-contact`, { _csrf: token, reason: '' })).status).toBe(400);
    expect((await owner.postForm(`${page}/do-not-contact`, { _csrf: token, reason: 'Asked us on the phone to stop calling' })).status).toBe(303);
    expect(await (await owner.get(page)).text()).toContain('Not to be contacted');

    expect((await messagesOf(customerId)).map((m) => [m.status, m.status_reason])).toEqual((await messagesOf(customerId)).map(() => ['cancelled', 'the customer is marked do not contact']));
    expect(await tasksOf(customerId)).toEqual([{ id: taskId, status: 'retired' }]);
    await sendAll(customerId);
    expect(await mailsTo(customerId)).toEqual([]);

    // The next days' runs queue nothing for it and do not bring its task back.
    await app.test.context.services.cadence.runDay(REALM, '2026-11-23');
    await app.test.context.services.cadence.runDay(REALM, '2026-12-07');
    expect((await messagesOf(customerId)).filter((m) => m.status !== 'cancelled')).toEqual([]);
    expect((await tasksOf(customerId)).map((t) => t.status)).toEqual(['retired']);
  });

  it('a message queued for the customer after it was marked (a racing run) is stopped at the send', async () => {
    const first = await db().selectFrom('do_not_contact').select('customer_id').where('realm_id', '=', REALM).execute();
    const { id, customer_id: customerId } = await customerWithWork(first.map((r) => r.customer_id));
    await app.test.context.repos.doNotContact.mark(REALM, customerId, { source: 'customer_reply', reason: 'Please stop emailing me', markedOn: '2026-11-20' });
    // As a run racing the mark would have left it: queued again.
    await db().updateTable('messages').set({ status: 'queued', status_reason: null, send_at: new Date(NOW) }).where('id', '=', id).execute();
    const received = smtp.received.length;
    expect(await app.test.context.services.messages.send(id)).toEqual({ status: 'cancelled', reason: 'marked do not contact' });
    expect(smtp.received).toHaveLength(received);
    expect(await db().selectFrom('messages').select(['status', 'status_reason']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'cancelled', status_reason: 'the customer is marked do not contact (checked just before sending)' });
  });

  it('notes the reason in QuickBooks, on the customer', async () => {
    const [marked] = await db().selectFrom('do_not_contact').select(['customer_id', 'reason']).where('realm_id', '=', REALM).where('source', '=', 'collector').execute();
    await app.test.context.services.notes.writePending(REALM);
    const notes = (await app.test.context.quickbooks.client.query<Attachable>(REALM, 'Attachable', 'STARTPOSITION 1 MAXRESULTS 1000')).rows;
    const note = notes.find((n) => n.Note.includes('(marked by the collector)'));
    expect(note?.Note).toContain(`do not contact (marked by the collector): ${marked!.reason}`);
    expect(note?.AttachableRef).toEqual([expect.objectContaining({ EntityRef: { type: 'Customer', value: marked!.customer_id } })]);
  });

  it('marking twice changes nothing; cleared, the next run collects from the customer again', async () => {
    const [marked] = await db().selectFrom('do_not_contact').select(['customer_id']).where('realm_id', '=', REALM).where('source', '=', 'collector').execute();
    const customerId = marked!.customer_id;
    expect(await app.test.context.services.doNotContact.mark(REALM, customerId, { source: 'unsubscribe', reason: 'again' }, silent)).toEqual({ marked: false, cancelledMessages: 0, retiredTasks: 0 });
    expect(await app.test.context.services.doNotContact.statusOf(REALM, customerId)).toMatchObject({ source: 'collector' });
    expect(await app.test.context.services.doNotContact.clear(REALM, customerId, 'They called back to settle', silent)).toBe(true);
    await app.test.context.services.cadence.runDay(REALM, '2026-12-08');
    expect((await tasksOf(customerId)).map((t) => t.status)).toContain('open');
  });
});
