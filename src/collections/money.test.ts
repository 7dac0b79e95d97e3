import fc from 'fast-check';
import { centsOrNothing, centsToDecimal, centsToNumber, formatMoney, fractionDigits, groupedDecimal, shareOf, sumCents, toCents } from './money';

describe('money in cents', () => {
  it('reads QuickBooks and PostgreSQL amounts digit by digit', () => {
    expect(toCents('15231.89')).toBe(1523189);
    expect(toCents(15231.89)).toBe(1523189);
    expect(toCents(0.1)).toBe(10);
    expect(toCents('-0.5')).toBe(-50);
    expect(toCents('7')).toBe(700);
    expect(toCents('2.005')).toBe(201);
    expect(toCents(null)).toBe(0);
    expect(() => toCents('12,00')).toThrow(/Not an amount/);
    expect(() => toCents(Number.NaN)).toThrow(/Not an amount/);
  });

  it('counts a field that is no amount as nothing, and reads one that is as toCents does', () => {
    expect([0.3, '15231.89', '-0.5', 'n/a', undefined, null, {}, '', '1e3'].map(centsOrNothing)).toEqual([30, 1523189, -50, 0, 0, 0, 0, 0, 0]);
  });

  it('adds exactly where floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumCents([toCents(0.1), toCents(0.2)])).toBe(toCents(0.3));
  });

  it('round-trips every amount through the database text and the API number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (cents) => {
        expect(toCents(centsToDecimal(cents))).toBe(cents);
        expect(toCents(centsToNumber(cents))).toBe(cents);
      }),
    );
  });

  it('counts the decimals of a number as written, so more than cents can be refused', () => {
    expect([5000, 12.3, 12.34, 12.345, 0.1, 1e-7, 1.5e-7, 1e21, -16.005].map(fractionDigits)).toEqual([0, 1, 2, 3, 1, 7, 8, 0, 3]);
    expect(fractionDigits(Number.NaN)).toBe(Infinity);
  });

  it('never writes a fraction of a cent', () => {
    expect(centsToDecimal(-5)).toBe('-0.05');
    expect(() => centsToDecimal(10.5)).toThrow(/whole number of cents/);
    expect(() => centsToDecimal(0.1 + 0.2)).toThrow(/whole number of cents/);
  });

  it('rounds a share to the cent and formats for people', () => {
    expect(shareOf(1001, 0.8)).toBe(801);
    expect(shareOf(-1001, 0.5)).toBe(-501);
    expect(formatMoney(1523189, 'USD', 'en-US')).toBe('$15,231.89');
    expect(formatMoney(1523189, 'EUR', 'de-DE')).toMatch(/15\.231,89/);
    expect(formatMoney(500, 'XYZ1', 'en-US')).toBe('XYZ1 5.00');
    // The largest amount kept exactly still formats to the cent.
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
    expect(groupedDecimal(421000)).toBe('4,210.00');
    expect(groupedDecimal(-1)).toBe('-0.01');
  });
});
