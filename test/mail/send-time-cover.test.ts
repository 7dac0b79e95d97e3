import { createLogger } from '../../src/logger';
import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341003';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';
const TODAY = '2026-11-20';
const DUNNING = ['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice'];

interface Queued {
  id: string;
  customer_id: string;
  kind: string;
  invoice_ids: string[];
  to_address: string;
}

/**
 * A message queued by the morning run, and something recorded later the same day (a pause, a
 * dispute, a promise, a plan) that covers its invoices: the send re-checks in the database just
 * before sending, as the next run would, and never reaches the mail server for what is covered.
 */
describe('what is covered since the morning run is not sent', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  /** The morning's queued dunning messages, one per account, handed to one test each. */
  let pool: Queued[];
  const silent = createLogger({ level: 'silent' });

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Pier Supply', customers: 40, invoices: 220 }], env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Pier Supply AR <ar@pier.test>' } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    pool = (await app.test.context.db.selectFrom('messages').select(['id', 'customer_id', 'kind', 'invoice_ids', 'to_address']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', 'in', DUNNING).orderBy('id').execute()) as Queued[];
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  /** A queued dunning message no other test uses, listing at least `invoices` invoices, of an account with an open call task. */
  const take = async (invoices = 1): Promise<Queued & { taskId: string }> => {
    // The shortest that will do: the longer ones are kept for the tests that need them.
    for (const message of [...pool].sort((a, b) => a.invoice_ids.length - b.invoice_ids.length)) {
      if (message.invoice_ids.length < invoices) continue;
      const task = await app.test.context.db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('customer_id', '=', message.customer_id).where('status', '=', 'open').executeTakeFirst();
      if (!task) continue;
      pool.splice(pool.indexOf(message), 1);
      return { ...message, taskId: task.id };
    }
    throw new Error(`no queued dunning message left with ${invoices} invoices`);
  };
  const row = (id: string) => app.test.context.repos.outbox.find(id);
  const send = (id: string) => app.test.context.services.messages.send(id);
  const mailOf = (id: string) => smtp.received.find((m) => m.messageId === `<${id}@pier.test>`);
  const numberOf = async (invoiceId: string) => (await app.test.context.db.selectFrom('qbo_invoices').select(['doc_number']).where('realm_id', '=', REALM).where('id', '=', invoiceId).executeTakeFirstOrThrow()).doc_number ?? invoiceId;
  const pauseInvoice = (invoiceId: string, until: string | null) => app.test.context.db.insertInto('pauses').values({ realm_id: REALM, invoice_id: invoiceId, until, reason: 'test' }).execute();

  it('cancels a dunning message of a customer paused after the run, and reaches no mail server', async () => {
    const message = await take();
    await app.test.context.services.pauses.pause(REALM, message.customer_id, { until: '2026-11-27', reason: 'owner in hospital' }, silent);
    const received = smtp.received.length;
    expect(await send(message.id)).toEqual({ status: 'cancelled', reason: 'paused' });
    expect(smtp.received).toHaveLength(received);
    expect(await row(message.id)).toMatchObject({ status: 'cancelled', status_reason: 'the invoices it lists are now paused (checked just before sending)' });
  });

  it('drops an invoice paused on its own today and sends the rest; a pause that ended yesterday covers nothing', async () => {
    const message = await take(3);
    const [paused, ended, ...rest] = message.invoice_ids as [string, string, ...string[]];
    await pauseInvoice(paused, TODAY);
    await pauseInvoice(ended, '2026-11-19');
    expect(await send(message.id)).toEqual({ status: 'sent', listed: [ended, ...rest] });
    expect(await row(message.id)).toMatchObject({ status: 'sent', listed_invoice_ids: [ended, ...rest] });
    const text = mailOf(message.id)!.parsed.text ?? '';
    expect(text).not.toContain(`Invoice ${await numberOf(paused)}  dated`);
    for (const id of [ended, ...rest]) expect(text).toContain(`Invoice ${await numberOf(id)}  dated`);
  });

  it('cancels a dunning message whose invoices are disputed on a call after the run', async () => {
    const message = await take();
    await app.test.context.services.callOutcomes.record(REALM, message.taskId, { outcome: 'disputes', dispute: { category: 'quality', text: 'The pallets arrived broken', invoiceIds: message.invoice_ids } });
    const received = smtp.received.length;
    expect(await send(message.id)).toEqual({ status: 'cancelled', reason: 'disputed' });
    expect(smtp.received).toHaveLength(received);
    expect(await row(message.id)).toMatchObject({ status: 'cancelled', status_reason: expect.stringMatching(/disputed/) });
  });

  it('withholds a dunning message from what a promise made after the run covers, and sends the promise its confirmation', async () => {
    const message = await take(2);
    const [promised, ...rest] = message.invoice_ids as [string, ...string[]];
    const outcome = await app.test.context.services.callOutcomes.record(REALM, message.taskId, { outcome: 'promised', promise: { amount: 50, dueOn: '2026-11-25', invoiceIds: [promised] } });
    expect(await send(message.id)).toEqual({ status: 'sent', listed: rest });
    expect(mailOf(message.id)!.parsed.text).not.toContain(`Invoice ${await numberOf(promised)}  dated`);
    // The confirmation is not withheld by its own promise.
    const confirmation = await app.test.context.db.selectFrom('messages').select('id').where('key', '=', `promise-confirmation:${outcome.promiseIds[0]}`).executeTakeFirstOrThrow();
    expect(await send(confirmation.id)).toEqual({ status: 'sent', listed: [promised] });
    expect(mailOf(confirmation.id)!.parsed.text).toContain(`Invoice ${await numberOf(promised)}  dated`);
  });

  it('cancels a dunning message whose invoices a payment plan agreed after the run covers, and sends the plan its confirmation', async () => {
    const message = await take();
    await app.test.context.services.callOutcomes.record(REALM, message.taskId, {
      outcome: 'cannot_pay',
      plan: { installments: [{ dueOn: '2026-12-04', amount: 40 }, { dueOn: '2027-01-04', amount: 40 }], invoiceIds: message.invoice_ids },
    });
    const received = smtp.received.length;
    expect(await send(message.id)).toEqual({ status: 'cancelled', reason: 'promised' });
    expect(smtp.received).toHaveLength(received);
    expect(await row(message.id)).toMatchObject({ status: 'cancelled', status_reason: expect.stringMatching(/promised/) });
    const plan = await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('customer_id', '=', message.customer_id).where('kind', '=', 'plan_confirmation').executeTakeFirstOrThrow();
    expect(await send(plan.id)).toEqual({ status: 'sent', listed: message.invoice_ids });
  });

  it('counts a promise as covering until its date plus the grace days, and no longer', async () => {
    const [withinGrace, pastGrace] = [await take(), await take()];
    const promise = (message: Queued, dueOn: string) =>
      app.test.context.db.insertInto('promises').values({ realm_id: REALM, customer_id: message.customer_id, invoice_ids: JSON.stringify(message.invoice_ids), amount: '10.00', due_on: dueOn, made_on: '2026-11-16' }).execute();
    // Two grace days (the default): a promise due Wednesday still covers on Friday, one due Tuesday does not.
    await promise(withinGrace, '2026-11-18');
    await promise(pastGrace, '2026-11-17');
    expect(await send(withinGrace.id)).toEqual({ status: 'cancelled', reason: 'promised' });
    expect(await send(pastGrace.id)).toEqual({ status: 'sent', listed: pastGrace.invoice_ids });
  });

  describe('the outbox preview lists what the send would', () => {
    const preview = async (id: string) => (await app.test.context.services.letters.document(REALM, id)).data.invoices.map((i) => i.number);
    /** Paid at QuickBooks, and in the local copy as the next sync would have it. */
    const pay = async (invoiceId: string) => {
      const realm: Realm = app.sandbox.sandbox.realm(REALM)!;
      const invoice = realm.table('Invoice').get(invoiceId) as unknown as { Id: string; Balance: number; CustomerRef: { value: string } };
      realm.create('Payment', { CustomerRef: invoice.CustomerRef, TxnDate: TODAY, TotalAmt: invoice.Balance, Line: [{ Amount: invoice.Balance, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });
      await app.test.context.db.updateTable('qbo_invoices').set({ balance: '0' }).where('realm_id', '=', REALM).where('id', '=', invoiceId).execute();
    };

    it('leaves an invoice paid since a promise out of the preview of its queued confirmation', async () => {
      const message = await take(2);
      const [paid, unpaid] = message.invoice_ids as [string, string];
      const outcome = await app.test.context.services.callOutcomes.record(REALM, message.taskId, { outcome: 'promised', promise: { amount: 80, dueOn: '2026-11-27', invoiceIds: [paid, unpaid] } });
      const confirmation = await app.test.context.db.selectFrom('messages').select('id').where('key', '=', `promise-confirmation:${outcome.promiseIds[0]}`).executeTakeFirstOrThrow();
      await pay(paid);
      expect(await preview(confirmation.id)).toEqual([await numberOf(unpaid)]);
      expect(await send(confirmation.id)).toEqual({ status: 'sent', listed: [unpaid] });
      // Once sent, the preview shows what went out.
      expect(await preview(confirmation.id)).toEqual([await numberOf(unpaid)]);
    });

    it('leaves what a pause covers now out of the preview of a queued dunning message', async () => {
      const message = await take(2);
      const [paused, ...rest] = message.invoice_ids as [string, ...string[]];
      await pauseInvoice(paused, null);
      const numbers = await Promise.all(rest.map(numberOf));
      expect(await preview(message.id)).toEqual(numbers);
      expect(await send(message.id)).toEqual({ status: 'sent', listed: rest });
    });
  });

  it('cancels a verification letter of a customer paused after the run', async () => {
    const letter = await app.test.context.db.selectFrom('messages').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    pool = pool.filter((m) => m.customer_id !== letter.customer_id);
    await app.test.context.services.pauses.pause(REALM, letter.customer_id, {}, silent);
    expect(await send(letter.id)).toEqual({ status: 'cancelled', reason: 'paused' });
    expect(await row(letter.id)).toMatchObject({ status: 'cancelled', status_reason: expect.stringMatching(/paused/) });
  });

  it('dates a sent message by the business clock, so the results count it on the company\'s day', async () => {
    const message = await take();
    expect(await send(message.id)).toMatchObject({ status: 'sent' });
    const sent = await row(message.id);
    // The business clock says 2026-11-20; the machine's own date is another day.
    expect(Math.abs(sent!.sent_at!.getTime() - new Date(NOW).getTime())).toBeLessThan(60_000);
    const counted = await app.test.context.repos.reports.sentMessages(REALM, [message.kind], TODAY, 'America/New_York');
    expect(counted.filter((m) => m.sent_on === TODAY && m.invoice_ids.join() === message.invoice_ids.join()).length).toBeGreaterThanOrEqual(1);
  });
});
