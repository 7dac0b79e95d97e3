import { sql } from 'kysely';
import { COPY_TABLES } from '../../src/db/retention-repository';
import type { WorkerHost } from '../../src/jobs/worker-host';
import { startWorker } from '../../src/main/worker';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { eventually } from '../support/until';

const OLD = '9341452000001101';
const RECENT = '9341452000001102';
const CONNECTED = '9341452000001103';
const DAY_MS = 24 * 3600 * 1000;

/**
 * A disconnected company's copy of QuickBooks is deleted RETENTION_DAYS (30) after the
 * disconnect by the daily maintenance.retention job, or at once with "Delete the copy now"; the
 * collection history stays, and a connected company's copy is never touched.
 */
describe('retention of a disconnected company\'s copy of QuickBooks', () => {
  let app: ConnectedApp;
  let worker: WorkerHost;
  const browsers = new Map<string, HttpClient>();
  const db = () => app.test.context.db;

  const rowsOf = async (realmId: string) => {
    const counts = {} as Record<(typeof COPY_TABLES)[number], number>;
    for (const table of COPY_TABLES) {
      const row = await db().selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('realm_id', '=', realmId).executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    return counts;
  };
  const historyOf = async (realmId: string) => {
    const [activities, messages] = await Promise.all(
      (['activities', 'messages'] as const).map(async (table) => Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('realm_id', '=', realmId).executeTakeFirstOrThrow()).n)),
    );
    return { activities: activities!, messages: messages! };
  };
  const page = async (realmId: string) => (await browsers.get(realmId)!.get(`/companies/${realmId}`)).text();
  const disconnect = async (realmId: string, daysAgo: number) => {
    const browser = browsers.get(realmId)!;
    expect((await browser.postForm(`/companies/${realmId}/disconnect`, { _csrf: csrfTokenIn(await page(realmId)) })).status).toBe(303);
    await sql`update companies set disconnected_at = ${new Date(Date.now() - daysAgo * DAY_MS)} where realm_id = ${realmId}`.execute(db());
  };
  const runRetention = async () => {
    const id = await app.test.context.queues.enqueue('maintenance.retention', {});
    const queue = app.test.context.queues.queue('maintenance');
    // The state first, then the job: a job read while it still runs has no return value yet,
    // even when its state, asked a moment later, is already 'completed'.
    const job = await eventually('the retention job', async () => ((await queue.getJobState(id)) === 'completed' ? queue.getJob(id) : undefined), 30_000);
    return job.returnvalue as { deleted: string[] };
  };

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [OLD, RECENT, CONNECTED].map((realmId, i) => ({ realmId, name: ['Old Oak Joinery', 'Recent Reeds', 'Current Cables'][i]! })) });
    for (const realmId of [OLD, RECENT, CONNECTED]) {
      const browser = new HttpClient(app.web.url);
      browsers.set(realmId, browser);
      expect((await connect(app, browser, realmId)).status).toBe(303);
      await app.test.context.sync.run(realmId, 'full');
      await app.test.context.services.cadence.runDay(realmId);
    }
    worker = await startWorker(app.test.context);
  });
  afterAll(async () => {
    await worker?.stop();
    await app.stop();
  });

  it('is scheduled every day with the other housekeeping', async () => {
    expect(await app.test.context.queues.isScheduled('maintenance.retention', 'retention')).toBe(true);
  });

  it('deletes the copy of a company disconnected 40 days ago, and keeps one disconnected 5 days ago and a connected one', async () => {
    for (const realmId of [OLD, RECENT, CONNECTED]) expect((await rowsOf(realmId)).qbo_invoices).toBeGreaterThan(0);
    const oldHistory = await historyOf(OLD);
    expect(oldHistory.activities).toBeGreaterThan(0);
    const kept = { recent: await rowsOf(RECENT), connected: await rowsOf(CONNECTED) };
    await disconnect(OLD, 40);
    await disconnect(RECENT, 5);
    expect(await page(RECENT)).toContain('Delete the copy now');

    expect(await runRetention()).toEqual({ deleted: [OLD] });
    expect(Object.values(await rowsOf(OLD)).every((n) => n === 0)).toBe(true);
    expect((await app.test.context.repos.companies.find(OLD))!.copy_deleted_at).toBeInstanceOf(Date);
    // The collection history stays (the worker may have added to it meanwhile: mail went out).
    const history = await historyOf(OLD);
    expect(history.activities).toBeGreaterThanOrEqual(oldHistory.activities);
    expect(history.messages).toBeGreaterThanOrEqual(oldHistory.messages);
    // What is derived from the copy (the account directory, the states) may be built again at any
    // read; the copy itself is what must be kept.
    const copyOnly = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([table]) => table.startsWith('qbo_') || table === 'sync_state'));
    expect(copyOnly(await rowsOf(RECENT))).toEqual(copyOnly(kept.recent));
    expect(copyOnly(await rowsOf(CONNECTED))).toEqual(copyOnly(kept.connected));
    expect(await page(OLD)).toMatch(/Ardesk's copy of the QuickBooks data<\/h2>\s*<p>Deleted /);
    expect(await page(OLD)).not.toContain('Delete the copy now');
    // Its pages still open, with what is left: the history.
    for (const path of ['worklist', 'outbox', 'activities', 'results', 'settings']) {
      expect({ path, status: (await browsers.get(OLD)!.get(`/companies/${OLD}/${path}`, { headers: { accept: 'text/html' } })).status }).toEqual({ path, status: 200 });
    }

    // The next day's run finds nothing more to do.
    expect(await runRetention()).toEqual({ deleted: [] });
  });

  it('deletes at once on "Delete the copy now", with the form token and the box ticked, and only a disconnected company\'s', async () => {
    const browser = browsers.get(RECENT)!;
    const before = await rowsOf(RECENT);
    const html = await page(RECENT);
    expect(html).toMatch(/deletes it on /);
    expect(html).toContain('<input type="checkbox" name="confirm" value="delete" required>');
    const token = csrfTokenIn(html);

    expect((await browser.postForm(`/companies/${RECENT}/delete-data`, { confirm: 'delete' })).status).toBe(403);
    const unconfirmed = await browser.postForm(`/companies/${RECENT}/delete-data`, { _csrf: token }, { headers: { accept: 'text/html' } });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain('Tick the box to confirm');
    expect((await browsers.get(OLD)!.postForm(`/companies/${RECENT}/delete-data`, { _csrf: csrfTokenIn(await page(OLD)), confirm: 'delete' })).status).toBe(404);
    expect(await rowsOf(RECENT)).toEqual(before);

    const connected = browsers.get(CONNECTED)!;
    const refused = await connected.postForm(`/companies/${CONNECTED}/delete-data`, { _csrf: csrfTokenIn(await page(CONNECTED)), confirm: 'delete' }, { headers: { accept: 'text/html' } });
    expect(refused.status).toBe(400);
    expect((await rowsOf(CONNECTED)).qbo_invoices).toBeGreaterThan(0);

    const deleted = await browser.postForm(`/companies/${RECENT}/delete-data`, { _csrf: token, confirm: 'delete' });
    expect(deleted.status).toBe(303);
    expect(Object.values(await rowsOf(RECENT)).every((n) => n === 0)).toBe(true);
    expect(await page(RECENT)).toMatch(/<p>Deleted /);
  });

  it('fills the copy again, and forgets the deletion, when the company is connected again', async () => {
    expect((await connect(app, browsers.get(OLD)!, OLD)).status).toBe(303);
    const company = (await app.test.context.repos.companies.find(OLD))!;
    expect({ status: company.status, copyDeletedAt: company.copy_deleted_at }).toEqual({ status: 'connected', copyDeletedAt: null });
    await eventually('the first sync after reconnecting', async () => ((await rowsOf(OLD)).qbo_invoices > 0 ? true : undefined), 30_000);
    expect(await runRetention()).toEqual({ deleted: [] });
  });
});
