import type { AppContext } from '../../src/app-context';
import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341452000002222';
const NOW = '2026-11-20T15:00:00Z';
const TOKEN = 'open-first-api-token-0123456789abcdef';
/** Twelve months before the business clock's day: where the recent payments start. */
const SINCE = '2025-11-20';
const TABLES = { Customer: 'qbo_customers', Invoice: 'qbo_invoices', Payment: 'qbo_payments', CreditMemo: 'qbo_credit_memos', Term: 'qbo_terms' } as const;

/** The company's copy, table by table: each row's id and SyncToken, in id order. */
async function copyOf(context: AppContext): Promise<Record<string, string[]>> {
  const copy: Record<string, string[]> = {};
  for (const [entity, table] of Object.entries(TABLES)) {
    const rows = await context.db.selectFrom(table).select(['id', 'sync_token']).where('realm_id', '=', REALM).execute();
    copy[entity] = rows.map((row) => `${row.id}@${row.sync_token}`).sort();
  }
  return copy;
}

function queriesSent(app: ConnectedApp): string[] {
  return app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM && entry.kind === 'query').map((entry) => entry.detail ?? '');
}

describe('the first sync reads the open part of the company first', () => {
  let app: ConnectedApp;
  let realm: Realm;
  let http: HttpClient;

  beforeAll(async () => {
    // Three years of history, 150 invoices still open: most of the company is the past.
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Open First Traders', customers: 400, invoices: 3000, generate: { historyDays: 1100, openInvoices: 150 } }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    realm = app.sandbox.sandbox.realm(REALM)!;
    http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('open invoices, their customers and 12 months of payments, then the work list, then the history; the copy ends as a full sync leaves it', async () => {
    const { context } = app.test;
    const invoices = [...realm.table('Invoice').values()];
    const open = invoices.filter((invoice) => Number(invoice.Balance) > 0);
    const recent = [...realm.table('Payment').values()].filter((payment) => String(payment.TxnDate) >= SINCE);
    expect(open).toHaveLength(150);
    expect(recent.length).toBeLessThan(realm.table('Payment').size);

    // The connect queued the first sync as open-first; it runs here as its job would.
    const first = (await context.queues.queue('sync').getJobs(['waiting', 'prioritized', 'delayed'])).find((job) => String(job.id).startsWith(`sync-first-${REALM}-`));
    expect(first?.data).toEqual({ realmId: REALM, mode: 'open-first' });
    await first!.remove();
    app.sandbox.sandbox.requestLog.length = 0;
    const scheduled = await context.services.sync.runScheduled(REALM, 'open-first');
    expect(scheduled).toMatchObject({ mode: 'open', counts: { Invoice: open.length, Payment: recent.length } });

    // Only the open part was asked for: no unfiltered invoice or payment query, no old payments.
    const openPart = queriesSent(app);
    for (const query of openPart) {
      expect(query).toMatch(/^SELECT (\*|COUNT\(\*\)) FROM (Invoice WHERE Balance > '0'|Customer WHERE (Active IN \(true, false\) AND Balance > '0'|Id IN \(.+\) AND Active IN \(true, false\))|Payment WHERE TxnDate >= '2025-11-20'|CreditMemo WHERE TxnDate >= '2025-11-20'|Term WHERE Active IN \(true, false\))/i);
    }
    expect(openPart.filter((query) => /^select count\(\*\) from invoice/i.test(query))).toEqual(["SELECT COUNT(*) FROM Invoice WHERE Balance > '0'"]);
    const copied = await copyOf(context);
    expect(copied.Invoice).toHaveLength(open.length);
    expect(copied.Payment).toHaveLength(recent.length);
    const customers = new Set(copied.Customer!.map((row) => row.split('@')[0]));
    for (const invoice of open) expect(customers.has((invoice.CustomerRef as { value: string }).value)).toBe(true);
    expect(customers.size).toBeLessThan(realm.table('Customer').size);

    // The work list is ready, said by the API and the company page, while the history is not read.
    const state = await context.repos.syncState.get(REALM);
    expect(state?.worklist_ready_at).toBeInstanceOf(Date);
    expect(state?.last_full_at).toBeNull();
    const status = await http.get(`/api/realms/${REALM}`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { sync: { worklistReadyAt: string | null } }).sync.worklistReadyAt).toBe(state!.worklist_ready_at!.toISOString());
    // The day's playbook runs off the open part (queued after it) and lists accounts with open invoices.
    const queued = await context.queues.queue('cadence').getJobs(['waiting', 'prioritized', 'delayed']);
    expect(queued.some((job) => String(job.id).startsWith(`cadence-after-sync-${REALM}-`))).toBe(true);
    await context.services.cadence.runDay(REALM, '2026-11-20');
    const list = await context.services.workList.forDay(REALM, '2026-11-20', { limit: 1000 });
    expect(list.total).toBeGreaterThan(0);
    const openCustomers = new Set(open.map((invoice) => (invoice.CustomerRef as { value: string }).value));
    for (const item of list.items) expect(openCustomers.has(item.customer.id)).toBe(true);

    // The history follows in a job of its own, behind every job without a priority.
    const backfill = (await context.queues.queue('sync').getJobs(['prioritized'])).find((job) => String(job.id).startsWith(`sync-backfill-${REALM}-`));
    expect(backfill?.data).toEqual({ realmId: REALM, mode: 'backfill' });
    expect(backfill?.opts.priority).toBeGreaterThan(0);
    app.sandbox.sandbox.requestLog.length = 0;
    const cursor = state!.cdc_cursor;
    const olderPayments = realm.table('Payment').size - recent.length;
    expect(await context.services.sync.runScheduled(REALM, 'backfill')).toMatchObject({ mode: 'backfill', counts: { Invoice: invoices.length, Payment: olderPayments } });
    const history = queriesSent(app);
    expect(history).toContain("SELECT COUNT(*) FROM Payment WHERE TxnDate < '2025-11-20'");
    expect(history.every((query) => !query.includes("TxnDate >= '"))).toBe(true);
    const after = await context.repos.syncState.get(REALM);
    expect(after?.cdc_cursor).toEqual(cursor);
    expect(after?.last_full_at).toBeInstanceOf(Date);

    // Whole now: the copy is what a full sync leaves, row for row.
    const backfilled = await copyOf(context);
    expect(backfilled.Invoice).toHaveLength(realm.table('Invoice').size);
    expect(backfilled.Payment).toHaveLength(realm.table('Payment').size);
    await context.sync.run(REALM, 'full');
    expect(await copyOf(context)).toEqual(backfilled);

    // A second backfill after a full sync has nothing left to read.
    app.sandbox.sandbox.requestLog.length = 0;
    expect(await context.sync.run(REALM, 'backfill')).toMatchObject({ mode: 'backfill', counts: {} });
    expect(queriesSent(app)).toEqual([]);
    // A reconnect whose copy CDC can still bring up to date reads its changes, not the open part again.
    expect(await context.sync.run(REALM, 'open-first')).toMatchObject({ mode: 'incremental' });
  });
});
