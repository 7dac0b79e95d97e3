import { SandboxFault } from './faults';
import { matches, parseQuery, sortEntities } from './query';

function faultCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return ((error as SandboxFault).body as { Fault: { Error: Array<{ code: string }> } }).Fault.Error[0]!.code;
  }
  return undefined;
}

describe('the QuickBooks query language', () => {
  it('parses the full grammar, case-insensitively', () => {
    expect(parseQuery("select * from Invoice where Balance > '0' and CustomerRef IN ('1', '2') orderby Id desc startposition 1001 maxresults 1000")).toEqual({
      entity: 'Invoice',
      count: false,
      fields: '*',
      where: [
        { field: 'Balance', op: '>', value: '0' },
        { field: 'CustomerRef', op: 'IN', value: ['1', '2'] },
      ],
      orderBy: [{ field: 'Id', desc: true }],
      startPosition: 1001,
      maxResults: 1000,
    });
    expect(parseQuery('SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)')).toMatchObject({ count: true, where: [{ op: 'IN', value: [true, false] }] });
    expect(parseQuery("SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s Bird Sanctuary'").where[0]!.value).toBe("Amy's Bird Sanctuary");
    expect(parseQuery('SELECT Id, DisplayName FROM Customer').fields).toEqual(['Id', 'DisplayName']);
    expect(parseQuery('SELECT * FROM Invoice').maxResults).toBe(100);
  });

  it('refuses what QuickBooks refuses, with code 4001', () => {
    expect(faultCode(() => parseQuery("SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'"))).toBe('4001');
    expect(faultCode(() => parseQuery('SELECT * FROM Invoice MAXRESULTS 1001'))).toBe('4001');
    expect(faultCode(() => parseQuery("SELECT * FROM Invoice WHERE DocNumber = 'open"))).toBe('4001');
    expect(faultCode(() => parseQuery('DELETE FROM Invoice'))).toBe('4001');
    expect(faultCode(() => parseQuery(''))).toBe('4001');
  });

  it('compares references by value, numbers as numbers, dates as dates, text without case, LIKE with %', () => {
    const invoice = { Id: '7', CustomerRef: { value: '12', name: 'Acme' }, Balance: 50.5, DueDate: '2026-03-02', DocNumber: 'INV-1043', MetaData: { LastUpdatedTime: '2026-03-02T10:00:00-08:00' } };
    expect(matches(invoice, { field: 'CustomerRef', op: '=', value: '12' })).toBe(true);
    expect(matches(invoice, { field: 'Balance', op: '>', value: '9' })).toBe(true);
    expect(matches(invoice, { field: 'DueDate', op: '<', value: '2026-03-10' })).toBe(true);
    expect(matches(invoice, { field: 'MetaData.LastUpdatedTime', op: '>=', value: '2026-03-02T18:00:00Z' })).toBe(true);
    expect(matches(invoice, { field: 'DocNumber', op: 'LIKE', value: 'inv-10%' })).toBe(true);
    expect(matches(invoice, { field: 'Id', op: 'IN', value: ['5', '7'] })).toBe(true);
    expect(matches(invoice, { field: 'Missing', op: '=', value: 'x' })).toBe(false);
  });

  it("reads a company's open part: Balance > '0' and TxnDate bounds, as the first sync asks", () => {
    const paid = { Id: '1', Balance: 0, TxnDate: '2025-11-19' };
    const open = { Id: '2', Balance: 0.01, TxnDate: '2025-11-20' };
    const where = (text: string) => parseQuery(`SELECT * FROM Invoice WHERE ${text}`).where;
    const pick = (text: string) => [paid, open].filter((row) => where(text).every((condition) => matches(row, condition))).map((row) => row.Id);
    expect(pick("Balance > '0'")).toEqual(['2']);
    expect(pick("TxnDate >= '2025-11-20'")).toEqual(['2']);
    expect(pick("TxnDate < '2025-11-20'")).toEqual(['1']);
    expect(pick("Balance > '0' AND TxnDate < '2025-11-20'")).toEqual([]);
  });

  it('orders text by ordinal comparison and ids as numbers', () => {
    const rows = [{ Id: '10', Name: 'Pam' }, { Id: '9', Name: 'PG&E' }, { Id: '100', Name: 'apple' }];
    expect(sortEntities([...rows], [{ field: 'Name', desc: false }]).map((r) => r.Name)).toEqual(['PG&E', 'Pam', 'apple']);
    expect(sortEntities([...rows], [{ field: 'Id', desc: false }]).map((r) => r.Id)).toEqual(['9', '10', '100']);
  });
});
