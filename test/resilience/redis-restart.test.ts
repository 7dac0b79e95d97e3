import { createHmac } from 'node:crypto';
import { withLock } from '../../src/jobs/locks';
import { QUEUES } from '../../src/jobs/names';
import { loadConfig } from '../../src/config';
import { spreadDaily } from '../../src/jobs/spread';
import { createProducerConnection, RedisUnavailableError } from '../../src/jobs/redis';
import { toProblem } from '../../src/web/error-handler';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startPrivateRedis, type PrivateServer } from '../support/private-services';
import { until } from '../support/until';
import { testEnv } from '../support/env';
import { WorkerProcesses } from '../support/worker-process';

const REALM = '9341702';
const VERIFIER = 'redis-restart-verifier-token';
const API_TOKEN = 'redis-restart-operator-token-0123456789abcdef';
/** The daily jobs' windows the workers run with (the defaults). */
const { reconcile, cadence } = loadConfig(testEnv()).syncSchedule.windows;

/** Every repeating job a running worker must keep: the global ones and the company's own (webhooks are configured: no poll). */
const EXPECTED_SCHEDULES = {
  'mail-dispatch': 'every 60000',
  'notes-dispatch': 'every 30000',
  'prune-sessions': 'every 3600000',
  retention: 'every 86400000',
  [`reconcile:${REALM}`]: `${spreadDaily(REALM, reconcile.startMinute, reconcile.windowMinutes)} America/New_York`,
  [`cadence:${REALM}`]: `${spreadDaily(REALM, cadence.startMinute, cadence.windowMinutes)} America/New_York`,
};

/**
 * Redis run as a careless operator might: no persistence, so a restart comes back empty. The
 * running worker notices and puts every schedule back; while Redis is down, whatever needs it
 * answers 503 at once (Intuit retries a webhook that was not answered 200), and readiness says so.
 */
describe('Redis restarted empty under a running worker, and Redis down', () => {
  let redis: PrivateServer;
  let app: ConnectedApp;
  const workers = new WorkerProcesses(() => app);

  beforeAll(async () => {
    redis = await startPrivateRedis();
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Harbor Freight Lines', customers: 5, invoices: 12 }],
      env: { REDIS_URL: redis.url, INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER, API_TOKEN },
    });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
  }, 60_000);
  afterAll(async () => {
    await workers.killAll();
    await app?.stop().catch(() => undefined);
    await redis?.stop();
  });

  /** The job schedulers Redis holds now, as id → repeat rule; undefined while Redis cannot answer. */
  const schedules = async (): Promise<Record<string, string> | undefined> => {
    try {
      const all: Record<string, string> = {};
      for (const name of QUEUES) {
        for (const scheduler of await app.test.context.queues.queue(name).getJobSchedulers()) {
          all[scheduler.key] = scheduler.every ? `every ${scheduler.every}` : `${scheduler.pattern} ${scheduler.tz}`;
        }
      }
      return sortKeys(all);
    } catch {
      return undefined;
    }
  };
  const sameSchedules = async () => JSON.stringify(await schedules()) === JSON.stringify(sortKeys(EXPECTED_SCHEDULES));

  it('puts back every global and per-company schedule by itself after Redis comes back empty', async () => {
    workers.start();
    await until('the worker to register the schedules', sameSchedules, 30_000);
    const marker = `${app.test.context.queues.prefix}:restart-marker`;
    await app.test.context.redis.set(marker, 'before');

    await redis.restart(500);
    await until('our connection to find Redis again', async () => (await app.test.context.redis.exists(marker).catch(() => -1)) !== -1, 10_000);
    expect(await app.test.context.redis.exists(marker)).toBe(0); // it really came back empty

    await until("the worker to put the schedules back", sameSchedules, 15_000).catch(async (e) => { console.log(await schedules()); throw e; });
    expect(await schedules()).toEqual(EXPECTED_SCHEDULES);
  }, 90_000);

  it('answers 503 within a second while Redis is down, says not ready, and takes the webhook once it is back', async () => {
    const http = new HttpClient(app.web.url);
    const body = JSON.stringify({ eventNotifications: [{ realmId: REALM, dataChangeEvent: { entities: [{ name: 'Invoice', id: '7', operation: 'Update', lastUpdated: '2026-11-23T15:00:00.000Z' }] } }] });
    const signature = createHmac('sha256', VERIFIER).update(body).digest('base64');
    const webhook = () => http.request('/webhooks/intuit', { method: 'POST', body, headers: { 'content-type': 'application/json', 'intuit-signature': signature }, signal: AbortSignal.timeout(5_000) });
    const sync = () => http.postJson(`/api/realms/${REALM}/sync`, { mode: 'incremental' }, { authorization: `Bearer ${API_TOKEN}` });
    const timed = async (what: string, request: () => Promise<Response>) => {
      const started = Date.now();
      const response = await request().catch((error: Error) => ({ status: 0, json: async () => ({ error: error.message }) }) as unknown as Response);
      return { what, status: response.status, ms: Date.now() - started, body: (await response.json()) as { error?: { code?: string; message?: string }; failing?: string[] } };
    };

    const down = redis.restart(8_000);
    await until('our connection to notice Redis is gone', () => app.test.context.redis.status !== 'ready', 5_000);
    const answers = [await timed('readyz', () => http.get('/readyz')), await timed('sync', sync), await timed('webhook', webhook)];
    for (const answer of answers) {
      expect({ what: answer.what, status: answer.status, fast: answer.ms < 1_000 }).toEqual({ what: answer.what, status: 503, fast: true });
    }
    expect(answers[0]!.body.failing).toContain('redis');
    for (const answer of answers.slice(1)) expect(answer.body.error).toEqual({ code: 'redis_unavailable', message: expect.stringMatching(/try again/i) });
    await down;

    await until('readiness to say ready again', async () => (await http.get('/readyz')).status === 200, 15_000);
    // Intuit retries the webhook it got no 200 for: now it is taken and its sync queued.
    const retried = await timed('webhook', webhook);
    expect({ status: retried.status, body: retried.body }).toEqual({ status: 200, body: { received: 1, new: 1, syncsQueued: 1 } });
    const waiting = await app.test.context.queues.queue('sync').getJobs(['delayed', 'waiting', 'active', 'completed']);
    expect(waiting.filter((job) => job.opts.deduplication?.id === `sync-webhook:${REALM}`).map((job) => job.data)).toEqual([{ realmId: REALM, mode: 'incremental' }]);
    expect((await timed('sync', sync)).status).toBe(202);
  }, 90_000);
});

describe('Redis unreachable wherever a request meets it', () => {
  it('fails a lock, or any other Redis call, at once, and the one error handler answers 503 redis_unavailable', async () => {
    const redis = createProducerConnection('redis://127.0.0.1:1');
    redis.on('error', () => undefined);
    try {
      const started = Date.now();
      await expect(withLock(redis, 'ardesk-test:lock', { ttlMs: 1_000, waitMs: 60_000 }, async () => 'ran')).rejects.toBeInstanceOf(RedisUnavailableError);
      // What another module sends straight to Redis (the QuickBooks rate limiter, say).
      const raw = await redis.eval('return 1', 0).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(toProblem(raw)).toEqual({ status: 503, code: 'redis_unavailable', message: expect.stringMatching(/try again/i), retryAfter: 30 });
    } finally {
      redis.disconnect();
    }
  });
});

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
