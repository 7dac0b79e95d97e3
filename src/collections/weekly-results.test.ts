import { mondayOf, weeklyResults } from './weekly-results';

describe('results week by week', () => {
  const pay = (txnDate: string, amount: number, creditApplied = 0) => ({ txnDate, appliedTo: [{ invoiceId: '1', amount }], creditApplied });

  it('starts weeks on Monday and cuts the first and last to the period', () => {
    expect(mondayOf('2026-11-25')).toBe('2026-11-23');
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23');
    const weeks = weeklyResults('2026-11-25', '2026-12-08', [pay('2026-11-24', 100), pay('2026-11-25', 200), pay('2026-12-08', 300), pay('2026-12-09', 400)], []);
    expect(weeks.map((w) => [w.weekOf, w.collected])).toEqual([
      ['2026-11-23', 200],
      ['2026-11-30', 0],
      ['2026-12-07', 300],
    ]);
  });

  it('counts money coming in, not credits applied with it, to the cent', () => {
    const weeks = weeklyResults('2026-11-23', '2026-11-29', [pay('2026-11-23', 10_001, 4_000), pay('2026-11-24', 2, 0)], []);
    expect(weeks[0]!.collected).toBe(6_003);
  });

  it('sets the promises that fell due each week against those kept', () => {
    const weeks = weeklyResults('2026-11-23', '2026-12-06', [], [
      { dueOn: '2026-11-24', amount: 50_00, kept: true },
      { dueOn: '2026-11-27', amount: 70_00, kept: false },
      { dueOn: '2026-12-01', amount: 10_00, kept: true },
    ]);
    expect(weeks.map((w) => [w.promisesDue, w.promisesKept, w.promisedAmountDue, w.promisedAmountKept])).toEqual([
      [2, 1, 120_00, 50_00],
      [1, 1, 10_00, 10_00],
    ]);
  });
});
