import { steerBusinessClock, type BusinessClock } from '../support/business-clock';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { pdfText } from '../support/pdf';

const REALM = '9341031';
const ZONE = 'America/New_York';
const TOKEN = 'operator-token-for-escalation-chronology-0123456789';
// Friday 2026-11-20, 10:00 in New York.
const NOW = '2026-11-20T15:00:00Z';

/**
 * The escalation file's chronology is the record of every contact: two emails, a call and a
 * letter to one customer on four days appear in date order, each message with its kind, the
 * address it went to, its subject and the SHA-256 of the copy kept when it went out (the API's).
 */
describe('the escalation file lists every message sent, with its SHA-256, among the calls, in date order', () => {
  let app: ConnectedApp;
  let clock: BusinessClock;
  const db = () => app.test.context.db;
  const get = (path: string) => fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Cedar Supply', customers: 20, invoices: 80 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    clock = steerBusinessClock(app.test.context.clock, ZONE, new Date(NOW));
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(() => app.stop());

  it('two emails, a call and a demand letter: all in the HTML and the PDF, in date order, each sha256 the API\'s', async () => {
    // An account with an open call task and an open overdue invoice of its own.
    const task = await db()
      .selectFrom('call_tasks as t')
      .innerJoin('qbo_invoices as i', (join) => join.onRef('i.realm_id', '=', 't.realm_id').onRef('i.customer_id', '=', 't.customer_id'))
      .select(['t.id', 't.customer_id', 'i.id as invoice_id', 'i.balance'])
      .where('t.realm_id', '=', REALM)
      .where('t.status', '=', 'open')
      .where('i.balance', '>', '0')
      .where('i.due_date', '<', '2026-11-01')
      .orderBy('t.id')
      .executeTakeFirstOrThrow();
    const customerId = task.customer_id;
    const send = async (kind: string, day: string) => {
      const at = clock.set(day, '10:00');
      const row = await db()
        .insertInto('messages')
        .values({ realm_id: REALM, customer_id: customerId, kind, to_address: 'ap@cedar-customer.test', invoice_ids: JSON.stringify([task.invoice_id]), total: task.balance, send_at: at, key: `test:${kind}:${day}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(await app.test.context.services.messages.send(row.id)).toMatchObject({ status: 'sent' });
      const response = await get(`/api/realms/${REALM}/messages/${row.id}`);
      expect(response.status).toBe(200);
      return { id: row.id, ...((await response.json()) as { sha256: string; subject: string; title: string }) };
    };

    const reminder = await send('reminder', '2026-11-23');
    clock.set('2026-11-24', '10:00');
    await app.test.context.services.callOutcomes.record(REALM, task.id, { outcome: 'no_answer', notes: 'Rang the accounts line twice' });
    const secondNotice = await send('second_notice', '2026-11-25');
    const demand = await send('demand_letter', '2026-11-27');
    const sent = [reminder, secondNotice, demand];
    expect(new Set(sent.map((m) => m.sha256)).size).toBe(3);

    // The page: the chronology's rows, in order.
    const page = await (await get(`/companies/${REALM}/customers/${customerId}/escalation`)).text();
    const chronology = page.slice(page.indexOf('<table class="events">'), page.indexOf('</table>', page.indexOf('<table class="events">')));
    const rows = [...chronology.matchAll(/<tr(?: data-message="([^"]+)")?><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([\s\S]*?)<\/td><\/tr>/g)].map((m) => ({ message: m[1] ?? null, on: m[2]!, channel: m[3]!, what: m[4]! }));
    const ours = rows.filter((r) => r.on >= '2026-11-23' && (r.message || r.channel === 'Phone'));
    expect(ours.map((r) => [r.on, r.channel, r.message])).toEqual([
      ['2026-11-23', 'Email', reminder.id],
      ['2026-11-24', 'Phone', null],
      ['2026-11-25', 'Email', secondNotice.id],
      ['2026-11-27', 'Letter (emailed; printable for post)', demand.id],
    ]);
    const dates = rows.map((r) => r.on);
    expect(dates).toEqual([...dates].sort());
    for (const [index, message] of [reminder, secondNotice, demand].entries()) {
      const row = ours.filter((r) => r.message)[index]!;
      expect(row.what).toContain(`${message.title} to ap@cedar-customer.test: &quot;`);
      expect(row.what).toContain(`As sent; SHA-256 ${message.sha256}`);
    }
    expect(ours[1]!.what).toContain('called: no answer<br>Notes: Rang the accounts line twice');

    // The PDF: the same, in the same order (pdftotext may break a digest across lines).
    const pdfResponse = await get(`/companies/${REALM}/customers/${customerId}/escalation.pdf`);
    expect(pdfResponse.status).toBe(200);
    const text = pdfText(Buffer.from(await pdfResponse.arrayBuffer())).replace(/\s+/g, '');
    const chronologyText = text.slice(text.indexOf('Chronology'), text.indexOf('Promisestopay'));
    const at = (needle: string) => chronologyText.indexOf(needle.replace(/\s+/g, ''));
    const positions = [at(`SHA-256 ${reminder.sha256}`), at('called: no answer'), at(`SHA-256 ${secondNotice.sha256}`), at(`SHA-256 ${demand.sha256}`)];
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const message of sent) expect(at(`${message.title} to ap@cedar-customer.test`)).toBeGreaterThanOrEqual(0);
  });
});
