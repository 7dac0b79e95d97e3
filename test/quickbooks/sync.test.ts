import { sql } from 'kysely';
import { startWorker } from '../../src/main/worker';
import type { WorkerHost } from '../../src/jobs/worker-host';
import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient, csrfTokenIn, jsonOf } from '../support/http';
import { expireStoredAccessToken } from '../support/tokens';

const REALM = '9341452000000303';

/** Compares Ardesk's copy with the sandbox's truth: every open invoice's balance and customer. */
async function expectCopyMatches(app: ConnectedApp, realm: Realm): Promise<void> {
  const db = app.test.context.db;
  const local = await db.selectFrom('qbo_invoices').select(['id', 'balance', 'customer_id', 'due_date', 'total']).where('realm_id', '=', REALM).execute();
  const truth = [...realm.table('Invoice').values()];
  expect(local.length).toBe(truth.length);
  const byId = new Map(local.map((row) => [row.id, row]));
  for (const invoice of truth) {
    const row = byId.get(invoice.Id)!;
    expect({ id: invoice.Id, balance: Number(row.balance), customer: row.customer_id, due: row.due_date }).toEqual({
      id: invoice.Id,
      balance: Number(invoice.Balance),
      customer: (invoice.CustomerRef as { value: string }).value,
      due: invoice.DueDate,
    });
  }
  const customers = await db.selectFrom('qbo_customers').select(['id', 'balance', 'active']).where('realm_id', '=', REALM).execute();
  expect(customers.length).toBe(realm.table('Customer').size);
  const payments = await db.selectFrom('qbo_payments').select((eb) => eb.fn.countAll<number>().as('n')).where('realm_id', '=', REALM).executeTakeFirstOrThrow();
  expect(Number(payments.n)).toBe(realm.table('Payment').size);
}

function apiLog(app: ConnectedApp) {
  return app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM);
}

describe('syncing a company from QuickBooks', () => {
  let app: ConnectedApp;
  let realm: Realm;
  let http: HttpClient;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Copper Kettle Supply', customers: 300, invoices: 2300 }] });
    realm = app.sandbox.sandbox.realm(REALM)!;
    http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('reproduces the company exactly with a full sync: a COUNT(*) of each entity, then its pages by Id', async () => {
    app.sandbox.sandbox.requestLog.length = 0;
    const report = await app.test.context.sync.run(REALM, 'full');
    expect(report.mode).toBe('full');
    expect(report.skipped).toEqual([]);
    await expectCopyMatches(app, realm);
    const all = apiLog(app).filter((e) => e.kind === 'query');
    const counts = all.filter((q) => /^SELECT COUNT\(\*\)/i.test(q.detail ?? ''));
    const queries = all.filter((q) => !counts.includes(q));
    expect(counts).toHaveLength(5);
    const pages = (n: number) => Math.ceil(n / 1000);
    const expected = pages(realm.table('Invoice').size) + pages(realm.table('Customer').size) + pages(realm.table('Payment').size) + pages(realm.table('CreditMemo').size) + pages(realm.table('Term').size);
    expect(queries).toHaveLength(expected);
    expect(queries.every((q) => /ORDERBY Id STARTPOSITION \d+ MAXRESULTS 1000/i.test(q.detail ?? ''))).toBe(true);
    expect(queries.filter((q) => /from customer/i.test(q.detail ?? '')).every((q) => /Active IN \(true, false\)/i.test(q.detail ?? ''))).toBe(true);
  });

  it('reflects changes made in QuickBooks with exactly one CDC request', async () => {
    const customer = [...realm.table('Customer').values()].find((c) => c.Active !== false)!;
    const created = realm.create('Invoice', { CustomerRef: { value: customer.Id }, Line: [{ Amount: 777, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: {} }] });
    const open = [...realm.table('Invoice').values()].find((i) => Number(i.Balance) > 50 && i.Id !== created.Id)!;
    realm.create('Payment', { CustomerRef: { value: (open.CustomerRef as { value: string }).value }, TotalAmt: 50, Line: [{ Amount: 50, LinkedTxn: [{ TxnId: open.Id, TxnType: 'Invoice' }] }] });
    const doomed = [...realm.table('Invoice').values()].find((i) => i.Id !== open.Id && i.Id !== created.Id)!;
    realm.delete('Invoice', { Id: doomed.Id, SyncToken: doomed.SyncToken });
    realm.update('Customer', { Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, PrimaryEmailAddr: { Address: 'new-ap@example.test' } });

    app.sandbox.sandbox.requestLog.length = 0;
    const report = await app.test.context.sync.run(REALM, 'auto');
    expect(report.mode).toBe('incremental');
    expect(apiLog(app).map((e) => e.kind)).toEqual(['cdc']);
    await expectCopyMatches(app, realm);
    const db = app.test.context.db;
    expect(await db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).where('id', '=', doomed.Id).executeTakeFirst()).toBeUndefined();
    expect((await db.selectFrom('qbo_customers').select('email').where('realm_id', '=', REALM).where('id', '=', customer.Id).executeTakeFirstOrThrow()).email).toBe('new-ap@example.test');
  });

  it('ends in a complete, correct copy through a 429 burst and 5xx faults injected mid-sync', async () => {
    await sql`delete from qbo_invoices where realm_id = ${REALM}`.execute(app.test.context.db);
    app.sandbox.sandbox.setKnobs({ throttleEvery: 4, failEvery: 5 });
    try {
      app.sandbox.sandbox.requestLog.length = 0;
      const report = await app.test.context.sync.run(REALM, 'full');
      expect(report.skipped).toEqual([]);
      expect(apiLog(app).filter((e) => e.status === 429).length).toBeGreaterThan(0);
      expect(apiLog(app).filter((e) => e.status === 500).length).toBeGreaterThan(0);
    } finally {
      app.sandbox.sandbox.setKnobs({ throttleEvery: 0, failEvery: 0 });
    }
    await expectCopyMatches(app, realm);
  });

  it('skips and reports an entity that does not parse, and completes the rest', async () => {
    const customer = [...realm.table('Customer').values()][0]!;
    realm.insertSeed('Invoice', { Id: '990001', CustomerRef: { value: customer.Id }, TxnDate: 'someday', TotalAmt: 'lots', Balance: 5, Line: [] });
    try {
      const report = await app.test.context.sync.run(REALM, 'full');
      expect(report.skipped).toEqual([{ entity: 'Invoice', id: '990001', reason: expect.stringContaining('TxnDate') }]);
      expect(report.counts.Invoice).toBe(realm.table('Invoice').size - 1);
      const status = await jsonOf(await http.get(`/api/realms/${REALM}`, { headers: { accept: 'application/json' } }));
      expect(status.sync.skipped).toEqual([expect.objectContaining({ entity: 'Invoice', id: '990001' })]);
      expect(status.sync.counts.Invoice).toBe(realm.table('Invoice').size - 1);
      const page = await (await http.get(`/companies/${REALM}`)).text();
      expect(page).toContain('1 QuickBooks records could not be read and were skipped');
    } finally {
      realm.table('Invoice').delete('990001');
    }
  });

  it('re-reads and retries an update refused for a stale SyncToken, and sends batches with a requestid', async () => {
    const customer = [...realm.table('Customer').values()].find((c) => c.Active !== false)!;
    app.sandbox.sandbox.setKnobs({ staleNext: 2 });
    app.sandbox.sandbox.requestLog.length = 0;
    const updated = await app.test.context.quickbooks.client.update<{ Notes: string; SyncToken: string }>(REALM, 'Customer', customer.Id, () => ({ Notes: 'Prefers calls on Monday' }));
    expect(updated.Notes).toBe('Prefers calls on Monday');
    expect(apiLog(app).map((e) => `${e.kind}:${e.status}`)).toEqual(['read:200', 'write:400', 'read:200', 'write:400', 'read:200', 'write:200']);
    const invoice = [...realm.table('Invoice').values()][0]!;
    const items = [{ bId: '1', operation: 'create', Attachable: { Note: 'Ardesk test note', AttachableRef: [{ EntityRef: { type: 'Invoice', value: invoice.Id } }] } }];
    const first = await app.test.context.quickbooks.client.batch(REALM, items, 'batch-once-1');
    const replay = await app.test.context.quickbooks.client.batch(REALM, items, 'batch-once-1');
    expect((replay[0]!.Attachable as { Id: string }).Id).toBe((first[0]!.Attachable as { Id: string }).Id);
    expect([...realm.table('Attachable').values()].filter((a) => a.Note === 'Ardesk test note')).toHaveLength(1);
  });

  describe('through the worker', () => {
    let worker: WorkerHost;
    beforeAll(async () => {
      worker = await startWorker(app.test.context, { shutdownGraceMs: 5000 });
    });
    afterAll(() => worker.stop());

    async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('syncs on POST /api/realms/:realmId/sync and keeps a poll and a daily run per company (no webhooks configured)', async () => {
      const before = (await app.test.context.repos.syncState.get(REALM))!.last_success_at!;
      const answer = await http.postJson(`/api/realms/${REALM}/sync`, { mode: 'incremental' }, { 'x-csrf-token': 'missing' });
      expect(answer.status).toBe(403);
      const token = csrfTokenIn(await (await http.get(`/companies/${REALM}`)).text());
      const queued = await http.postJson(`/api/realms/${REALM}/sync`, { mode: 'incremental' }, { 'x-csrf-token': token });
      expect(queued.status).toBe(202);
      await waitFor(async () => ((await app.test.context.repos.syncState.get(REALM))!.last_success_at! > before ? true : undefined));
      const schedulers = await app.test.context.queues.queue('sync').getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(expect.arrayContaining([`reconcile:${REALM}`, `sync:${REALM}`]));
      const bad = await http.postJson(`/api/realms/${REALM}/sync`, { mode: 'sometimes' }, { 'x-csrf-token': token });
      expect(bad.status).toBe(400);
      expect((await jsonOf(bad)).error.message).toContain('mode');
    });

    it('stops the company\'s jobs when QuickBooks revokes the connection', async () => {
      app.sandbox.sandbox.oauth.revokeRealm(REALM);
      app.sandbox.sandbox.oauth.expireAccessTokens(REALM);
      await expireStoredAccessToken(app.test.context, REALM);
      const jobId = await app.test.context.queues.enqueue('sync.realm', { realmId: REALM, mode: 'auto' });
      // Either this job meets the revoked connection itself (and fails without retries), or a
      // scheduled sync met it first and this one finds the company paused and skips, or leaves
      // its request to the scheduled sync meeting it at that moment.
      const job = await waitFor(async () => {
        const current = await app.test.context.queues.queue('sync').getJob(jobId);
        const state = current && (await current.getState());
        // Read the job again once it has ended: the copy read before may predate its last update.
        return state === 'failed' || state === 'completed' ? { job: (await app.test.context.queues.queue('sync').getJob(jobId))!, state } : undefined;
      });
      if (job.state === 'failed') {
        expect(job.job.attemptsMade).toBe(1);
        expect(job.job.failedReason).toContain('needs to be reconnected');
      } else {
        expect(['company is needs_reconnect', 'a sync of this company is running: it runs this request next']).toContain(job.job.returnvalue.skipped);
      }
      expect((await app.test.context.repos.companies.find(REALM))!.status).toBe('needs_reconnect');
      // A request left for the running sync ends before that sync has stopped the schedule.
      await waitFor(async () => ((await app.test.context.queues.queue('sync').getJobSchedulers()).some((s) => s.key === `sync:${REALM}`) ? undefined : true));
      const api = await http.postJson(`/api/realms/${REALM}/sync`, {}, { 'x-csrf-token': csrfTokenIn(await (await http.get(`/companies/${REALM}`)).text()) });
      expect(api.status).toBe(409);
    });
  });
});
