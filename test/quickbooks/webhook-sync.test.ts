import { sql } from 'kysely';
import { loadConfig } from '../../src/config';
import { scheduleCompany } from '../../src/jobs/schedules';
import { spreadDaily } from '../../src/jobs/spread';
import { startWorker } from '../../src/main/worker';
import { entitiesToCheck } from '../../src/quickbooks/drift-check';
import { SYNCED_ENTITIES } from '../../src/quickbooks/schemas';
import type { Realm } from '../../src/sandbox/realm';
import type { ScheduledSync } from '../../src/services/sync';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { createTestContext, type TestContext } from '../support/context';
import { testEnv } from '../support/env';
import { HttpClient } from '../support/http';
import { ALREADY_COLLECTING } from '../support/rows';
import { until } from '../support/until';

const REALM = '9341452000002404';
const VERIFIER = 'webhook-sync-verifier-token';
const DAY = 24 * 3600_000;

/** The company's repeating sync jobs in Redis: key, repeat and payload. */
async function syncSchedules(test: TestContext, realmId: string) {
  const schedulers = await test.context.queues.queue('sync').getJobSchedulers();
  return schedulers
    .filter((s) => (s.template?.data as { realmId?: string } | undefined)?.realmId === realmId)
    .map((s) => ({ key: s.key, every: s.every ?? undefined, pattern: s.pattern ?? undefined, mode: (s.template?.data as { mode: string }).mode }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

describe('the sync schedule of a company', () => {
  const realmId = '9341452000002405';
  const { windows } = loadConfig(testEnv()).syncSchedule;
  /** The company's own second of the daily sync's window from 03:30 (RECONCILE_WINDOW's default). */
  const daily = spreadDaily(realmId, windows.reconcile.startMinute, windows.reconcile.windowMinutes);

  async function scheduledWith(env: Record<string, string>) {
    const test = await createTestContext({ env });
    try {
      await test.context.repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: realmId, name: 'Schedule Co', status: 'connected', timezone: 'America/Chicago' });
      await test.context.services.housekeeping.schedule();
      return await syncSchedules(test, realmId);
    } finally {
      await test.context.queues.queue('sync').obliterate({ force: true });
      await test.destroy();
    }
  }

  it('polls by CDC every SYNC_POLL_MINUTES (60 by default) without webhooks, and runs the daily sync in its window from 03:30', async () => {
    expect(await scheduledWith({})).toEqual([
      { key: `reconcile:${realmId}`, every: undefined, pattern: daily, mode: 'daily' },
      { key: `sync:${realmId}`, every: 60 * 60_000, pattern: undefined, mode: 'auto' },
    ]);
    expect((await scheduledWith({ SYNC_POLL_MINUTES: '20' })).find((s) => s.key.startsWith('sync:'))!.every).toBe(20 * 60_000);
  });

  it('does not poll at all with webhooks: only the daily sync', async () => {
    expect(await scheduledWith({ INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER })).toEqual([{ key: `reconcile:${realmId}`, every: undefined, pattern: daily, mode: 'daily' }]);
  });

  it('drops the poll registered before webhooks were configured', async () => {
    const test = await createTestContext();
    try {
      await scheduleCompany(test.context.queues, realmId, 'UTC', { webhooks: false, pollMinutes: 60, windows });
      expect((await syncSchedules(test, realmId)).map((s) => s.key)).toEqual([`reconcile:${realmId}`, `sync:${realmId}`]);
      await scheduleCompany(test.context.queues, realmId, 'UTC', { webhooks: true, pollMinutes: 60, windows });
      expect((await syncSchedules(test, realmId)).map((s) => s.key)).toEqual([`reconcile:${realmId}`]);
    } finally {
      await test.context.queues.queue('sync').obliterate({ force: true });
      await test.destroy();
    }
  });

  it('refuses a full re-read more often than weekly, and reads the settings', () => {
    expect(() => loadConfig(testEnv({ SYNC_FULL_EVERY_DAYS: '3' }))).toThrow(/SYNC_FULL_EVERY_DAYS must be at least 7/);
    expect(loadConfig(testEnv()).syncSchedule).toEqual({ webhooks: false, pollMinutes: 60, webhookDebounceMs: 30_000, fullEveryDays: 28, windows });
    expect(loadConfig(testEnv({ INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER, SYNC_FULL_EVERY_DAYS: '7', SYNC_WEBHOOK_DEBOUNCE_SECONDS: '5' })).syncSchedule).toEqual({ webhooks: true, pollMinutes: 60, webhookDebounceMs: 5000, fullEveryDays: 7, windows });
  });
});

describe('the drift check counts Invoice and Payment every day and everything once a week', () => {
  it.each([
    ['2026-11-22T08:30:00Z', SYNCED_ENTITIES],
    ['2026-11-23T08:30:00Z', ['Invoice', 'Payment']],
    ['2026-11-28T23:59:00Z', ['Invoice', 'Payment']],
  ])('on %s', (day, entities) => {
    expect(entitiesToCheck(new Date(day))).toEqual(entities);
  });
});

describe('webhook-driven sync against the sandbox', () => {
  let app: ConnectedApp;
  let realm: Realm;

  const log = () => app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM);
  const setState = (values: { last_full_at?: Date; last_success_at?: Date }) => app.test.context.db.updateTable('sync_state').set(values).where('realm_id', '=', REALM).execute();
  /** Sync jobs waiting, delayed or running, the repeating ones apart. */
  const pending = async () => (await app.test.context.queues.queue('sync').getJobs(['delayed', 'waiting', 'active', 'prioritized'])).filter((job) => !job.id?.startsWith('repeat:')).length;
  const daily = () => app.test.context.services.sync.runScheduled(REALM, 'daily') as Promise<ScheduledSync>;
  const metered = () => log().filter((e) => e.kind === 'query' || e.kind === 'cdc' || (e.method === 'GET' && (e.kind === 'read' || e.kind === 'companyinfo'))).length;
  const counted = async () => Number((await sql<{ n: string }>`select coalesce(sum(count), 0) as n from quickbooks_reads where realm_id = ${REALM}`.execute(app.test.context.db)).rows[0]!.n);

  beforeAll(async () => {
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Hooked Hardware', customers: 40, invoices: 300 }],
      env: { INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER, SYNC_WEBHOOK_DEBOUNCE_SECONDS: '3', SYNC_FULL_EVERY_DAYS: '7' },
    });
    realm = app.sandbox.sandbox.realm(REALM)!;
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBe(303);
    await app.test.context.sync.run(REALM, 'full');
  });
  afterAll(async () => {
    await app.test.context.queues.queue('sync').obliterate({ force: true });
    await app.stop();
  });

  it('re-reads only the entity whose count differs, and counts every read it makes', async () => {
    // Drift the CDC cannot show: a payment the copy lost. A CDC ran a moment ago (the sync above).
    const lost = (await app.test.context.db.selectFrom('qbo_payments').select('id').where('realm_id', '=', REALM).limit(1).executeTakeFirstOrThrow()).id;
    await app.test.context.db.deleteFrom('qbo_payments').where('realm_id', '=', REALM).where('id', '=', lost).execute();
    app.sandbox.sandbox.requestLog.length = 0;
    const readsBefore = await counted();

    const outcome = await daily();

    const checked = entitiesToCheck(new Date());
    expect(outcome).toMatchObject({ mode: 'daily', cdc: true, drift: { checked, differing: [{ entity: 'Payment', quickbooks: realm.count('Payment'), copy: realm.count('Payment') - 1 }] } });
    const queries = log().filter((e) => e.kind === 'query').map((e) => e.detail ?? '');
    // Every entity of the day counted once; Payment again after the catch-up CDC, and by its
    // re-read (which counts its pages); only Payment's rows read.
    const entityOf = (query: string) => /from (\w+)/i.exec(query)![1]!.toLowerCase();
    expect(queries.filter((q) => /^SELECT COUNT\(\*\)/i.test(q)).map(entityOf).sort()).toEqual([...checked, 'Payment', 'Payment'].map((e) => e.toLowerCase()).sort());
    const rows = queries.filter((q) => !/^SELECT COUNT\(\*\)/i.test(q));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map(entityOf).every((entity) => entity === 'payment')).toBe(true);
    expect(log().filter((e) => e.kind === 'cdc')).toHaveLength(1);
    expect(await app.test.context.repos.copy.count(REALM, 'Payment')).toBe(realm.count('Payment'));
    // The drift check's reads, like every other, are in the meter.
    expect((await counted()) - readsBefore).toBe(metered());
  });

  it('counts the balance re-read before a send like any other read', async () => {
    const ids = [...realm.table('Invoice').keys()].slice(0, 3);
    app.sandbox.sandbox.requestLog.length = 0;
    const before = await counted();
    const [fresh] = await Promise.all([app.test.context.mail.balances.read(REALM, ids.slice(0, 2)), app.test.context.mail.balances.read(REALM, ids.slice(2))]);
    expect([...fresh.keys()].sort()).toEqual(ids.slice(0, 2).sort());
    // Two sends asking at once share one query, and the meter counts that one.
    expect(log().map((e) => e.kind)).toEqual(['query']);
    expect((await counted()) - before).toBe(1);
  });

  it('a daily run with nothing drifted and a recent CDC costs only the counts', async () => {
    app.sandbox.sandbox.requestLog.length = 0;
    const outcome = await daily();
    expect(outcome).toMatchObject({ mode: 'daily', cdc: false, drift: { differing: [] } });
    expect(log().map((e) => e.kind)).toEqual(entitiesToCheck(new Date()).map(() => 'query'));
  });

  it('reconciles by CDC when no CDC ran in the last 20 hours', async () => {
    await setState({ last_success_at: new Date(Date.now() - 21 * 3600_000) });
    app.sandbox.sandbox.requestLog.length = 0;
    expect(await daily()).toMatchObject({ mode: 'daily', cdc: true });
    expect(log().filter((e) => e.kind === 'cdc')).toHaveLength(1);
  });

  it('re-reads the whole company once its last full read is SYNC_FULL_EVERY_DAYS old, not before', async () => {
    await setState({ last_full_at: new Date(Date.now() - 6 * DAY), last_success_at: new Date() });
    app.sandbox.sandbox.requestLog.length = 0;
    expect(await daily()).toMatchObject({ mode: 'daily' });
    expect(log().filter((e) => /^SELECT \* /i.test(e.detail ?? ''))).toHaveLength(0);

    await setState({ last_full_at: new Date(Date.now() - 7 * DAY) });
    app.sandbox.sandbox.requestLog.length = 0;
    expect(await daily()).toMatchObject({ mode: 'full' });
    const pages = log().filter((e) => /^SELECT \* /i.test(e.detail ?? '')).map((e) => /from (\w+)/i.exec(e.detail!)![1]!.toLowerCase());
    expect(new Set(pages)).toEqual(new Set(SYNCED_ENTITIES.map((e) => e.toLowerCase())));
    const state = await app.test.context.repos.syncState.get(REALM);
    expect(Date.now() - new Date(state!.last_full_at!).getTime()).toBeLessThan(60_000);
  });

  it('brings a burst of change notifications in with one CDC, and a later one with another', async () => {
    const worker = await startWorker(app.test.context, { shutdownGraceMs: 5000 });
    try {
      // The first sync the connect queued has run (its CDC would be counted below otherwise).
      await until('the first sync', async () => (await pending()) === 0, 20_000);
      app.sandbox.sandbox.setKnobs({ webhook: { url: `${app.web.url}/webhooks/intuit`, verifierToken: VERIFIER, format: 'legacy', delayMs: 0 } });
      app.sandbox.sandbox.requestLog.length = 0;
      const invoices = [...realm.table('Invoice').values()].slice(0, 5);
      // Five changes, each its own delivery, within the 3 s window (the worker's own notes to
      // QuickBooks come back as news too, between them, and queue no CDC).
      for (const [i, invoice] of invoices.entries()) {
        realm.update('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: `burst ${i}` });
        await app.sandbox.sandbox.webhooks.drain();
      }
      expect(app.sandbox.sandbox.webhooks.deliveries.filter((d) => d.status === 200).length).toBeGreaterThanOrEqual(5);
      const cdcs = () => log().filter((e) => e.kind === 'cdc').length;
      await until('the burst\'s CDC', async () => cdcs() === 1 && (await pending()) === 0, 10_000);
      const tokens = async (ids: string[]) => (await app.test.context.db.selectFrom('qbo_invoices').select(['id', 'sync_token']).where('realm_id', '=', REALM).where('id', 'in', ids).orderBy('id').execute()).map((row) => `${row.id}:${row.sync_token}`);
      const truth = (ids: string[]) => [...ids].sort().map((id) => `${id}:${realm.get('Invoice', id)!.SyncToken}`);
      expect(await tokens(invoices.map((i) => i.Id))).toEqual(truth(invoices.map((i) => i.Id)));
      expect(cdcs()).toBe(1);

      const later = invoices[0]!;
      realm.update('Invoice', { Id: later.Id, SyncToken: realm.get('Invoice', later.Id)!.SyncToken, sparse: true, PrivateNote: 'after the window' });
      await app.sandbox.sandbox.webhooks.drain();
      await until('the later CDC', () => cdcs() === 2, 10_000);
      await until('the later change in the copy', async () => (await tokens([later.Id]))[0] === truth([later.Id])[0], 10_000);
    } finally {
      app.sandbox.sandbox.setKnobs({ webhook: undefined });
      await worker.stop();
    }
  });
});
