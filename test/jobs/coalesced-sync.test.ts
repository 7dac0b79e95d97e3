import type { Job } from 'bullmq';
import { unscheduleCompany } from '../../src/jobs/schedules';
import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSteppedWorker, type SteppedWorker } from '../support/stepped-worker';
import { until } from '../support/until';

const REALM = '9341452000000422';

/**
 * Sync requests for a company whose sync is running, on the real worker and Redis: they neither
 * wait in a worker slot for the company's lock nor get lost; however many come, one follow-up
 * sync runs after the running one and picks up what changed during it.
 */
describe('sync requests while a company syncs', () => {
  let app: ConnectedApp;
  let realm: Realm;
  let worker: SteppedWorker;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Busy Beaver Supply', customers: 300, invoices: 2300 }] });
    realm = app.sandbox.sandbox.realm(REALM)!;
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBe(303);
    // Only what this test queues runs: no schedule, no first sync.
    await unscheduleCompany(app.test.context.queues, REALM);
    for (const job of await app.test.context.queues.queue('sync').getJobs(['waiting', 'delayed', 'prioritized'])) await job.remove();
    await app.test.context.sync.run(REALM, 'full');
    // Two sync slots: if the requests waited for the lock, one would hold the free slot and the others queue behind it.
    worker = await startSteppedWorker(app.test.context, { concurrency: { sync: 2 } });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await app.stop();
  });

  it('ends each request at once, runs one follow-up for all of them, and that follow-up picks up a change made during the running sync', async () => {
    const { queues } = app.test.context;
    const sync = queues.queue('sync');
    const log = app.sandbox.sandbox.requestLog;
    // A slow QuickBooks: the full sync takes seconds.
    app.sandbox.sandbox.setKnobs({ latencyMs: 100 });
    log.length = 0;
    const running = await queues.enqueue('sync.realm', { realmId: REALM, mode: 'full' }, { jobId: 'running-full-sync' });
    // Once it reads invoices it has read every customer: a customer changed now is not in its answer.
    await until('the full sync to read invoices', () => log.some((entry) => /from Invoice/i.test(entry.detail ?? '')), 20_000);
    const customer = [...realm.table('Customer').values()].find((c) => c.Active !== false)!;
    realm.update('Customer', { Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, PrimaryEmailAddr: { Address: 'changed-during-sync@example.test' } });

    const requests: string[] = [];
    for (const [i, mode] of (['incremental', 'auto', 'incremental', 'incremental', 'auto'] as const).entries()) requests.push(await queues.enqueue('sync.realm', { realmId: REALM, mode }, { jobId: `request-${i}` }));
    const states = async (ids: string[]) => Promise.all(ids.map(async (id) => (await sync.getJob(id))!.getState()));
    await until('every request to end', async () => (await states(requests)).every((state) => state === 'completed'), 10_000);
    // ...while the full sync still runs: nobody waited for it.
    expect(await states([running])).toEqual(['active']);
    for (const id of requests) expect((await sync.getJob(id))!.returnvalue).toEqual({ skipped: 'a sync of this company is running: it runs this request next' });

    await worker.settle('the full sync and its follow-up', 60_000);
    expect((await sync.getJob(running))!.returnvalue).toMatchObject({ mode: 'full' });
    const followUps = (await sync.getJobs(['completed'])).filter((job: Job) => String(job.id).startsWith('sync-again-'));
    expect(followUps.map((job) => ({ data: job.data, mode: job.returnvalue.mode }))).toEqual([{ data: { realmId: REALM, mode: 'auto' }, mode: 'incremental' }]);
    // One CDC after the full sync's pages, and the change made during the full sync arrived.
    expect(log.filter((entry) => entry.realmId === REALM && entry.kind === 'cdc')).toHaveLength(1);
    const copy = await app.test.context.db.selectFrom('qbo_customers').select('email').where('realm_id', '=', REALM).where('id', '=', customer.Id).executeTakeFirstOrThrow();
    expect(copy.email).toBe('changed-during-sync@example.test');
  }, 90_000);

  it('runs a request at once when no sync is running, without a follow-up', async () => {
    const { queues } = app.test.context;
    const sync = queues.queue('sync');
    app.sandbox.sandbox.setKnobs({ latencyMs: 0 });
    const before = (await sync.getJobs(['completed'])).filter((job: Job) => String(job.id).startsWith('sync-again-')).length;
    await queues.enqueue('sync.realm', { realmId: REALM, mode: 'incremental' }, { jobId: 'quiet-request' });
    await worker.settle('the request');
    expect((await sync.getJob('quiet-request'))!.returnvalue).toMatchObject({ mode: 'incremental' });
    expect((await sync.getJobs(['completed'])).filter((job: Job) => String(job.id).startsWith('sync-again-'))).toHaveLength(before);
  }, 30_000);
});
