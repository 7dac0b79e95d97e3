import { dispatchMail } from '../../src/jobs/handlers/mail';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9342201';

/**
 * The business clock moving during a run: past 17:00 and midnight between deciding and sending,
 * and across the night the clocks go back. Nothing goes out outside business hours, and what
 * waits goes out once, at 08:00 local time on the right side of the change.
 */
describe('the clock crossing midnight and a daylight-saving change during a run', () => {
  let app: ConnectedApp;
  let smtp: TestSmtp;
  let now = new Date('2026-11-20T21:59:30Z'); // Friday 16:59:30 in New York

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Night Co', customers: 25, invoices: 100 }], env: { SMTP_URL: smtp.url, MAIL_FROM: 'AR <ar@night.test>' } });
    // The business clock of this test: it moves when the test says.
    (app.test.context.clock as { businessNow: () => Date }).businessNow = () => new Date(now);
    await connect(app, new HttpClient(app.web.url), REALM);
    await app.test.context.sync.run(REALM, 'full');
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const queued = () => app.test.context.db.selectFrom('messages').select(['id', 'send_at', 'status']).where('realm_id', '=', REALM).where('status', '=', 'queued').execute();

  it('holds what was decided at 16:59 on Friday and sent after midnight until Monday 08:00, then sends it once', async () => {
    await app.test.context.services.cadence.runDay(REALM);
    const decided = await queued();
    expect(decided.length).toBeGreaterThan(3);
    for (const message of decided) expect(message.send_at.getTime()).toBeLessThanOrEqual(now.getTime()); // due at once, inside the window

    // The send jobs' turn comes after midnight: Saturday 00:00:30.
    now = new Date('2026-11-21T05:00:30Z');
    for (const message of decided) expect((await app.test.context.services.messages.send(message.id)).status).toBe('skipped');
    expect(smtp.received).toHaveLength(0);
    const waiting = await queued();
    expect(waiting).toHaveLength(decided.length);
    for (const message of waiting) expect(message.send_at.toISOString()).toBe('2026-11-23T13:00:00.000Z'); // Monday 08:00 EST
    expect(await app.test.context.repos.outbox.dueForDispatch(now, 100)).toEqual([]);

    // Sunday night nothing is due; Monday 08:00 everything is, once.
    now = new Date('2026-11-23T04:59:59Z');
    expect(await app.test.context.repos.outbox.dueForDispatch(now, 100)).toEqual([]);
    now = new Date('2026-11-23T13:00:05Z');
    const due = await app.test.context.repos.outbox.dueForDispatch(now, 100);
    expect(due.map((m) => m.id).sort()).toEqual(decided.map((m) => m.id).sort());
    for (const message of decided) expect((await app.test.context.services.messages.send(message.id)).status).toBe('sent');
    for (const message of decided) expect((await app.test.context.services.messages.send(message.id)).status).toBe('skipped');
    expect(smtp.received).toHaveLength(decided.length);
  });

  it('counts 08:00 in local time across the night the clocks go back', async () => {
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'balance']).where('realm_id', '=', REALM).where('balance', '>', '0').executeTakeFirstOrThrow();
    // Queued on Friday 30 October 16:59 EDT; its turn comes at 01:30 on Sunday 1 November, after the clocks went back.
    const message = await app.test.context.db
      .insertInto('messages')
      .values({ realm_id: REALM, customer_id: invoice.customer_id, kind: 'reminder', to_address: 'ap@night.test', invoice_ids: JSON.stringify([invoice.id]), total: Number(invoice.balance), send_at: new Date('2026-10-30T20:59:00Z'), key: 'dst:1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    now = new Date('2026-11-01T06:30:00Z'); // 01:30 EST, the second 01:30 of the night
    expect((await app.test.context.services.messages.send(message.id)).status).toBe('skipped');
    const moved = await app.test.context.repos.outbox.find(message.id);
    expect(moved!.send_at.toISOString()).toBe('2026-11-02T13:00:00.000Z'); // Monday 08:00 EST, not 07:00
    now = new Date('2026-11-02T12:30:00Z'); // 07:30 EST: an hour that was 08:30 before the change
    expect(await app.test.context.repos.outbox.dueForDispatch(now, 10)).toEqual([]);
    now = new Date('2026-11-02T13:00:01Z');
    await dispatchMail(app.test.context)({}, {} as never);
    expect((await app.test.context.services.messages.send(message.id)).status).toBe('sent');
  });
});
