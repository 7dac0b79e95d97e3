import { sql } from 'kysely';
import { startWorker } from '../../src/main/worker';
import { DEFAULT_RETRY, type RetryPolicy } from '../../src/quickbooks/client';
import type { WorkerHost } from '../../src/jobs/worker-host';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { until } from '../support/until';
import { expireStoredAccessToken } from '../support/tokens';

const STORM = '9342101';
const REVOKED = '9342102';
const NOW = '2026-11-23T15:00:00Z';

/**
 * The minute-long storm, and the client's backoff, both run at a tenth of their real length: the
 * same tries in the same proportions (the product's attempts, its doubling and its jitter), in
 * seconds instead of a minute and a half. The product's own times are checked against a real
 * minute below.
 */
const REAL_STORM_MS = 60_000;
const SHRINK = 10;
const STORM_MS = REAL_STORM_MS / SHRINK;
const RETRY: RetryPolicy = { ...DEFAULT_RETRY, baseDelayMs: DEFAULT_RETRY.baseDelayMs / SHRINK, maxDelayMs: DEFAULT_RETRY.maxDelayMs / SHRINK };

/** The waits between the tries of a throttled request, at the shortest and the longest jitter. */
function throttleWaits(policy: RetryPolicy, jitter: 0.5 | 1): number[] {
  return Array.from({ length: policy.throttleAttempts - 1 }, (_, i) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i) * jitter);
}

/**
 * QuickBooks at its worst: a minute in which it answers every request 429, and a connection
 * revoked while messages are going out.
 */
describe('QuickBooks throttling for a minute, and revoking a connection mid-run', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  let worker: WorkerHost | undefined;

  beforeAll(async () => {
    smtp = await startSmtp({ delayMs: 20 });
    app = await startConnectedApp({
      realms: [{ realmId: STORM, name: 'Storm Co', customers: 30, invoices: 1500 }, { realmId: REVOKED, name: 'Revoked Co', customers: 120, invoices: 400 }],
      env: { ARDESK_NOW: NOW, SMTP_URL: smtp.url, MAIL_FROM: 'AR <ar@faults.test>' },
      quickbooksRetry: RETRY,
    });
    for (const realmId of [STORM, REVOKED]) await connect(app, new HttpClient(app.web.url), realmId);
  });
  afterAll(async () => {
    await worker?.stop();
    await app.stop();
    await smtp.stop();
  });

  it('backs off, by default, long enough to outlast a minute of 429s, and at most 30 s at a time', () => {
    // Even at the shortest jitter the product's throttle tries span two minutes, so a minute-long
    // storm never uses them up; at the longest, a try still comes at least every 30 s.
    const sum = (waits: number[]) => waits.reduce((a, b) => a + b, 0);
    expect(sum(throttleWaits(DEFAULT_RETRY, 0.5))).toBeGreaterThan(2 * REAL_STORM_MS);
    expect(Math.max(...throttleWaits(DEFAULT_RETRY, 1))).toBe(30_000);
    // The policy the storm below runs on is the same one, a tenth as long.
    expect(throttleWaits(RETRY, 0.5).map((ms) => ms * SHRINK)).toEqual(throttleWaits(DEFAULT_RETRY, 0.5));
  });

  it('waits out a 60-second 429 storm (run at a tenth of its length) without hammering, and ends with a correct copy', async () => {
    const sandbox = app.sandbox.sandbox;
    sandbox.knobs.latencyMs = 50 / SHRINK;
    const requests = () => sandbox.requestLog.filter((r) => r.realmId === STORM);
    const from = requests().length;
    const stormEnds = Date.now() + STORM_MS;
    sandbox.knobs.throttleUntil = stormEnds;
    const started = Date.now();
    await app.test.context.sync.run(STORM, 'full');
    const ms = Date.now() - started;
    const during = requests().slice(from);
    const throttled = during.filter((r) => r.status === 429).length;
    expect(ms).toBeGreaterThanOrEqual(STORM_MS - 100);
    // Back soon after the storm, not minutes later: every throttled request was answered within
    // one longest backoff (30 s in real time) of the storm's end.
    const arrived = (r: (typeof during)[number]) => Date.parse(r.at) - r.ms;
    const request = (r: (typeof during)[number]) => `${r.path} ${r.detail ?? ''}`;
    for (const waited of new Set(during.filter((r) => r.status === 429).map(request))) {
      const answered = Math.min(...during.filter((r) => request(r) === waited && r.status === 200).map(arrived));
      expect({ waited, late: answered - stormEnds > RETRY.maxDelayMs + 1_500 }).toEqual({ waited, late: false });
    }
    // Backing off (up to 30 s between tries, per request in flight): tens of tries in the minute,
    // not the hundreds Intuit would allow, let alone a stream.
    expect(throttled).toBeGreaterThan(3);
    expect(throttled).toBeLessThan(100);
    const ours = await app.test.context.db.selectFrom('qbo_invoices').select(['id', 'balance']).where('realm_id', '=', STORM).execute();
    const theirs = new Map([...sandbox.realm(STORM)!.table('Invoice').values()].map((i) => [String(i.Id), Number(i.Balance)]));
    expect(ours).toHaveLength(theirs.size);
    for (const invoice of ours) expect(Number(invoice.balance)).toBeCloseTo(theirs.get(invoice.id)!, 2);
  }, 60_000);

  it('stops sending when the connection is revoked mid-run, and after reconnecting sends the rest once', async () => {
    const sandbox = app.sandbox.sandbox;
    sandbox.knobs.latencyMs = 30;
    sandbox.knobs.throttleUntil = 0;
    const db = app.test.context.db;
    await app.test.context.sync.run(REVOKED, 'full');
    await app.test.context.services.cadence.runDay(REVOKED);
    const total = Number((await sql<{ n: number }>`select count(*)::int as n from messages where realm_id = ${REVOKED}`.execute(db)).rows[0]!.n);
    expect(total).toBeGreaterThan(20);

    worker = await startWorker(app.test.context, { shutdownGraceMs: 2_000 });
    await app.test.context.queues.enqueue('mail.dispatch', {});
    await until('the first messages', () => smtp.received.length >= 5, 60_000);
    sandbox.oauth.revokeRealm(REVOKED);
    sandbox.oauth.expireAccessTokens(REVOKED);
    await expireStoredAccessToken(app.test.context, REVOKED);
    await until('the company to need reconnecting', async () => (await app.test.context.repos.companies.find(REVOKED))!.status === 'needs_reconnect', 60_000);
    // Whatever was mid-send finishes; then nothing more goes out while the company is paused.
    const ours = async () => {
      const ids = new Set((await db.selectFrom('messages').select('id').where('realm_id', '=', REVOKED).execute()).map((m) => `<${m.id}@faults.test>`));
      return smtp.received.filter((m) => ids.has(m.messageId)).length;
    };
    // Sends whose balance check was answered before the revocation finish (however slow the
    // machine); once none is mid-send, a message claimed later finds the company paused.
    const sending = async () => Number((await sql<{ n: number }>`select count(*)::int as n from messages where realm_id = ${REVOKED} and status = 'sending'`.execute(db)).rows[0]!.n);
    await until('the sends in flight to finish', async () => (await sending()) === 0, 60_000);
    const whilePaused = await ours();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await ours()).toBe(whilePaused);
    const held = Number((await sql<{ n: number }>`select count(*)::int as n from messages where realm_id = ${REVOKED} and status = 'queued'`.execute(db)).rows[0]!.n);
    expect(held).toBeGreaterThan(0);

    // Reconnect in one click; the rest go out at once, each once.
    await connect(app, new HttpClient(app.web.url), REVOKED);
    expect((await app.test.context.repos.companies.find(REVOKED))!.status).toBe('connected');
    const unsettled = async () => Number((await sql<{ n: number }>`select count(*)::int as n from messages where realm_id = ${REVOKED} and status in ('queued', 'sending')`.execute(db)).rows[0]!.n);
    await until('every message to settle', async () => (await unsettled()) === 0, 60_000);
    const ids = smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length); // nothing twice, of either company
    const rows = await db.selectFrom('messages').select(['id', 'status']).where('realm_id', '=', REVOKED).execute();
    for (const row of rows) expect(['sent', 'uncertain', 'cancelled', 'failed']).toContain(row.status);
    expect(rows.filter((r) => r.status === 'sent').length).toBeGreaterThan(whilePaused);
  }, 240_000);
});
