import { parseEntity, type ParsedRow } from './schemas';

/** The row of an entity that parses. */
function rowOf(outcome: ReturnType<typeof parseEntity>): ParsedRow {
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.row;
}

const meta = { SyncToken: '0', MetaData: { LastUpdatedTime: '2026-02-01T10:00:00Z' } };
const invoice = (amounts: Record<string, unknown>) => ({ ...meta, Id: 7, CustomerRef: { value: '1' }, TxnDate: '2026-01-20', DueDate: '2026-02-19', ...amounts });

describe('QuickBooks amounts as they enter', () => {
  it('are read digit by digit into cents and stored as numeric text; raw keeps what QuickBooks sent', () => {
    const outcome = parseEntity('Invoice', invoice({ TotalAmt: 15231.89, Balance: '0.10' }));
    expect(outcome).toMatchObject({ ok: true, row: { id: '7', fields: { total: '15231.89', balance: '0.10' } } });
    const raw = JSON.parse(rowOf(outcome).fields.raw as string) as Record<string, unknown>;
    expect([raw.Id, raw.TotalAmt, raw.Balance]).toEqual([7, 15231.89, '0.10']);
  });

  it('keep each payment line in currency units, as before, from its exact cents', () => {
    const outcome = parseEntity('Payment', { ...meta, Id: '9', CustomerRef: { value: '1' }, TxnDate: '2026-02-24', TotalAmt: 0.3, Line: [{ Amount: 0.1, LinkedTxn: [{ TxnId: '7', TxnType: 'Invoice' }] }, { Amount: '0.20', LinkedTxn: [{ TxnId: '8', TxnType: 'Invoice' }] }] });
    expect(outcome).toMatchObject({ ok: true, row: { fields: { total: '0.30', unapplied: '0.00' } } });
    expect(JSON.parse(rowOf(outcome).fields.applied_to as string)).toEqual([{ id: '7', type: 'Invoice', amount: 0.1 }, { id: '8', type: 'Invoice', amount: 0.2 }]);
  });

  it('make an entity with an amount beyond exact cents fail to parse, named, instead of storing a rounded one', () => {
    expect(parseEntity('Invoice', invoice({ TotalAmt: 100, Balance: '123456789012345678.00' }))).toEqual({ ok: false, id: '7', reason: 'Balance: Amount too large: 123456789012345678.00' });
    expect(parseEntity('Invoice', invoice({ TotalAmt: 'ten', Balance: 1 }))).toMatchObject({ ok: false, reason: expect.stringContaining('TotalAmt') });
  });
});
