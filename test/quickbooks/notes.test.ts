import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { until } from '../support/until';
import { WorkerProcesses } from '../support/worker-process';

const NOW = '2026-11-20T15:00:00Z';
const HISTORY = '9341101';
const CRASH = '9341102';
const BULK = '9341103';
const OFF = '9341104';
const TOKEN = 'operator-token-for-notes-tests-0123456789';

interface Attachable {
  Id: string;
  Note: string;
  AttachableRef: Array<{ EntityRef: { type: string; value: string } }>;
}


describe('the collection history written back into QuickBooks as notes', () => {
  let app: ConnectedApp;
  const workers = new WorkerProcesses(() => app);
  const realmOf = (realmId: string): Realm => app.sandbox.sandbox.realm(realmId)!;
  const db = () => app.test.context.db;

  /** Every Attachable of a company, read back through the API (not the sandbox's memory). */
  const attachables = async (realmId: string): Promise<Attachable[]> => {
    const found: Attachable[] = [];
    for (let start = 1; ; start += 1000) {
      const page = await app.test.context.quickbooks.client.query<Attachable>(realmId, 'Attachable', `STARTPOSITION ${start} MAXRESULTS 1000`);
      found.push(...page.rows);
      if (page.rows.length < 1000) return found;
    }
  };
  const activities = (realmId: string) => db().selectFrom('activities').selectAll().where('realm_id', '=', realmId).execute();
  const batchRequests = (realmId: string) => app.sandbox.sandbox.requestLog.filter((e) => e.realmId === realmId && e.kind === 'batch');

  beforeAll(async () => {
    app = await startConnectedApp({
      realms: [
        { realmId: HISTORY, name: 'History Co', customers: 25, invoices: 100 },
        { realmId: CRASH, name: 'Crash Notes Co', customers: 25, invoices: 100 },
        { realmId: BULK, name: 'Bulk Notes Co', customers: 30, invoices: 200 },
        { realmId: OFF, name: 'Quiet Co', customers: 10, invoices: 30 },
      ],
      env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN },
    });
    const http = new HttpClient(app.web.url);
    for (const realmId of [HISTORY, CRASH, BULK, OFF]) {
      expect((await connect(app, http, realmId)).status).toBeLessThan(400);
      await app.test.context.sync.run(realmId, 'full');
    }
  });
  afterAll(async () => {
    await workers.killAll();
    await app.stop();
  });

  it('leaves exactly one note per activity, on the right invoices, after a cadence run, sends and logged calls', async () => {
    await app.test.context.services.cadence.runDay(HISTORY);
    const queued = await db().selectFrom('messages').select('id').where('realm_id', '=', HISTORY).where('status', '=', 'queued').limit(6).execute();
    for (const message of queued) await app.test.context.services.messages.send(message.id);
    const tasks = await db().selectFrom('call_tasks').selectAll().where('realm_id', '=', HISTORY).where('status', '=', 'open').where('reason', '=', 'level').limit(3).execute();
    expect(tasks.length).toBeGreaterThan(1);
    await app.test.context.services.callOutcomes.record(HISTORY, tasks[0]!.id, { outcome: 'promised', promise: { amount: 100, dueOn: '2026-11-27' }, notes: 'Spoke to <b>Sam</b> in AP' });
    await app.test.context.services.callOutcomes.record(HISTORY, tasks[1]!.id, { outcome: 'no_answer' });

    const run = await app.test.context.services.notes.writePending(HISTORY);
    expect(run).toMatchObject({ failed: 0, retried: 0, more: false });
    const rows = await activities(HISTORY);
    const notes = await attachables(HISTORY);
    const written = rows.filter((a) => a.note_status === 'written');
    expect(written.length).toBe(run.written);
    expect(notes).toHaveLength(written.length);
    expect(rows.every((a) => a.note_status === 'written' || (a.note_status === 'skipped' && a.kind === 'message_queued'))).toBe(true);
    expect(written.some((a) => a.kind === 'call')).toBe(true);
    expect(written.some((a) => a.kind === 'email_sent' || a.kind === 'letter_sent')).toBe(true);

    const byId = new Map(notes.map((n) => [n.Id, n]));
    for (const activity of written) {
      const note = byId.get(activity.note_id!);
      expect(note).toBeDefined();
      const refs = note!.AttachableRef.map((r) => `${r.EntityRef.type}:${r.EntityRef.value}`).sort();
      const expected = activity.invoice_ids.length ? activity.invoice_ids.map((id) => `Invoice:${id}`).sort() : [`Customer:${activity.customer_id}`];
      expect(refs).toEqual(expected);
      expect(note!.Note.startsWith(`Ardesk ${activity.occurred_on}: `)).toBe(true);
      expect(note!.Note.length).toBeLessThanOrEqual(2000);
    }
    const promise = notes.find((n) => n.Note.includes('promised USD 100.00 by 2026-11-27'));
    expect(promise?.Note).toContain('Notes: Spoke to <b>Sam</b> in AP');

    // A second run finds nothing to do and asks QuickBooks nothing.
    const before = batchRequests(HISTORY).length;
    expect(await app.test.context.services.notes.writePending(HISTORY)).toMatchObject({ batches: 0 });
    expect(batchRequests(HISTORY)).toHaveLength(before);
  });

  it('shows on each activity whether its note is in QuickBooks, and lets the company turn write-back off', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const api = (await (await fetch(`${app.web.url}/api/realms/${HISTORY}/activities?note=written`, { headers })).json()) as { activities: Array<{ note: { status: string; quickBooksId: string } }> };
    expect(api.activities.length).toBeGreaterThan(0);
    expect(api.activities.every((a) => a.note.status === 'written' && /^\d+$/.test(a.note.quickBooksId))).toBe(true);
    const bad = await fetch(`${app.web.url}/api/realms/${HISTORY}/activities?note=maybe`, { headers });
    expect(bad.status).toBe(400);
    const page = await (await fetch(`${app.web.url}/companies/${HISTORY}/activities`, { headers })).text();
    expect(page).toContain('In QuickBooks');
    expect(page).toMatch(/note \d+/);

    const off = await fetch(`${app.web.url}/companies/${HISTORY}/notes-setting`, { method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: 'writeNotesToQuickBooks=off' });
    expect(off.status).toBe(303);
    expect((await app.test.context.repos.collections.settingsOf(HISTORY))?.writeNotesToQuickBooks).toBe(false);
    await fetch(`${app.web.url}/companies/${HISTORY}/notes-setting`, { method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: 'writeNotesToQuickBooks=on' });
    expect((await app.test.context.repos.collections.settingsOf(HISTORY))?.writeNotesToQuickBooks).toBe(true);
  });

  it('records an invoice deleted in QuickBooks (610) on its note and does not retry it', async () => {
    const realm = realmOf(HISTORY);
    const invoice = await db().selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', HISTORY).where('balance', '>', '0').executeTakeFirstOrThrow();
    await db().insertInto('activities').values({ realm_id: HISTORY, customer_id: invoice.customer_id, invoice_ids: JSON.stringify([invoice.id]), kind: 'call', summary: 'called: left a voicemail', occurred_on: '2026-11-20', key: 'test:deleted-invoice' }).execute();
    const current = realm.get('Invoice', invoice.id)!;
    realm.delete('Invoice', { Id: invoice.id, SyncToken: current.SyncToken });

    const run = await app.test.context.services.notes.writePending(HISTORY);
    expect(run).toMatchObject({ written: 0, failed: 1, retried: 0 });
    const row = await db().selectFrom('activities').selectAll().where('realm_id', '=', HISTORY).where('key', '=', 'test:deleted-invoice').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ note_status: 'failed', note_id: null, note_error: expect.stringMatching(/deleted in QuickBooks \(610\)/) });
    expect(await app.test.context.services.notes.writePending(HISTORY)).toMatchObject({ batches: 0 });
  });

  it('writes nothing for a company that turned write-back off, and says so on each activity', async () => {
    await app.test.context.repos.collections.saveSettings(OFF, { writeNotesToQuickBooks: false });
    await app.test.context.services.cadence.runDay(OFF);
    const run = await app.test.context.services.notes.writePending(OFF);
    expect(run.batches).toBe(0);
    expect(run.skipped).toBeGreaterThan(0);
    expect(batchRequests(OFF)).toHaveLength(0);
    expect((await activities(OFF)).every((a) => a.note_status === 'skipped' && /turned off/.test(a.note_error ?? '') || a.kind === 'message_queued')).toBe(true);
    expect(await attachables(OFF)).toHaveLength(0);
  });

  it('writes 1,000 pending notes with 34 batch requests, within the batch rate limit', async () => {
    const invoices = await db().selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', BULK).execute();
    await db()
      .insertInto('activities')
      .values(Array.from({ length: 1000 }, (_, n) => {
        const invoice = invoices[n % invoices.length]!;
        return { realm_id: BULK, customer_id: invoice.customer_id, invoice_ids: JSON.stringify([invoice.id]), kind: 'call', summary: 'called: no answer', occurred_on: '2026-11-20', key: `bulk:${n}` };
      }))
      .execute();
    const run = await app.test.context.services.notes.writePending(BULK);
    expect(run).toMatchObject({ written: 1000, failed: 0, retried: 0, batches: 34 });
    const requests = batchRequests(BULK);
    expect(requests).toHaveLength(34);
    expect(requests.every((r) => r.status === 200 && (r.batchItems ?? 0) <= 30)).toBe(true);
    expect((await attachables(BULK)).length).toBe(1000);
  });

  it('still leaves exactly one note per activity when the worker is killed between the batch request and recording it', async () => {
    await app.test.context.services.cadence.runDay(CRASH);
    const invoices = await db().selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', CRASH).execute();
    await db()
      .insertInto('activities')
      .values(Array.from({ length: 75 }, (_, n) => ({ realm_id: CRASH, customer_id: invoices[n]!.customer_id, invoice_ids: JSON.stringify([invoices[n]!.id]), kind: 'call', summary: 'called: left a voicemail', occurred_on: '2026-11-20', key: `crash:${n}` })))
      .execute();
    const pending = (await activities(CRASH)).filter((a) => a.note_status === 'pending' && a.kind !== 'message_queued');
    expect(pending.length).toBeGreaterThan(60);
    // Each request takes 1.5 s at QuickBooks: long enough to kill the worker while one is in flight.
    app.sandbox.sandbox.setKnobs({ latencyMs: 1500 });
    const startWorkerProcess = () => workers.start({ ARDESK_NOW: NOW });
    const first = startWorkerProcess();
    await app.test.context.queues.enqueue('notes.realm', { realmId: CRASH }, { jobId: 'crash-notes' });
    // Killed once QuickBooks holds the batch request (however slow the machine is to send it).
    const batchesArrived = () => app.sandbox.sandbox.arrivals.get(`${CRASH}:batch`) ?? 0;
    const before = batchesArrived();
    await until('a batch request to reach QuickBooks', async () => batchesArrived() > before, 30_000);
    await workers.kill(first);
    // QuickBooks finishes the request the dead worker sent: notes exist that Ardesk never recorded.
    await until('the orphaned batch to be answered', async () => batchRequests(CRASH).length >= 1, 10_000);
    const recorded = (await activities(CRASH)).filter((a) => a.note_status === 'written').length;
    expect((await attachables(CRASH)).length).toBeGreaterThan(recorded);
    app.sandbox.sandbox.setKnobs({ latencyMs: 0 });

    // A notes run never waits for the company's lock: one asked for while the dead worker's lock
    // lives would leave at once, for the notes pass to bring back. The lock dies with its owner
    // within its few seconds, and the next run sends the batch left behind.
    await until('the dead worker\'s lock to expire', async () => (await app.test.context.redis.exists(`${app.test.context.queues.prefix}:lock:notes:${CRASH}`)) === 0, 20_000);
    const second = startWorkerProcess();
    await app.test.context.queues.enqueue('notes.realm', { realmId: CRASH }, { jobId: 'crash-notes-again' });
    await until('every note to be written', async () => (await activities(CRASH)).every((a) => a.note_status !== 'pending'), 60_000);
    // Its other jobs (the scheduled syncs) may wait on locks the dead worker held; no need to wait for them.
    await workers.kill(second);

    const rows = (await activities(CRASH)).filter((a) => a.note_status === 'written');
    const notes = await attachables(CRASH);
    expect(notes).toHaveLength(rows.length);
    expect(new Set(rows.map((a) => a.note_id)).size).toBe(rows.length);
    expect(new Set(notes.map((n) => n.Id))).toEqual(new Set(rows.map((a) => a.note_id)));
    expect(batchRequests(CRASH).some((r) => r.replay)).toBe(true);
  }, 60_000);
});
