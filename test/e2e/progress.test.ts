import type { Browser, Page } from 'playwright-core';
import { startWorker } from '../../src/main/worker';
import type { WorkerHost } from '../../src/jobs/worker-host';
import type { WorkEvent } from '../../src/services/work-progress';
import { launchBrowser, screenshot } from '../support/browser';
import { until } from '../support/until';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341961';
const NOW = '2026-11-24T15:00:00Z';

/**
 * Issue 20's progress on long work, in real Chromium against the app, a worker and the sandbox
 * (slowed down by its latency knobs so that a run can be watched): the first sync's rows per
 * entity, then the day's run, then "Sync now" from asking to done; the page refreshes itself
 * while something is under way and stops when nothing is.
 */
describe('long work shows how far it has got', () => {
  let app: ConnectedApp;
  let worker: WorkerHost;
  let browser: Browser;
  let page: Page;
  const url = (path = '') => `${app.web.url}/companies/${REALM}${path}`;
  const run = (kind: 'sync' | 'cadence') => page.locator(`.work-progress [data-run="${kind}"]`);
  const refreshes = () => page.locator('meta[http-equiv="refresh"]').count();
  /** Waits, without reloading, for the page (which refreshes itself) to show what is awaited. */
  const watch = (what: string, ready: () => Promise<boolean>, timeoutMs: number) => until(what, () => ready().catch(() => false), timeoutMs);

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Progress Timber', customers: 30, invoices: 160 }], env: { ARDESK_NOW: NOW } });
    worker = await startWorker(app.test.context, { shutdownGraceMs: 2_000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
  });

  it('shows the first sync entity by entity, then the day’s run, then a link to the work list', async () => {
    // A page of invoices takes a few seconds: long enough to see it being read.
    app.sandbox.sandbox.knobs.latencyPerRowMs = 60;
    await page.goto(`${app.web.url}/`);
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).click();
    await page.getByLabel(/Progress Timber/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(url());
    // Read in one go: the page refreshes itself every two seconds meanwhile.
    let seen = '';
    await watch('the first sync under way with rows counted', async () => {
      seen = await run('sync').innerText({ timeout: 1_000 });
      return /[1-9]\d* of 30 customers/.test(seen);
    }, 30_000);
    expect(seen).toContain('Reading everything from QuickBooks');
    expect(seen).toMatch(/\d+ of 160 invoices/);
    await screenshot(page, 'progress-first-sync').catch(() => undefined);
    app.sandbox.sandbox.knobs.latencyPerRowMs = 0;

    // The first sync, and the 15-minute one registered with it, then the day's run: until nothing is under way.
    await watch("the day's run to finish", async () => (await run('cadence').locator('a', { hasText: 'Open the work list' }).count()) > 0 && (await refreshes()) === 0, 60_000);
    const queued = await app.test.context.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('n')).where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    const text = await run('cadence').innerText();
    expect(text).toMatch(/The day's run finished: \d+ accounts decided/);
    expect(text).toContain(`${Number(queued.n)} messages queued`);
    expect(text).toMatch(/[1-9]\d* new calls to make/);
    // The last of the two syncs (the first, and the 15-minute one registered with it) read everything, or nothing new.
    expect(await run('sync').innerText()).toMatch(/Sync finished: (30 customers, 160 invoices|nothing new)/);
    // Nothing is under way: the page stops refreshing.
    expect(await refreshes()).toBe(0);
    await run('cadence').getByRole('link', { name: 'Open the work list' }).click();
    await page.waitForURL(url('/worklist'));
  });

  it('acknowledges Sync now, shows it running, and says when it is done', async () => {
    // Every QuickBooks answer takes four seconds: the change query can be watched.
    app.sandbox.sandbox.knobs.latencyMs = 4000;
    await page.goto(url());
    const acknowledged = page.waitForResponse((response) => response.url() === url('?sync=requested'));
    await page.getByRole('button', { name: 'Sync now' }).click();
    // The page it lands on (read as it arrived: it refreshes itself two seconds later).
    const landed = await (await acknowledged).text();
    expect(landed).toContain('Sync requested');
    expect(landed).toMatch(/progress-(queued|running)/);
    expect(landed).toMatch(/waiting for a worker|Asking QuickBooks what has changed/);
    expect(landed).toContain('http-equiv="refresh"');
    // The page refreshes itself (no reload here) until the sync is done.
    await page.locator('.work-progress [data-run="sync"].progress-running').waitFor({ timeout: 20_000 });
    expect(await run('sync').innerText()).toContain('Asking QuickBooks what has changed');
    await screenshot(page, 'progress-sync-now');
    await page.locator('.work-progress [data-run="sync"].progress-done').waitFor({ timeout: 30_000 });
    app.sandbox.sandbox.knobs.latencyMs = 0;
    expect(page.url()).toBe(url());
    expect(await run('sync').innerText()).toContain('Sync finished');
    expect(await refreshes()).toBe(0);
  });

  it('tells each step of the day’s run as it starts, and a second run of the same day queues nothing', async () => {
    const events: WorkEvent[] = [];
    const stop = app.test.context.services.progress.onStep((event) => events.push(event));
    try {
      await app.test.context.services.cadence.runScheduled(REALM);
    } finally {
      stop();
    }
    expect(events.map((e) => `${e.state}:${e.step}`)).toEqual(['running:loading', 'running:deciding', 'running:recording', 'done:done']);
    expect(events[1]!.figures!.accounts).toBeGreaterThan(0);
    expect(events[3]!.figures).toMatchObject({ messages: 0, tasks: 0 });
    await page.goto(url());
    expect(await run('cadence').innerText()).toMatch(/\d+ accounts decided, 0 messages queued, 0 new calls to make/);
  });
});
