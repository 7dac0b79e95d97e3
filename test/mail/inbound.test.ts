import nodemailer, { type SendMailOptions } from 'nodemailer';
import { startInbound, type RunningInbound } from '../../src/main/inbound';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startImap, type TestImap } from '../support/imap';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp';

const REALM = '9341027';
const TOKEN = 'operator-token-for-inbound-tests-0123456789';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';
const INBOUND = 'replies@in.harbor.test';
const DUNNING = ['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice'];

/**
 * Replies captured (issue 24): reminders go out through a real SMTP server with each account's
 * signed reply address; what comes back arrives at `ardesk inbound`'s own SMTP listener or in a
 * real IMAP mailbox (dovecot) it polls, and lands on the right account.
 */
describe('mail that comes back: replies, automatic replies and bounces', () => {
  let smtp: TestSmtp;
  let imap: TestImap;
  let app: ConnectedApp;
  let inbound: RunningInbound;
  let sent: ReceivedMail[];
  const db = () => app.test.context.db;

  beforeAll(async () => {
    [smtp, imap] = await Promise.all([startSmtp(), startImap()]);
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Harbor Tools', customers: 25, invoices: 120 }],
      env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, MAIL_FROM: 'Harbor Tools AR <ar@harbor.test>', API_TOKEN: TOKEN, INBOUND_ADDRESS: INBOUND, INBOUND_SECRET: 'inbound-secret-for-tests-0123456789abcdef', INBOUND_SMTP_PORT: '0', INBOUND_IMAP_URL: imap.url, INBOUND_POLL_SECONDS: '3600' },
    });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    const due = await db().selectFrom('messages').select(['id', 'kind']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', 'in', DUNNING).execute();
    for (const message of due) expect((await app.test.context.services.messages.send(message.id)).status).toBe('sent');
    sent = [...smtp.received];
    expect(sent.length).toBeGreaterThanOrEqual(6);
    inbound = await startInbound(app.test.context);
  }, 120_000);
  afterAll(async () => {
    await inbound?.stop();
    await app?.stop();
    await Promise.all([smtp?.stop(), imap?.stop()]);
  });

  /** The outbox row of a received message, by its deterministic Message-ID. */
  const rowOf = async (mail: ReceivedMail) => {
    const id = /^<([^@]+)@/.exec(mail.messageId)![1]!;
    return db().selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  };
  const replyToOf = (mail: ReceivedMail) => (mail.parsed.replyTo?.value ?? []).map((a) => a.address!.toLowerCase());
  const trackedOf = (mail: ReceivedMail) => replyToOf(mail).find((a) => a.startsWith('replies+'))!;
  const toListener = (message: SendMailOptions) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: inbound.smtpPort!, secure: false, ignoreTLS: true }).sendMail(message);
  const inboundOf = (customerId: string | null) => {
    const query = db().selectFrom('inbound_messages').selectAll();
    return (customerId ? query.where('realm_id', '=', REALM).where('customer_id', '=', customerId) : query.where('realm_id', 'is', null)).orderBy('received_at').execute();
  };
  const pausesOf = (customerId: string) => db().selectFrom('pauses').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', customerId).execute();
  const activitiesOf = (customerId: string, kind: string) => db().selectFrom('activities').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', customerId).where('kind', '=', kind).execute();
  const page = async (path: string) => {
    const response = await fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('sends every message with the account\'s signed reply address next to the company\'s, and its bounces come back to it', async () => {
    for (const mail of sent) {
      const row = await rowOf(mail);
      const tracked = trackedOf(mail);
      expect(tracked).toMatch(new RegExp(`^replies\\+${REALM}\\.${row.customer_id}\\.[0-9a-f]{20}@in\\.harbor\\.test$`));
      // The company still gets the customer's answer: its own address stays in Reply-To.
      expect(replyToOf(mail).length).toBe(2);
      expect(mail.envelopeFrom).toBe(tracked);
    }
    // Different accounts, different addresses.
    expect(new Set(sent.map(trackedOf)).size).toBe(new Set(await Promise.all(sent.map(async (m) => (await rowOf(m)).customer_id))).size);
  });

  it('puts a reply to a reminder on its account\'s timeline and call sheet, notes QuickBooks, and pauses its dunning until someone marks it handled', async () => {
    const mail = sent[0]!;
    const row = await rowOf(mail);
    await toListener({
      from: row.to_address,
      to: trackedOf(mail),
      subject: `Re: ${mail.parsed.subject}`,
      inReplyTo: mail.messageId,
      references: [mail.messageId],
      text: 'We paid this yesterday by cheque. <script>alert("x")</script>',
    });
    const [reply] = await inboundOf(row.customer_id);
    expect(reply).toMatchObject({ kind: 'reply', status: 'awaiting', matched_by: 'address', in_reply_to: row.id, received_via: 'smtp' });
    expect(reply!.body).toContain('We paid this yesterday');
    const [activity] = await activitiesOf(row.customer_id, 'reply_received');
    expect(activity).toMatchObject({ note_status: 'pending', invoice_ids: row.listed_invoice_ids });
    expect((await pausesOf(row.customer_id)).map((p) => p.until)).toEqual([null]);

    // The customer page and the call sheet show it, escaped, with the Mark handled button.
    const customerPage = await page(`/companies/${REALM}/customers/${row.customer_id}`);
    expect(customerPage).toContain('We paid this yesterday by cheque.');
    expect(customerPage).not.toContain('<script>alert');
    expect(customerPage).toContain('&lt;script&gt;alert');
    expect(customerPage).toContain(`/replies/${reply!.id}/handled`);
    const task = await db().selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('customer_id', '=', row.customer_id).orderBy('created_on', 'desc').executeTakeFirst();
    expect(await page(`/companies/${REALM}/tasks/${task!.id}`)).toContain('We paid this yesterday by cheque.');

    // QuickBooks gets the note, on the invoices the reminder listed.
    await app.test.context.services.notes.writePending(REALM);
    const notes = await app.test.context.quickbooks.client.query<{ Note: string }>(REALM, 'Attachable', 'MAXRESULTS 1000');
    expect(notes.rows.some((n) => n.Note.includes(`reply received from ${row.to_address}`) && n.Note.includes('We paid this yesterday'))).toBe(true);

    // The next runs send that account nothing; the others still get their next level.
    const day = '2026-12-07';
    await app.test.context.services.cadence.runDay(REALM, day);
    const queued = await db().selectFrom('messages').select(['customer_id', 'kind']).where('realm_id', '=', REALM).where('status', '=', 'queued').where('kind', 'in', DUNNING).execute();
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.filter((m) => m.customer_id === row.customer_id)).toEqual([]);

    // Marked handled (the operator here; a person's name otherwise): the pause ends.
    const handled = await fetch(`${app.web.url}/companies/${REALM}/customers/${row.customer_id}/replies/${reply!.id}/handled`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(handled.status).toBe(303);
    expect(await pausesOf(row.customer_id)).toEqual([]);
    expect((await inboundOf(row.customer_id))[0]).toMatchObject({ status: 'handled', handled_by: 'the operator (API token)' });
    expect(await activitiesOf(row.customer_id, 'reply_handled')).toHaveLength(1);
    // Twice is not found: nothing is waiting any more.
    const again = await fetch(`${app.web.url}/companies/${REALM}/customers/${row.customer_id}/replies/${reply!.id}/handled`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(again.status).toBe(404);

    // The same message delivered twice is kept once.
    await toListener({ from: row.to_address, to: trackedOf(mail), subject: 'dup', messageId: '<dup-1@acme.test>', text: 'one' });
    await toListener({ from: row.to_address, to: trackedOf(mail), subject: 'dup', messageId: '<dup-1@acme.test>', text: 'one' });
    expect((await inboundOf(row.customer_id)).filter((m) => m.subject === 'dup')).toHaveLength(1);
  });

  it('records an automatic reply from the IMAP mailbox without pausing anything, and flags it seen', async () => {
    const mail = sent[1]!;
    const row = await rowOf(mail);
    await imap.deliver(
      [`From: ${row.to_address}`, `To: ${trackedOf(mail)}`, 'Subject: Out of office until Monday', 'Auto-Submitted: auto-replied', `In-Reply-To: ${mail.messageId}`, 'Message-ID: <ooo-1@acme.test>', '', 'I am away until Monday.', ''].join('\r\n'),
    );
    await inbound.pollNow();
    expect(await inboundOf(row.customer_id)).toEqual([expect.objectContaining({ kind: 'auto_reply', status: 'recorded', received_via: 'imap', in_reply_to: row.id })]);
    expect(await activitiesOf(row.customer_id, 'auto_reply_received')).toHaveLength(1);
    expect(await pausesOf(row.customer_id)).toEqual([]);
    expect(await imap.inbox()).toEqual([expect.objectContaining({ subject: 'Out of office until Monday', seen: true })]);
    // A second poll finds nothing new.
    await inbound.pollNow();
    expect(await inboundOf(row.customer_id)).toHaveLength(1);
  });

  it('matches a reply to the company\'s own mailbox by its threading headers alone (IMAP)', async () => {
    const mail = sent[2]!;
    const row = await rowOf(mail);
    await imap.deliver([`From: ${row.to_address}`, 'To: ar@harbor.test', `Subject: Re: ${mail.parsed.subject}`, `In-Reply-To: ${mail.messageId}`, `References: ${mail.messageId}`, 'Message-ID: <thread-1@acme.test>', '', 'Wrong contact: send this to ap@elsewhere.test', ''].join('\r\n'));
    await inbound.pollNow();
    expect(await inboundOf(row.customer_id)).toEqual([expect.objectContaining({ kind: 'reply', status: 'awaiting', matched_by: 'thread', received_via: 'imap' })]);
    expect(await pausesOf(row.customer_id)).toHaveLength(1);
  });

  it('marks a bounced address bad, sends it nothing more, and asks for an email on the account\'s task', async () => {
    const mail = sent[3]!;
    const row = await rowOf(mail);
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>',
      `To: ${trackedOf(mail)}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'Message-ID: <dsn-1@mx.acme.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="RPT"',
      '',
      '--RPT',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--RPT',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.acme.test',
      '',
      `Final-Recipient: rfc822; ${row.to_address}`,
      'Action: failed',
      'Status: 5.1.1',
      '',
      // A recipient this account was never written to: a bounce cannot mark it.
      'Final-Recipient: rfc822; someone-else@acme.test',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--RPT',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${mail.messageId}`,
      `Subject: ${mail.parsed.subject}`,
      '',
      '--RPT--',
      '',
    ].join('\r\n');
    await toListener({ envelope: { from: '', to: [trackedOf(mail)] }, raw: dsn });
    expect(await inboundOf(row.customer_id)).toEqual([expect.objectContaining({ kind: 'bounce', status: 'recorded', bounced_address: row.to_address.toLowerCase() })]);
    expect(await db().selectFrom('bad_addresses').select('address').where('realm_id', '=', REALM).execute()).toEqual([{ address: row.to_address.toLowerCase() }]);
    const task = await db().selectFrom('call_tasks').select('reasons').where('realm_id', '=', REALM).where('customer_id', '=', row.customer_id).where('status', '=', 'open').executeTakeFirstOrThrow();
    expect(task.reasons).toContain('find_email');
    expect(await pausesOf(row.customer_id)).toEqual([]);

    // The playbook no longer sees it as the account's contact email (it asks for one instead).
    const input = await app.test.context.repos.collections.loadInput(REALM, new Date(NOW), '2026-11-20', '2026-11-20');
    const bad = row.to_address.toLowerCase();
    expect(input.customers.filter((c) => c.email?.toLowerCase() === bad)).toEqual([]);
    expect(input.invoices.filter((i) => i.billEmail?.toLowerCase() === bad)).toEqual([]);

    // A message already queued to the address is not sent.
    const before = smtp.received.length;
    const [queued] = await db().insertInto('messages').values({ realm_id: REALM, customer_id: row.customer_id, kind: row.kind, to_address: row.to_address, invoice_ids: JSON.stringify(row.invoice_ids), total: row.total, send_at: new Date(NOW), key: 'inbound-test:after-bounce' }).returning('id').execute();
    expect(await app.test.context.services.messages.send(queued!.id)).toMatchObject({ status: 'failed', reason: 'bounced address' });
    expect(smtp.received.length).toBe(before);
  });

  it('a bounce for a customer marked do not contact marks the address bad but opens no task to find another', async () => {
    const first = await rowOf(sent[3]!);
    const mail = (await Promise.all(sent.map(async (m) => ({ m, row: await rowOf(m) })))).find(({ row }) => row.customer_id !== first.customer_id && row.to_address !== first.to_address)!;
    const { row } = mail;
    await app.test.context.repos.doNotContact.mark(REALM, row.customer_id, { source: 'collector', reason: 'Their lawyer asked us to stop', markedOn: '2026-11-20' });
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>',
      `To: ${trackedOf(mail.m)}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'Message-ID: <dsn-stopped@mx.acme.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="RPT"',
      '',
      '--RPT',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.acme.test',
      '',
      `Final-Recipient: rfc822; ${row.to_address}`,
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--RPT',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${mail.m.messageId}`,
      '',
      '--RPT--',
      '',
    ].join('\r\n');
    await toListener({ envelope: { from: '', to: [trackedOf(mail.m)] }, raw: dsn });
    expect((await inboundOf(row.customer_id)).filter((m) => m.kind === 'bounce')).toEqual([expect.objectContaining({ bounced_address: row.to_address.toLowerCase() })]);
    expect(await db().selectFrom('bad_addresses').select('address').where('realm_id', '=', REALM).where('address', '=', row.to_address.toLowerCase()).execute()).toHaveLength(1);
    expect(await db().selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('customer_id', '=', row.customer_id).where('status', '=', 'open').execute()).toEqual([]);
    expect((await activitiesOf(row.customer_id, 'email_bounced')).map((a) => a.summary)).toEqual([`email to ${row.to_address.toLowerCase()} bounced: no more mail goes there (the customer is marked do not contact: no task to find another)`]);
  });

  it('records a reply without pausing anything when the company turned pauseOnReply off (settings page)', async () => {
    const form = await fetch(`${app.web.url}/companies/${REALM}/settings`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await form.text()).toMatch(/name="pauseOnReply" checked/);
    await app.test.context.services.settings.change(REALM, { pauseOnReply: false });
    const mail = sent[5]!;
    const row = await rowOf(mail);
    await toListener({ from: row.to_address, to: trackedOf(mail), subject: `Re: ${mail.parsed.subject}`, inReplyTo: mail.messageId, text: 'Paid on Monday.' });
    expect(await inboundOf(row.customer_id)).toEqual([expect.objectContaining({ kind: 'reply', status: 'awaiting', pause_id: null })]);
    expect(await activitiesOf(row.customer_id, 'reply_received')).toHaveLength(1);
    expect(await pausesOf(row.customer_id)).toEqual([]);
    await app.test.context.services.settings.change(REALM, { pauseOnReply: true });
  });

  it('keeps a reply with a forged or unknown reply address as unmatched, for the operator, and changes no account', async () => {
    const victim = await rowOf(sent[4]!);
    const forged = `replies+${REALM}.${victim.customer_id}.00000000000000000000@in.harbor.test`;
    await toListener({ from: 'mallory@evil.test', to: forged, subject: 'Stop all reminders <b>now</b>', text: 'forged' });
    await toListener({ from: 'someone@elsewhere.test', to: INBOUND, subject: 'Hello?', inReplyTo: '<00000000-0000-0000-0000-000000000000@harbor.test>', text: 'unknown thread' });
    const unmatched = await inboundOf(null);
    expect(unmatched.map((m) => m.subject).sort()).toEqual(['Hello?', 'Stop all reminders <b>now</b>']);
    expect(unmatched.every((m) => m.kind === 'unmatched' && m.customer_id === null)).toBe(true);
    expect((await inboundOf(victim.customer_id)).filter((m) => m.from_address === 'mallory@evil.test')).toEqual([]);
    const operatorPage = await page('/operator/inbound');
    expect(operatorPage).toContain('Stop all reminders &lt;b&gt;now&lt;/b&gt;');
    expect(operatorPage).toContain('mallory@evil.test');

    // Mail for anyone else is refused at RCPT TO: the listener is no open relay.
    await expect(toListener({ from: 'a@b.test', to: 'victim@gmail.test', subject: 'relay?', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
  });
  it('marks a personal customer who replies asking to stop do not contact (a business asking the same waits for a person)', async () => {
    // Two accounts no reply has reached yet (the tests above answered some).
    const used = new Set<string>();
    const others: ReceivedMail[] = [];
    for (const mail of sent) {
      const { customer_id: id } = await rowOf(mail);
      if (used.has(id) || (await inboundOf(id)).some((r) => r.kind === 'reply')) continue;
      used.add(id);
      others.push(mail);
    }
    expect(others.length).toBeGreaterThanOrEqual(2);
    const [personalMail, businessMail] = others as [ReceivedMail, ReceivedMail];
    const personal = await rowOf(personalMail);
    const business = await rowOf(businessMail);
    await app.test.context.services.customerTypes.choose(REALM, personal.customer_id, 'personal');
    await app.test.context.services.customerTypes.choose(REALM, business.customer_id, 'commercial');
    const reply = (mail: ReceivedMail, from: string) => toListener({ from, to: trackedOf(mail), subject: `Re: ${mail.parsed.subject}`, inReplyTo: mail.messageId, text: `Please stop contacting me.\n\nOn Fri, Nov 20, 2026, Harbor Tools wrote:\n> ${mail.parsed.text?.split('\n')[0] ?? ''}` });
    await reply(personalMail, personal.to_address);
    await reply(businessMail, business.to_address);

    expect(await app.test.context.services.doNotContact.statusOf(REALM, personal.customer_id)).toMatchObject({ source: 'customer_reply' });
    // The reply is recorded like any other, and the customer's task retires.
    expect((await inboundOf(personal.customer_id)).filter((r) => r.kind === 'reply')).toHaveLength(1);
    expect((await db().selectFrom('call_tasks').select('status').where('realm_id', '=', REALM).where('customer_id', '=', personal.customer_id).execute()).map((t) => t.status)).not.toContain('open');
    expect(await app.test.context.services.doNotContact.statusOf(REALM, business.customer_id)).toBeUndefined();
    expect((await inboundOf(business.customer_id)).filter((r) => r.kind === 'reply').map((r) => r.status)).toEqual(['awaiting']);
  });
});
