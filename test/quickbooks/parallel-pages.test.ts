import type { RequestLogEntry } from '../../src/sandbox/sandbox';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341452000002204';

/** The most requests QuickBooks was answering at one moment, from the log's end times and durations. */
function mostInFlight(log: RequestLogEntry[]): number {
  const edges = log.flatMap((entry) => {
    const end = Date.parse(entry.at);
    return [
      { at: end - entry.ms, step: 1 },
      { at: end, step: -1 },
    ];
  });
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.step));
  return most;
}

describe('a full sync reads pages in parallel', () => {
  let app: ConnectedApp;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Many Pages Wholesale', customers: 200, invoices: 6000 }] });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('keeps up to 10 requests in flight for the company, never more, and is never throttled', async () => {
    const realm = app.sandbox.sandbox.realm(REALM)!;
    // Answers slow enough (400 ms each) that the requests a sync has going at once overlap even on
    // a loaded machine, where sending each one takes a while.
    app.sandbox.sandbox.setKnobs({ latencyMs: 400 });
    try {
      app.sandbox.sandbox.requestLog.length = 0;
      const report = await app.test.context.sync.run(REALM, 'full');
      expect(report.counts.Invoice).toBe(realm.table('Invoice').size);
      expect(report.counts.Payment).toBe(realm.table('Payment').size);
    } finally {
      app.sandbox.sandbox.setKnobs({ latencyMs: 0 });
    }
    const log = app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM);
    expect(log.filter((entry) => entry.status === 429)).toEqual([]);
    const most = mostInFlight(log);
    expect(most).toBeGreaterThanOrEqual(6);
    expect(most).toBeLessThanOrEqual(10);
  });

  it("asks every COUNT(*) and the company's details at once, then the largest entity's pages first and the smallest's last", async () => {
    app.sandbox.sandbox.setKnobs({ latencyMs: 100 });
    try {
      app.sandbox.sandbox.requestLog.length = 0;
      await app.test.context.sync.run(REALM, 'full');
    } finally {
      app.sandbox.sandbox.setKnobs({ latencyMs: 0 });
    }
    const started = app.sandbox.sandbox.requestLog
      .filter((entry) => entry.realmId === REALM)
      .map((entry) => ({ start: Date.parse(entry.at) - entry.ms, end: Date.parse(entry.at), what: entry.path.includes('companyinfo') ? 'CompanyInfo' : (entry.detail ?? '') }))
      .sort((a, b) => a.start - b.start);
    const first = started.slice(0, 6);
    const pages = started.slice(6);
    expect(first.map((r) => r.what.replace(/^SELECT COUNT\(\*\) FROM (\w+).*$/, '$1')).sort()).toEqual(['CompanyInfo', 'CreditMemo', 'Customer', 'Invoice', 'Payment', 'Term']);
    // Together: each was asked for before any of them was answered.
    expect(Math.max(...first.map((r) => r.start))).toBeLessThan(Math.min(...first.map((r) => r.end)));
    // No page is asked for before every count is in.
    expect(Math.min(...pages.map((p) => p.start))).toBeGreaterThanOrEqual(Math.max(...first.filter((r) => r.what.includes('COUNT')).map((r) => r.end)));
    const realm = app.sandbox.sandbox.realm(REALM)!;
    const bySize = ['Invoice', 'Payment', 'Customer', 'CreditMemo', 'Term'].filter((entity) => realm.count(entity) > 0).sort((a, b) => realm.count(b) - realm.count(a));
    // node-quickbooks writes its queries in lower case ("select * from Invoice ...").
    const startsOf = (entity: string) => pages.filter((p) => p.what.toLowerCase().startsWith(`select * from ${entity.toLowerCase()} `)).map((p) => p.start);
    for (let i = 1; i < bySize.length; i++) expect(Math.min(...startsOf(bySize[i]!))).toBeGreaterThanOrEqual(Math.min(...startsOf(bySize[i - 1]!)));
    expect(Math.max(...startsOf(bySize.at(-1)!))).toBe(Math.max(...pages.map((p) => p.start)));
  });
});
