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

  it('a call recorded for the customer after it asked to stop (the form was open) opens no task and queues nothing, and the collector is told why in its words', async () => {
    const marked = await db().selectFrom('do_not_contact').select('customer_id').where('realm_id', '=', REALM).execute();
    const { customer_id: customerId, task_id: taskId } = await customerWithWork(marked.map((r) => r.customer_id));
    const words = 'Please stop calling me, I will pay when I can';
    await app.test.context.repos.doNotContact.mark(REALM, customerId, { source: 'customer_reply', reason: words, markedOn: '2026-11-20' });
    expect(await tasksOf(customerId)).toEqual([{ id: taskId, status: 'retired' }]);

    // The collector, on the call sheet opened before the mark, saves "asked to call back".
    const result = await app.test.context.services.callOutcomes.record(REALM, taskId, { outcome: 'call_back', callBackOn: '2026-11-25', notes: 'Said to ring back Wednesday' });
    expect(result).toMatchObject({ taskStatus: 'retired', messageQueued: false });
    expect(result.doNotContact).toContain(`asked on 2026-11-20 not to be contacted ("${words}", asked by the customer in a reply)`);
    expect(result.doNotContact).toContain('no call back, call task or email is set up for them');
    expect((await tasksOf(customerId)).filter((t) => t.status === 'open')).toEqual([]);
    const call = await db().selectFrom('activities').select(['summary', 'details']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).where('kind', '=', 'call').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(call.summary).toBe('called: asked to call back; nothing set up: the customer is marked do not contact');

    // A promise made on that call is kept as a fact, but its confirmation email is not queued. (The
    // customer may be one the earlier runs, to 12-07, put on the list: its invoice may be due later.)
    const invoice = await db().selectFrom('qbo_invoices').select(['id', 'balance']).where('realm_id', '=', REALM).where('customer_id', '=', customerId).where('balance', '>', '0').orderBy('due_date').orderBy('id').executeTakeFirstOrThrow();
    const promised = await app.test.context.services.callOutcomes.record(REALM, taskId, { outcome: 'promised', promise: { amount: 10, dueOn: '2026-12-01', invoiceIds: [invoice.id] } });
    expect(promised).toMatchObject({ taskStatus: 'retired', messageQueued: false, promiseIds: [expect.any(String)] });
    expect((await messagesOf(customerId)).filter((m) => m.status === 'queued')).toEqual([]);

    // Through the call sheet's form: saved, and the work list says why nothing follows, in the customer's words.
    const sheet = `/companies/${REALM}/tasks/${taskId}`;
    const token = csrfTokenIn(await (await owner.get(sheet)).text());
    const posted = await owner.postForm(`${sheet}/outcome`, { _csrf: token, outcome: 'no_answer', notes: '' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/companies/${REALM}/worklist?done=call-not-to-contact&customer=${customerId}`);
    const list = await (await owner.get(posted.headers.get('location')!)).text();
    expect(list).toContain('not to be contacted (&quot;Please stop calling me, I will pay when I can&quot;, asked by the customer in a reply): the call is noted, but no call back, call task or email is set up for them.');

    // And the next run does not bring a task back.
    await app.test.context.services.cadence.runDay(REALM, '2026-12-07');
    expect((await tasksOf(customerId)).filter((t) => t.status === 'open')).toEqual([]);
    expect((await messagesOf(customerId)).filter((m) => m.status === 'queued')).toEqual([]);
  });

  it('correcting the day\'s call after the customer asked to stop does not bring its task back', async () => {
    const marked = await db().selectFrom('do_not_contact').select('customer_id').where('realm_id', '=', REALM).execute();
    const { customer_id: customerId, task_id: taskId } = await customerWithWork(marked.map((r) => r.customer_id));
    const first = await app.test.context.services.callOutcomes.record(REALM, taskId, { outcome: 'no_answer' });
    expect(first.taskStatus).toBe('open');
    await app.test.context.repos.doNotContact.mark(REALM, customerId, { source: 'unsubscribe', reason: 'Unsubscribe me from all of this', markedOn: '2026-11-20' });
    // The collector corrects it: they had in fact been asked to call back. Undoing the first outcome would reopen the task.
    const corrected = await app.test.context.services.callOutcomes.record(REALM, taskId, { outcome: 'call_back', callBackOn: '2026-11-27', corrects: first.outcomeId });
    expect(corrected).toMatchObject({ taskStatus: 'retired', corrected: { outcomeId: first.outcomeId } });
    expect(corrected.doNotContact).toContain('("Unsubscribe me from all of this", asked by the customer (unsubscribe))');
    expect(await tasksOf(customerId)).toEqual([{ id: taskId, status: 'retired' }]);
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
