import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { QUEUES } from '../../src/jobs/names';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../support/private-services';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { until } from '../support/until';
import { WorkerProcesses } from '../support/worker-process';

const REALM = '9341701';
// Monday 2026-11-23, 10:00 in New York: every message is due, commercial calls are today.
const NOW = '2026-11-23T15:00:00Z';

/**
 * A whole day's run (first sync, the playbook, sending, notes) by two real worker processes,
 * through 5% of QuickBooks requests failing with 500, with Redis and then PostgreSQL restarted in the middle.
 * Afterwards the copy of QuickBooks is right, nothing was sent twice, every activity has exactly
 * one note in QuickBooks, and no job failed for good.
 */
describe('Redis and PostgreSQL restarted mid-run, with QuickBooks failing 5% of requests', () => {
  let redis: PrivateServer;
  let postgres: PrivateServer;
  let smtp: TestSmtp;
  let app: ConnectedApp;

  const workers = new WorkerProcesses(() => app, { MAIL_CONCURRENCY: '4' });
  const startWorkerProcess = () => workers.start({ DATABASE_URL: postgres.url });
  const count = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await query.execute(app.test.context.db)).rows[0]!.n);

  beforeAll(async () => {
    [redis, postgres, smtp] = await Promise.all([startPrivateRedis({ persist: true }), startPrivatePostgres(), startSmtp({ delayMs: 40 })]);
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Tidewater Supply', customers: 100, invoices: 500 }],
      env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, REDIS_URL: redis.url, MAIL_FROM: 'Tidewater AR <ar@tidewater.test>' },
      databaseUrl: postgres.url,
    });
    app.sandbox.sandbox.knobs.latencyMs = 20;
  }, 60_000);
  afterAll(async () => {
    await workers.killAll();
    await app?.stop().catch(() => undefined);
    await Promise.all([redis?.stop(), postgres?.stop(), smtp?.stop()]);
  });

  it('ends with a correct copy, each message at most once, each note exactly once, and no job lost', async () => {
    startWorkerProcess();
    startWorkerProcess();
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    // One QuickBooks request in 20 fails with a 500, all through the run.
    app.sandbox.sandbox.knobs.failEvery = 20;

    const unsettled = sql<{ n: number }>`select count(*)::int as n from messages where realm_id = ${REALM} and status in ('queued', 'sending')`;
    const pendingNotes = sql<{ n: number }>`select count(*)::int as n from activities where realm_id = ${REALM} and note_status = 'pending'`;
    await until('the first messages to go out', () => smtp.received.length >= 5, 90_000);
    await redis.restart(1_000);
    // PostgreSQL goes down while the workers are still finding Redis again, with work left to do.
    const leftAtRestart = (await count(unsettled)) + (await count(pendingNotes));
    await postgres.restart(1_000);
    expect(leftAtRestart).toBeGreaterThan(0);

    await until('every message and note to settle', async () => {
      try {
        return (await count(unsettled)) === 0 && (await count(pendingNotes)) === 0;
      } catch {
        return false; // our own pool meets the restarted PostgreSQL too
      }
    }, 150_000);

    // The copy of QuickBooks: a last sync, faults off, then every invoice balance matches.
    app.sandbox.sandbox.knobs.failEvery = 0;
    expect(app.sandbox.sandbox.requestLog.filter((entry) => entry.status === 500).length).toBeGreaterThan(0);
    await app.test.context.sync.run(REALM, 'full');
    const realm = app.sandbox.sandbox.realm(REALM)!;
    const theirs = new Map([...realm.table('Invoice').values()].map((i) => [String(i.Id), Number(i.Balance)]));
    const ours = await app.test.context.db.selectFrom('qbo_invoices').select(['id', 'balance']).where('realm_id', '=', REALM).execute();
    expect(ours).toHaveLength(theirs.size);
    for (const invoice of ours) expect(Number(invoice.balance)).toBeCloseTo(theirs.get(invoice.id)!, 2);

    // Each message at most once; every one ended.
    const ids = smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const messages = await app.test.context.db.selectFrom('messages').select(['id', 'status']).where('realm_id', '=', REALM).execute();
    expect(messages.length).toBeGreaterThan(5);
    const received = new Set(ids);
    for (const message of messages) {
      expect(['sent', 'uncertain', 'cancelled', 'failed']).toContain(message.status);
      if (message.status === 'sent') expect(received.has(`<${message.id}@tidewater.test>`)).toBe(true);
    }

    // Each note exactly once: every written activity's note exists, and no note is there twice.
    const written = await app.test.context.db.selectFrom('activities').select(['id', 'note_id']).where('realm_id', '=', REALM).where('note_status', '=', 'written').execute();
    expect(written.length).toBeGreaterThan(5);
    const notes = [...realm.table('Attachable').values()] as unknown as Array<{ Id: string; Note: string; AttachableRef: Array<{ EntityRef: { value: string } }> }>;
    const noteIds = new Set(notes.map((n) => String(n.Id)));
    for (const activity of written) expect(noteIds.has(String(activity.note_id))).toBe(true);
    const keys = notes.map((n) => `${n.Note}|${n.AttachableRef.map((r) => r.EntityRef.value).join(',')}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(notes).toHaveLength(written.length);

    // No job failed for good (all retries spent) in any queue.
    for (const name of QUEUES) {
      const queue = new Queue(name, { connection: app.test.context.redis, prefix: app.test.context.queues.prefix });
      const failed = await queue.getFailed();
      await queue.close();
      expect({ queue: name, failed: failed.map((job) => `${job.name}: ${job.failedReason}`) }).toEqual({ queue: name, failed: [] });
    }
  }, 300_000);
});
