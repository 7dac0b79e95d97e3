import type { SeedFile } from '../../src/sandbox/seed';
import { ENGINES } from '../support/database';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341777';
const NUL = '\u0000';
const LONE = '\ud800';

type Entity = Record<string, unknown>;

/** The customer of the first invoice, with what PostgreSQL cannot hold in its address, name and notes. */
function poison(seed: SeedFile): void {
  const invoice = (seed.Invoice as Entity[])[0]!;
  const customer = (seed.Customer as Entity[]).find((c) => c.Id === (invoice.CustomerRef as { value: string }).value)!;
  customer.DisplayName = `Null${NUL}Byte ${LONE}Supply`;
  customer.Notes = `gate code 12${NUL}34`;
  customer.BillAddr = { Line1: `12 Dock${NUL} Rd${LONE}`, City: `Salem${LONE}`, PostalCode: '97301' };
  invoice.CustomerMemo = { value: `thanks${NUL}${LONE}` };
}

/**
 * QuickBooks lets a user type characters PostgreSQL cannot hold (NUL, and JSON with an unpaired
 * surrogate). A sync stores the entity minus those characters, on both engines, in full and CDC
 * syncs, instead of failing on every retry.
 */
describe.each(ENGINES)('a QuickBooks company with NUL and lone surrogates, on %s', (engine) => {
  let app: ConnectedApp;
  let customerId: string;

  beforeAll(async () => {
    app = await startConnectedApp({ engine, realms: [{ realmId: REALM, name: 'Odd Characters Co', customers: 6, invoices: 20, edit: poison }] });
    customerId = [...app.sandbox.sandbox.realm(REALM)!.table('Customer').values()].find((c) => String(c.DisplayName).startsWith('Null'))!.Id;
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  const stored = () => app.test.context.db.selectFrom('qbo_customers').select(['display_name', 'notes', 'raw']).where('realm_id', '=', REALM).where('id', '=', customerId).executeTakeFirst();

  it('completes a full sync and stores the customer minus what PostgreSQL cannot hold', async () => {
    const report = await app.test.context.sync.run(REALM, 'full');
    expect(report.skipped).toEqual([]);
    const realm = app.sandbox.sandbox.realm(REALM)!;
    expect(report.counts.Customer).toBe(realm.table('Customer').size);
    expect(report.counts.Invoice).toBe(realm.table('Invoice').size);
    const row = (await stored())!;
    expect(row.display_name).toBe('NullByte \ufffdSupply');
    expect(row.notes).toBe('gate code 1234');
    expect((row.raw as { BillAddr: Entity }).BillAddr).toEqual({ Line1: '12 Dock Rd\ufffd', City: 'Salem\ufffd', PostalCode: '97301' });
    const invoices = await app.test.context.db.selectFrom('qbo_invoices').select('raw').where('realm_id', '=', REALM).where('customer_id', '=', customerId).execute();
    expect(invoices.map((i) => (i.raw as { CustomerMemo?: { value: string } }).CustomerMemo?.value)).toContain('thanks\ufffd');
    expect((await app.test.context.repos.syncState.get(REALM))!.last_error).toBeNull();
  });

  it('stores a CDC change carrying the same characters', async () => {
    const realm = app.sandbox.sandbox.realm(REALM)!;
    const customer = realm.table('Customer').get(customerId)!;
    realm.update('Customer', { Id: customerId, SyncToken: customer.SyncToken, sparse: true, Notes: `back${NUL}door${LONE}` });
    const report = await app.test.context.sync.run(REALM, 'auto');
    expect(report.mode).toBe('incremental');
    expect(report.skipped).toEqual([]);
    expect((await stored())!.notes).toBe('backdoor\ufffd');
  });
});
