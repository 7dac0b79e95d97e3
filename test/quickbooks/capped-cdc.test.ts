import type { Realm } from '../../src/sandbox/realm';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341452000002201';

function apiLog(app: ConnectedApp) {
  return app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM);
}

/** Rows of the copy whose SyncToken is not QuickBooks' (or that are missing), and rows QuickBooks no longer has. */
async function differences(app: ConnectedApp, realm: Realm, entity: 'Invoice' | 'Customer' | 'Payment', table: 'qbo_invoices' | 'qbo_customers' | 'qbo_payments'): Promise<string[]> {
  const rows = await app.test.context.db.selectFrom(table).select(['id', 'sync_token']).where('realm_id', '=', REALM).execute();
  const local = new Map(rows.map((row) => [String(row.id), String(row.sync_token)]));
  const wrong: string[] = [];
  for (const row of realm.table(entity).values()) if (local.get(row.Id) !== String(row.SyncToken)) wrong.push(`${entity} ${row.Id}`);
  for (const id of local.keys()) if (!realm.table(entity).has(id)) wrong.push(`${entity} ${id} (deleted)`);
  return wrong;
}

describe('an incremental sync whose CDC answer is capped', () => {
  let app: ConnectedApp;
  let realm: Realm;

  /**
   * QuickBooks' clock moves on two minutes, then the sync runs: its cursor (QuickBooks' time of
   * the CDC answer, less a minute's overlap) then lies after this test's edits, so the next test
   * sees only its own.
   */
  async function syncLater() {
    app.sandbox.sandbox.setKnobs({ clockOffsetMs: app.sandbox.sandbox.knobs.clockOffsetMs + 120_000 });
    app.sandbox.sandbox.requestLog.length = 0;
    const report = await app.test.context.sync.run(REALM, 'auto');
    return { report, log: apiLog(app) };
  }

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Capped Window Traders', customers: 120, invoices: 1400 }] });
    realm = app.sandbox.sandbox.realm(REALM)!;
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBe(303);
    await app.test.context.sync.run(REALM, 'full');
  });
  afterAll(() => app.stop());

  it('the sandbox caps the whole CDC answer at 1000 objects, over all entities', async () => {
    // Not a sync: the sandbox alone, as the sync below relies on it behaving like QuickBooks.
    const invoices = [...realm.table('Invoice').values()].slice(0, 1001);
    const stamp = new Date(app.sandbox.sandbox.now().getTime() - 1000).toISOString();
    for (const invoice of invoices) realm.update('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: 'cap check' });
    const customer = [...realm.table('Customer').values()][0]!;
    realm.update('Customer', { Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, Notes: 'cap check' });
    const token = await app.test.context.quickbooks.tokens.accessToken(REALM);
    const answer = await fetch(`${app.sandbox.url}/v3/company/${REALM}/cdc?entities=Invoice,Customer&changedSince=${encodeURIComponent(stamp)}&minorversion=75`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    const body = (await answer.json()) as { CDCResponse: Array<{ QueryResponse: Array<Record<string, unknown[]>> }> };
    const sections = body.CDCResponse[0]!.QueryResponse;
    const objects = sections.reduce((sum, section) => sum + (section.Invoice?.length ?? 0) + (section.Customer?.length ?? 0), 0);
    expect(objects).toBe(1000);
    await syncLater();
  });

  it('brings every entity\'s changes, a payment beside 1,050 invoice edits among them, in a few requests and no full re-read', async () => {
    const invoices = [...realm.table('Invoice').values()].slice(0, 1050);
    for (const invoice of invoices) realm.update('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: `edited ${invoice.Id}` });
    const open = [...realm.table('Invoice').values()].find((invoice) => Number(invoice.Balance) > 51.45)!;
    const payment = realm.create('Payment', { CustomerRef: { value: (open.CustomerRef as { value: string }).value }, TotalAmt: 51.45, Line: [{ Amount: 51.45, LinkedTxn: [{ TxnId: open.Id, TxnType: 'Invoice' }] }] });
    // A deletion in the same window, which a query cannot show; its tombstone (the highest Id)
    // is beyond the sandbox's cut of the capped answer.
    const doomed = [...realm.table('Invoice').values()].filter((invoice) => invoice.Id !== open.Id && !invoices.includes(invoice)).sort((a, b) => Number(b.Id) - Number(a.Id))[0]!;
    realm.delete('Invoice', { Id: doomed.Id, SyncToken: doomed.SyncToken });

    const { report, log } = await syncLater();

    const stored = await app.test.context.db.selectFrom('qbo_payments').select(['id', 'total']).where('realm_id', '=', REALM).where('id', '=', payment.Id).executeTakeFirst();
    expect(stored).toBeDefined();
    expect(await differences(app, realm, 'Invoice', 'qbo_invoices')).toEqual([]);
    expect(await differences(app, realm, 'Payment', 'qbo_payments')).toEqual([]);
    expect(await differences(app, realm, 'Customer', 'qbo_customers')).toEqual([]);
    expect(report.mode).toBe('incremental');
    // No query reads an entity's rows whole: rows are read only where they changed; the deletion
    // the capped answer cut off is found by counting, then by the invoices' ids.
    const queries = log.filter((entry) => entry.kind === 'query').map((entry) => entry.detail ?? '');
    expect(queries.filter((text) => /select \*/i.test(text) && !/LastUpdatedTime/i.test(text))).toEqual([]);
    expect(queries.filter((text) => /^SELECT Id FROM Invoice/i.test(text))).toHaveLength(2);
    // Date-times as Intuit's query examples write them: whole seconds and an offset.
    expect(queries.filter((text) => /LastUpdatedTime/.test(text)).every((text) => /LastUpdatedTime >= '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00'/.test(text))).toBe(true);
    expect(log.map((entry) => entry.kind)).toEqual(['cdc', 'cdc', 'query', 'query', 'query', 'query', 'query', 'query']);
  });

  it('reads no rows again for an entity whose capped answer turns out to hold all its changes', async () => {
    const customers = [...realm.table('Customer').values()];
    const invoices = [...realm.table('Invoice').values()].slice(0, 1000 - 1);
    for (const invoice of invoices) realm.update('Invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: `again ${invoice.Id}` });
    realm.update('Customer', { Id: customers[0]!.Id, SyncToken: customers[0]!.SyncToken, sparse: true, Notes: 'changed too' });

    const { log } = await syncLater();
    // 999 invoices and a customer fill the cap exactly: the customer CDC again, one COUNT of the
    // changed invoices (all were in the answer), one COUNT of all invoices (nothing deleted).
    expect(log.map((entry) => entry.kind)).toEqual(['cdc', 'cdc', 'query', 'query']);
    expect(await differences(app, realm, 'Invoice', 'qbo_invoices')).toEqual([]);
    expect(await differences(app, realm, 'Customer', 'qbo_customers')).toEqual([]);
  });
});
