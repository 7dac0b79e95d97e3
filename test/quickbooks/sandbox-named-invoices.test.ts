import * as queries from '../../src/sandbox/query';
import { defaultOrder } from '../../src/sandbox/entities';
import { generateCompany } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed } from '../../src/sandbox/seed';

const REALM = '9342501';

/**
 * The balance re-read before a send asks the emulator for up to 200 invoices by id
 * (`Id IN (...)`). The emulator runs inside the test process: answering by comparing every
 * invoice of a 20,000-invoice company with every id held that process's event loop for a second
 * or more per query, long enough for its own database connections to time out while a worker
 * sent mail (test/resilience/killed-cadence.test.ts). Named rows are found by id, and the answer
 * is the one a scan gives.
 */
describe('the QuickBooks emulator answering invoices named by id', () => {
  const sandbox = new Sandbox({});
  loadSeed(sandbox, generateCompany({ realmId: REALM, customers: 500, invoices: 5000, asOf: '2026-11-20', companyName: 'Many Invoices Co' }));
  const realm = sandbox.realm(REALM)!;
  const all = [...realm.table('Invoice').values()];
  const named = all.filter((_, i) => i % 25 === 3).map((invoice) => invoice.Id);
  const ids = [...named, '999999', '0']; // two that do not exist
  const list = ids.map((id) => `'${id}'`).join(', ');

  /** What a scan of every invoice answers: the rows the conditions match, in the query's order. */
  function scanned(keep: (invoice: (typeof all)[number]) => boolean, order = defaultOrder('Invoice')) {
    return queries.sortEntities(all.filter(keep), order).map((invoice) => invoice.Id);
  }
  const run = (text: string) => realm.query(queries.parseQuery(text));

  afterEach(() => jest.restoreAllMocks());

  it('looks at the named invoices only, not at every invoice of the company', () => {
    expect(named.length).toBe(200);
    const compared = jest.spyOn(queries, 'matches');
    const { rows } = run(`SELECT * FROM Invoice WHERE Id IN (${list}) MAXRESULTS 1000`);
    expect(rows.map((row) => row.Id)).toEqual(scanned((invoice) => named.includes(invoice.Id)));
    expect(compared.mock.calls.length).toBeLessThanOrEqual(named.length);
    expect(all.length).toBe(5000);
  });

  it('answers as a scan would with other conditions, an order, a page, a count, and one id', () => {
    const open = (invoice: (typeof all)[number]) => named.includes(invoice.Id) && Number(invoice.Balance) > 0;
    const byDate = [{ field: 'TxnDate', desc: false }];
    expect(run(`SELECT * FROM Invoice WHERE Id IN (${list}) AND Balance > '0' ORDERBY TxnDate MAXRESULTS 1000`).rows.map((row) => row.Id)).toEqual(scanned(open, byDate));
    expect(run(`SELECT * FROM Invoice WHERE Id IN (${list}) ORDERBY TxnDate STARTPOSITION 11 MAXRESULTS 20`).rows.map((row) => row.Id)).toEqual(scanned((invoice) => named.includes(invoice.Id), byDate).slice(10, 30));
    expect(run(`SELECT COUNT(*) FROM Invoice WHERE Id IN (${list}) AND Balance > '0'`).total).toBe(scanned(open).length);
    expect(run(`SELECT * FROM Invoice WHERE Id = '${named[7]}'`).rows.map((row) => row.Id)).toEqual([named[7]]);
    expect(run(`SELECT * FROM Invoice WHERE Id = '999999'`).rows).toEqual([]);
  });
});
