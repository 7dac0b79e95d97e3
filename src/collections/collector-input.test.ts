import fc from 'fast-check';
import { z } from 'zod';
import { amountFromForm, amountSchema } from './collector-input';

/** What the API answers for `{ amount }`: the cents, or the message a collector reads. */
function judged(amount: unknown): { cents: number } | { refused: string } {
  const parsed = z.object({ amount: amountSchema }).safeParse({ amount });
  return parsed.success ? { cents: parsed.data.amount } : { refused: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

describe('amounts a collector gives', () => {
  it('takes a JSON number of currency units and keeps it as cents', () => {
    expect(judged(12.34)).toEqual({ cents: 1234 });
    expect(judged(5000)).toEqual({ cents: 500_000 });
    expect(judged(0.1)).toEqual({ cents: 10 });
    expect(judged(125.5)).toEqual({ cents: 12_550 });
    expect(judged(1e10)).toEqual({ cents: 1e12 });
  });

  it('refuses more than 2 decimals with a plain message, rather than rounding', () => {
    expect(judged(12.345)).toEqual({ refused: 'amount: must have at most 2 decimals (whole cents), like 12.34' });
    expect(judged(16.005)).toEqual({ refused: 'amount: must have at most 2 decimals (whole cents), like 12.34' });
    expect(judged(1e-7)).toEqual({ refused: 'amount: must have at most 2 decimals (whole cents), like 12.34' });
  });

  it('refuses what is no positive amount', () => {
    expect(judged(0)).toEqual({ refused: 'amount: must be more than 0' });
    expect(judged(-16)).toEqual({ refused: 'amount: must be more than 0' });
    expect(judged('16')).toEqual({ refused: 'amount: must be an amount like 125.50: digits, then at most 2 decimals' });
    expect(judged(undefined)).toEqual({ refused: 'amount: is required' });
    expect(judged(1e10 + 0.01)).toEqual({ refused: 'amount: is too large' });
  });

  it('reads every typed amount of at most 2 decimals as exactly its cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999_999 }), (cents) => {
        const typed = `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        expect(judged(amountFromForm(typed))).toEqual({ cents });
      }),
      { seed: 20261201 },
    );
  });
});
