import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient, jsonOf } from '../support/http';

const REALM = '9341452000002202';
const NOW = '2026-11-20T15:00:00Z';
const TOKEN = 'read-count-api-token-0123456789abcdef';

/** The metered reads the sandbox received for the company, by the kinds Ardesk counts them as. */
function receivedReads(app: ConnectedApp): Record<string, number> {
  const counts: Record<string, number> = { query: 0, read: 0, cdc: 0, report: 0 };
  for (const entry of app.sandbox.sandbox.requestLog) {
    if (entry.realmId !== REALM) continue;
    if (entry.kind === 'query' || entry.kind === 'cdc') counts[entry.kind]! += 1;
    else if ((entry.kind === 'read' || entry.kind === 'companyinfo' || entry.kind === 'pdf') && entry.method === 'GET') counts.read! += 1;
  }
  return counts;
}

describe('every metered QuickBooks read is counted', () => {
  let app: ConnectedApp;
  let realm: Realm;
  let http: HttpClient;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Counted Reads Ltd', customers: 60, invoices: 1300 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    realm = app.sandbox.sandbox.realm(REALM)!;
    http = new HttpClient(app.web.url);
    app.sandbox.sandbox.requestLog.length = 0;
    expect((await connect(app, http, REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('per company, kind and day, exactly as many as QuickBooks received, retries and all', async () => {
    const { context } = app.test;
    await context.sync.run(REALM, 'full');
    const invoice = [...realm.table('Invoice').values()][0]!;
    realm.update('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: 'counted' });
    await context.sync.run(REALM, 'incremental');
    // Throttled twice, then answered: QuickBooks saw three reads.
    app.sandbox.sandbox.setKnobs({ throttleNext: 2 });
    await context.quickbooks.client.read(REALM, 'Invoice', invoice.Id);
    // A write is not a metered read; the read before it is.
    await context.quickbooks.client.update(REALM, 'Customer', String((invoice.CustomerRef as { value: string }).value), () => ({ Notes: 'counted too' }));

    const received = receivedReads(app);
    expect(received.query).toBeGreaterThan(5);
    expect(received.cdc).toBe(1);
    expect(received.read).toBeGreaterThanOrEqual(5);
    const rows = await context.db.selectFrom('quickbooks_reads').select(['day', 'kind', 'count']).where('realm_id', '=', REALM).execute();
    expect(rows.every((row) => String(row.day) === '2026-11-20')).toBe(true);
    const counted = Object.fromEntries(['query', 'read', 'cdc', 'report'].map((kind) => [kind, rows.filter((row) => row.kind === kind).reduce((sum, row) => sum + Number(row.count), 0)]));
    expect(counted).toEqual(received);

    const total = received.query! + received.read! + received.cdc!;
    const api = await http.get(`/api/realms/${REALM}/quickbooks-reads?month=2026-11`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } });
    expect(api.status).toBe(200);
    expect(await jsonOf(api)).toEqual({ month: '2026-11', total, byKind: received, byDay: [{ day: '2026-11-20', count: total }] });
    // This month by the business clock, and another month is empty.
    expect((await jsonOf(await http.get(`/api/realms/${REALM}/quickbooks-reads`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } }))).total).toBe(total);
    expect((await jsonOf(await http.get(`/api/realms/${REALM}/quickbooks-reads?month=2026-10`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } }))).total).toBe(0);
    expect((await http.get(`/api/realms/${REALM}/quickbooks-reads?month=2026-13`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } })).status).toBe(400);

    const page = await (await http.get(`/companies/${REALM}`)).text();
    expect(page).toContain(`QuickBooks reads this month: <strong>${total}</strong>`);
  });
});
