import fc from 'fast-check';
import { centsToDecimal, centsToNumber, formatMoney, shareOf, sumCents, toCents } from './money';

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

  it('rounds a share to the cent and formats for people', () => {
    expect(shareOf(1001, 0.8)).toBe(801);
    expect(shareOf(-1001, 0.5)).toBe(-501);
    expect(formatMoney(1523189, 'USD', 'en-US')).toBe('$15,231.89');
    expect(formatMoney(1523189, 'EUR', 'de-DE')).toMatch(/15\.231,89/);
    expect(formatMoney(500, 'XYZ1', 'en-US')).toBe('XYZ1 5.00');
  });
});
