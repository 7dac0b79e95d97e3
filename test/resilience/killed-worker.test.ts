import type { ChildProcess } from 'node:child_process';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { eventually, until } from '../support/until';
import { WorkerProcesses } from '../support/worker-process';

const KILLED = '9341901';
const NOW = '2026-11-23T15:00:00Z';

/**
 * A worker SIGKILLed in the middle of a full sync: its job is found stalled, its lock runs out,
 * and a second worker finishes the sync with a copy equal to QuickBooks.
 */
describe('a worker killed during a full sync', () => {
  let app: ConnectedApp;

  const workers = new WorkerProcesses(() => app);
  const startWorkerProcess = () => workers.start();
  const kill = (child: ChildProcess) => workers.kill(child);

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: KILLED, name: 'Killed Co', customers: 200, invoices: 4000 }], env: { ARDESK_NOW: NOW } });
    await connect(app, new HttpClient(app.web.url), KILLED);
    // No worker runs yet: drop the first sync the connect queued; the test queues its own.
    for (const job of await app.test.context.queues.queue('sync').getJobs(['waiting', 'delayed', 'prioritized'])) if (String(job.id).startsWith('sync-first-')) await job.remove();
  }, 60_000);
  afterAll(async () => {
    await workers.killAll();
    await app.stop();
  });

  it('finishes a full sync killed mid-way, with a copy equal to QuickBooks', async () => {
    const sandbox = app.sandbox.sandbox;
    sandbox.knobs.latencyMs = 400;
    const before = sandbox.requestLog.filter((r) => r.realmId === KILLED && r.path.includes('/query')).length;
    const first = startWorkerProcess();
    await app.test.context.queues.enqueue('sync.realm', { realmId: KILLED, mode: 'full' }, { jobId: 'killed-full-sync' });
    // Kill the worker once it has read a page or two.
    await until('the sync to be under way', () => sandbox.requestLog.filter((r) => r.realmId === KILLED && r.path.includes('/query')).length >= before + 2, 60_000);
    await kill(first);
    const syncState = () => app.test.context.repos.syncState.get(KILLED);
    expect((await syncState())?.last_success_at ?? null).toBeNull();

    sandbox.knobs.latencyMs = 0;
    startWorkerProcess();
    await eventually('a second worker to finish the sync', async () => (await syncState())?.last_success_at ?? undefined, 120_000);
    const realm = sandbox.realm(KILLED)!;
    for (const [entity, table] of [['Invoice', 'qbo_invoices'], ['Customer', 'qbo_customers'], ['Payment', 'qbo_payments']] as const) {
      const ours = await app.test.context.db.selectFrom(table).select(['id', 'sync_token']).where('realm_id', '=', KILLED).execute();
      const theirs = [...realm.table(entity).values()];
      expect({ entity, count: ours.length }).toEqual({ entity, count: theirs.length });
      const tokens = new Map(theirs.map((row) => [String(row.Id), String(row.SyncToken)]));
      for (const row of ours) expect(row.sync_token).toBe(tokens.get(row.id));
    }
  }, 240_000);
});
