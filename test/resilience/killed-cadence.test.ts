import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { until } from '../support/until';
import { WorkerProcesses } from '../support/worker-process';

const CALM = '9341911';
const KILLED = '9341912';
const NOW = '2026-11-23T15:00:00Z';

/**
 * A worker SIGKILLed while the day's playbook runs. The run records in one transaction, so nothing
 * of it remains; the job is found stalled and a second worker runs it, deciding exactly what the
 * same run decided for an identical company nobody interrupted.
 */
describe('a worker killed in the middle of the day\'s playbook', () => {
  let app: ConnectedApp;

  // The run queues some 1,600 messages, which the workers send at once. Here they go out one at a
  // time: at the default 32 at a time they queue the retried job's own queries (the month's
  // difficult customers, after the run) behind theirs until the last is sent, and this test is
  // about the run.
  const workers = new WorkerProcesses(() => app, { MAIL_CONCURRENCY: '1' });
  const startWorkerProcess = () => workers.start();

  beforeAll(async () => {
    // Two companies generated from the same seed: the same customers and invoices.
    const company = { customers: 2000, invoices: 20000 };
    app = await startConnectedApp({ realms: [{ realmId: CALM, name: 'Calm Co', ...company }, { realmId: KILLED, name: 'Killed Co', ...company }], env: { ARDESK_NOW: NOW } });
    for (const realmId of [CALM, KILLED]) await connect(app, new HttpClient(app.web.url), realmId);
    for (const job of await app.test.context.queues.queue('sync').getJobs(['waiting', 'delayed', 'prioritized'])) if (String(job.id).startsWith('sync-first-')) await job.remove();
    for (const realmId of [CALM, KILLED]) await app.test.context.sync.run(realmId, 'full');
    await app.test.context.services.cadence.runDay(CALM);
    // What the daily job does after the playbook: fix the month's difficult customers.
    await app.test.context.services.reports.difficultCustomers(CALM);
    // The reference company is left alone by the workers from here on.
    await app.test.context.db.updateTable('companies').set({ status: 'disconnected' }).where('realm_id', '=', CALM).execute();
  }, 120_000);
  afterAll(async () => {
    await workers.killAll();
    await app.stop();
  });

  it('leaves nothing of the killed run, and the retried job decides what an uninterrupted run decided', async () => {
    const db = app.test.context.db;
    // Kill it while it records: the run is found active, then given a moment into its transaction.
    const first = startWorkerProcess();
    await app.test.context.queues.enqueue('cadence.realm', { realmId: KILLED }, { jobId: 'killed-cadence' });
    const job = () => app.test.context.queues.queue('cadence').getJob('killed-cadence');
    const poll = async () => {
      for (;;) {
        if ((await (await job())?.getState()) === 'active') return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await poll();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await workers.kill(first);
    expect(await (await job())?.getState()).toBe('active'); // it had not finished

    const recorded = async (table: 'invoice_states' | 'activities' | 'call_tasks' | 'messages') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('realm_id', '=', KILLED).executeTakeFirstOrThrow()).n);
    for (const table of ['invoice_states', 'activities', 'call_tasks', 'messages'] as const) expect({ table, rows: await recorded(table) }).toEqual({ table, rows: 0 });

    startWorkerProcess();
    const summary = async (realmId: string) => ({
      messages: (await db.selectFrom('messages').select(['kind', 'customer_id', 'send_at']).where('realm_id', '=', realmId).orderBy('customer_id').orderBy('kind').execute()).map((m) => `${m.customer_id}:${m.kind}:${m.send_at.toISOString()}`),
      tasks: (await db.selectFrom('call_tasks').select(['customer_id', 'level', 'reason', 'scheduled_for']).where('realm_id', '=', realmId).orderBy('customer_id').orderBy('reason').execute()).map((t) => `${t.customer_id}:${t.level}:${t.reason}:${t.scheduled_for}`),
      levels: (await db.selectFrom('invoice_states').select(['invoice_id', 'level']).where('realm_id', '=', realmId).orderBy('invoice_id').execute()).map((s) => `${s.invoice_id}:${s.level}`),
    });
    const expected = await summary(CALM);
    expect(expected.messages.length).toBeGreaterThan(10);
    await until('the stalled job to be run again and finish', async () => (await (await job())?.getState()) === 'completed', 150_000);
    const actual = await summary(KILLED);
    for (const part of ['messages', 'tasks', 'levels'] as const) {
      expect({ part, count: actual[part].length }).toEqual({ part, count: expected[part].length });
      expect({ part, differing: actual[part].filter((line, i) => line !== expected[part][i]).length }).toEqual({ part, differing: 0 });
    }
  }, 240_000);
});
