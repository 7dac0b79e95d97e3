import { sql } from 'kysely';
import type { WorkerHost } from '../../src/jobs/worker-host';
import { startWorker } from '../../src/main/worker';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { exposes, valueOf } from '../support/prometheus';
import { until } from '../support/until';

const REALM = '9341452000000606';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/**
 * GET /metrics, as Prometheus scrapes it: the counters move where the work happens, and the
 * gauges of shared state (jobs, sync lag, messages) say what Redis and the database say.
 */
describe('/metrics', () => {
  let app: ConnectedApp;
  let worker: WorkerHost | undefined;
  let http: HttpClient;

  const scrape = async () => {
    const response = await fetch(`${app.web.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Gauge & Dial Co', customers: 20, invoices: 60 }], env: { METRICS_TOKEN } });
    http = new HttpClient(app.web.url);
  });
  afterAll(async () => {
    await worker?.stop();
    await app.stop();
  });

  it('answers only the scraper holding METRICS_TOKEN, never cached', async () => {
    const anonymous = await fetch(`${app.web.url}/metrics`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${app.web.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const scraped = await fetch(`${app.web.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('cache-control')).toBe('no-store');
    expect(scraped.headers.get('set-cookie')).toBeNull();
    expect(await scraped.text()).toContain('ardesk_process_resident_memory_bytes');
  });

  it('moves when a company connects and syncs: HTTP requests, jobs, sync lag, QuickBooks requests (metered reads apart), messages', async () => {
    const before = await scrape();
    expect(valueOf(before, 'ardesk_quickbooks_requests_total')).toBe(0);
    expect(exposes(before, 'ardesk_sync_lag_seconds', { realm_id: REALM })).toBe(false);

    expect((await connect(app, http, REALM)).status).toBe(303);
    worker = await startWorker(app.test.context);
    // The first full sync, then the day's playbook it queues.
    await until('the first sync and the playbook run', async () => {
      const text = await scrape();
      return valueOf(text, 'ardesk_jobs_processed_total', { job: 'sync.realm', outcome: 'completed' }) >= 1 && valueOf(text, 'ardesk_jobs_processed_total', { job: 'cadence.realm', outcome: 'completed' }) >= 1;
    }, 60_000);
    expect((await http.get(`/companies/${REALM}`)).status).toBe(200);
    expect((await http.get('/no-such-page', { headers: { accept: 'text/html' } })).status).toBe(404);

    const after = await scrape();
    expect(valueOf(after, 'ardesk_http_requests_total', { method: 'GET', route: '/companies/:realmId', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'ardesk_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'ardesk_http_requests_total', { route: '/callback', status: '303' })).toBe(1);
    expect(valueOf(after, 'ardesk_http_request_duration_seconds_count', { route: '/companies/:realmId' })).toBeGreaterThanOrEqual(1);

    expect(valueOf(after, 'ardesk_jobs_processed_total', { queue: 'sync', job: 'sync.realm', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'ardesk_job_duration_seconds_count', { queue: 'sync', job: 'sync.realm' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'ardesk_jobs', { queue: 'sync', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(exposes(after, 'ardesk_jobs', { queue: 'mail', state: 'waiting' })).toBe(true);

    const lag = valueOf(after, 'ardesk_sync_lag_seconds', { realm_id: REALM });
    expect(exposes(after, 'ardesk_sync_lag_seconds', { realm_id: REALM })).toBe(true);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(120);

    // What the sandbox answered is what was counted: the full sync's queries, and the reads.
    const queries = app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM && entry.kind === 'query').length;
    expect(queries).toBeGreaterThan(0);
    expect(valueOf(after, 'ardesk_quickbooks_requests_total', { kind: 'query', outcome: 'ok' })).toBeGreaterThanOrEqual(queries - 2);
    expect(valueOf(after, 'ardesk_quickbooks_metered_reads_total', { kind: 'query' })).toBe(valueOf(after, 'ardesk_quickbooks_requests_total', { kind: 'query' }));
    expect(valueOf(after, 'ardesk_quickbooks_metered_reads_total', { kind: 'read' })).toBeGreaterThanOrEqual(1); // the callback's CompanyInfo
    expect(exposes(after, 'ardesk_quickbooks_metered_reads_total', { kind: 'batch' })).toBe(false);
    expect(exposes(after, 'ardesk_quickbooks_metered_reads_total', { kind: 'write' })).toBe(false);

    // The worker is still sending: compare a scrape with the outbox as it stood both before and after it.
    const statusCounts = async () => JSON.stringify(await app.test.context.db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('realm_id', '=', REALM).groupBy('status').orderBy('status').execute());
    let byStatus: Array<{ status: string; n: string }> = [];
    let scraped = '';
    for (let attempt = 0; attempt < 50; attempt++) {
      const before = await statusCounts();
      scraped = await scrape();
      if (before === (await statusCounts())) {
        byStatus = JSON.parse(before);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(byStatus.length).toBeGreaterThan(0);
    for (const { status, n } of byStatus) expect({ status, count: valueOf(scraped, 'ardesk_messages', { status }) }).toEqual({ status, count: Number(n) });
  }, 120_000);

  it('counts token refreshes', async () => {
    const before = valueOf(await scrape(), 'ardesk_token_refreshes_total', { outcome: 'refreshed' });
    app.sandbox.sandbox.oauth.expireAccessTokens(REALM);
    await sql`update company_tokens set access_expires_at = now() - interval '1 second' where realm_id = ${REALM}`.execute(app.test.context.db);
    await app.test.context.quickbooks.client.companyInfo(REALM);
    expect(valueOf(await scrape(), 'ardesk_token_refreshes_total', { outcome: 'refreshed' })).toBe(before + 1);
  });
});
