import fs from 'node:fs';
import path from 'node:path';
import { generateCompany } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { SeedError, loadSeed, type SeedFile } from '../../src/sandbox/seed';
import { REFERENCE_DIR } from '../support/reference';

const STREAMS: Record<string, string> = { customers: 'Customer', invoices: 'Invoice', payments: 'Payment', terms: 'Term', credit_memos: 'CreditMemo', payment_methods: 'PaymentMethod' };

/** The 2023 Airbyte records of Intuit's sample company, as a seed file. */
function airbyteSeed(): SeedFile {
  const seed: SeedFile = { realmId: '4620816365272851620' };
  const lines = fs.readFileSync(path.join(REFERENCE_DIR, 'sandbox_company/airbyte_expected_records_AR_subset.jsonl'), 'utf8').trim().split('\n');
  for (const line of lines) {
    const { stream, data } = JSON.parse(line) as { stream: string; data: Record<string, unknown> };
    const entity = STREAMS[stream]!;
    const rows = (seed[entity] as unknown[] | undefined) ?? [];
    rows.push(data);
    seed[entity] = rows;
  }
  return seed;
}

describe('sandbox seeds', () => {
  it('loads the sample company records and serves them unchanged', () => {
    const seed = airbyteSeed();
    // As given, the subset's payments reach outside it: the seed is refused, naming each one.
    expect(() => loadSeed(new Sandbox(), structuredClone(seed))).toThrow(/Payment 98: links Invoice 42, which does not exist in the seed/);
    const linked = (seed.Payment as Array<{ CustomerRef: { value: string }; Line: Array<{ LinkedTxn: Array<{ TxnId: string; TxnType: string }> }> }>).flatMap((p) =>
      p.Line.flatMap((l) => l.LinkedTxn.filter((t) => t.TxnType === 'Invoice').map((t) => ({ id: t.TxnId, customer: p.CustomerRef.value }))),
    );
    const invoices = seed.Invoice as Array<{ Id: string }>;
    for (const { id, customer } of linked) {
      if (!invoices.some((i) => i.Id === id)) invoices.push({ Id: id, CustomerRef: { value: customer }, TotalAmt: 1000, Line: [] } as never);
    }
    // The subset links to customers outside it; give those references somewhere to point.
    const customers = seed.Customer as Array<{ Id: string }>;
    const missing = new Set<string>();
    for (const entity of ['Invoice', 'Payment', 'CreditMemo']) {
      for (const row of (seed[entity] as Array<{ CustomerRef: { value: string } }>) ?? []) if (!customers.some((c) => c.Id === row.CustomerRef.value)) missing.add(row.CustomerRef.value);
    }
    for (const id of missing) customers.push({ Id: id, DisplayName: `Customer ${id}` } as never);
    const sandbox = new Sandbox();
    const realm = loadSeed(sandbox, structuredClone(seed));
    for (const entity of ['Customer', 'Invoice', 'Payment', 'Term', 'CreditMemo']) {
      for (const row of seed[entity] as Array<Record<string, unknown> & { Id: string }>) {
        if (missing.has(row.Id) || (entity === 'Invoice' && row.TotalAmt === 1000 && (row.Line as unknown[]).length === 0)) continue;
        expect(realm.get(entity, row.Id)).toEqual(row);
      }
    }
  });

  it('refuses broken references with a message naming the entity', () => {
    const seed: SeedFile = {
      realmId: '42',
      Customer: [{ Id: '1', DisplayName: 'Acme' }],
      Invoice: [{ Id: '10', DocNumber: '1001', CustomerRef: { value: '99' }, TotalAmt: 5, Line: [] }],
      Payment: [{ Id: '20', CustomerRef: { value: '1' }, TotalAmt: 5, Line: [{ Amount: 5, LinkedTxn: [{ TxnId: '77', TxnType: 'Invoice' }] }] }],
    };
    expect(() => loadSeed(new Sandbox(), seed)).toThrow(SeedError);
    try {
      loadSeed(new Sandbox(), seed);
    } catch (error) {
      expect((error as SeedError).problems).toEqual([
        'Invoice 10 (DocNumber 1001): CustomerRef 99 does not exist in the seed',
        'Payment 20: links Invoice 77, which does not exist in the seed',
      ]);
    }
    expect(() => loadSeed(new Sandbox(), { realmId: 'abc', Invoices: [] } as never)).toThrow(/realmId must be a string of digits[\s\S]*"Invoices" is not an entity/);
  });

  it('fills in Id, SyncToken, MetaData and balances that a seed leaves out', () => {
    const realm = loadSeed(new Sandbox(), {
      realmId: '43',
      Customer: [{ Id: '1', DisplayName: 'Acme' }],
      Invoice: [{ Id: '10', CustomerRef: { value: '1' }, TotalAmt: 100, Line: [] }],
      Payment: [{ CustomerRef: { value: '1' }, TotalAmt: 30, Line: [{ Amount: 30, LinkedTxn: [{ TxnId: '10', TxnType: 'Invoice' }] }] }],
    });
    expect(realm.get('Invoice', '10')).toMatchObject({ SyncToken: '0', Balance: 70, MetaData: { CreateTime: expect.any(String) } });
    expect(realm.get('Customer', '1')).toMatchObject({ Balance: 70, BalanceWithJobs: 70 });
    expect(realm.count('Payment')).toBe(1);
  });

  it('stamps no change later than an hour before it is generated: QuickBooks never stamps one in the future, and a first sync\'s CDC finds none', () => {
    const options = { realmId: '44', customers: 60, invoices: 300, asOf: '2026-11-20', seed: 7 };
    const times = (seed: ReturnType<typeof generateCompany>) =>
      (['Customer', 'Invoice', 'Payment', 'CreditMemo'] as const).flatMap((entity) => (seed[entity] as Array<{ MetaData: { CreateTime: string; LastUpdatedTime: string } }>).flatMap((row) => [row.MetaData.CreateTime, row.MetaData.LastUpdatedTime]));
    const moment = new Date('2026-11-20T09:30:00Z');
    const hourBefore = Date.parse('2026-11-20T08:30:00Z');
    // As generated, the day's invoices (09:00) and payments (15:00) lie after 08:30 that day.
    expect(times(generateCompany(options)).filter((time) => Date.parse(time) > hourBefore).length).toBeGreaterThan(0);
    const stamped = times(generateCompany({ ...options, generatedAt: moment }));
    expect(stamped.filter((time) => Date.parse(time) > hourBefore)).toEqual([]);
    expect(stamped).toContain('2026-11-20T08:30:00-00:00');
    expect(stamped.filter((time) => time.startsWith('2026-11-19')).length).toBeGreaterThan(0);
  });

  it('generates the same company for the same seed number, with the mix a demo needs', () => {
    const options = { realmId: '44', customers: 60, invoices: 300, asOf: '2026-11-20', seed: 7 };
    const first = generateCompany(options);
    expect(generateCompany(options)).toEqual(first);
    expect(generateCompany({ ...options, seed: 8 })).not.toEqual(first);
    const customers = first.Customer as Array<Record<string, unknown>>;
    expect(customers.filter((c) => c.CompanyName).length).toBeGreaterThan(20);
    expect(customers.filter((c) => !c.CompanyName).length).toBeGreaterThan(10);
    expect(customers.some((c) => !c.PrimaryEmailAddr)).toBe(true);
    const realm = loadSeed(new Sandbox(), first);
    const invoices = [...realm.table('Invoice').values()];
    const overdue = invoices.filter((i) => Number(i.Balance) > 0 && String(i.DueDate) < '2026-11-20');
    expect(overdue.length).toBeGreaterThan(20);
    expect(invoices.some((i) => Number(i.Balance) > 0 && Number(i.Balance) < Number(i.TotalAmt))).toBe(true);
    expect(invoices.some((i) => i.TxnDate! >= '2026-11-14')).toBe(true);
    expect(invoices.filter((i) => Number(i.Balance) === 0).length).toBeGreaterThan(50);
  });
});
