/**
 * Money inside Ardesk is a whole number of cents (the company's currency's minor unit), so sums
 * are exact: 10 + 20 is 30, where 0.1 + 0.2 is not 0.3. Amounts become cents once, where they
 * enter (QuickBooks' JSON, PostgreSQL's numeric text, a collector's form), and become text or a
 * decimal number only where they leave (a template, a page, the API).
 */
export type Cents = number;

const DECIMAL = /^(-)?(\d+)(?:\.(\d{0,2})(\d*))?$/;

/**
 * Cents from a decimal amount as QuickBooks or PostgreSQL writes it ("15231.89", 15231.89,
 * "-0.5"). The text is read digit by digit, never multiplied as a float; a third decimal digit
 * rounds half away from zero (QuickBooks keeps two).
 */
export function toCents(amount: string | number | null | undefined): Cents {
  if (amount === null || amount === undefined || amount === '') return 0;
  const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`Not an amount of money: ${JSON.stringify(amount)}`);
  const [, minus, whole, fraction = '', rest = ''] = match;
  let cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (rest !== '' && Number(rest[0]) >= 5) cents += 1;
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Amount too large: ${text}`);
  return minus && cents !== 0 ? -cents : cents;
}

/**
 * Cents from a value that should be an amount but may not be (a field of a QuickBooks entity, an
 * amount kept in an activity's details): a number or decimal text as `toCents` reads it; anything
 * else (missing, not an amount) counts as nothing, 0.
 */
export function centsOrNothing(value: unknown): Cents {
  if (typeof value !== 'number' && typeof value !== 'string') return 0;
  try {
    return toCents(value);
  } catch {
    return 0;
  }
}

/** A JavaScript number as plain decimal text (no exponent), at the precision it was written with. */
function numberText(amount: number): string {
  if (!Number.isFinite(amount)) throw new RangeError(`Not an amount of money: ${amount}`);
  const text = String(amount);
  return /e/i.test(text) ? amount.toFixed(2) : text;
}

/**
 * How many decimals a JavaScript number has as written (12.34 → 2, 5000 → 0, 1e-7 → 7), so an
 * amount with more than cents can be refused rather than rounded.
 */
export function fractionDigits(amount: number): number {
  if (!Number.isFinite(amount)) return Infinity;
  const [mantissa = '', exponent = '0'] = String(Math.abs(amount)).split(/e/i);
  const written = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, written - Number(exponent));
}

/** The decimal text PostgreSQL's numeric(…, 2) takes: 1523189 → "15231.89". */
export function centsToDecimal(cents: Cents): string {
  // A fraction of a cent here is a float that skipped toCents: fail loudly, never write it.
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The amount as a JSON number of currency units (the API's shape): 1523189 → 15231.89. */
export function centsToNumber(cents: Cents): number {
  return Number(centsToDecimal(cents));
}

export function sumCents(amounts: Iterable<Cents>): Cents {
  let total = 0;
  for (const amount of amounts) total += amount;
  return total;
}

/** A share of an amount, rounded to the cent (half away from zero). */
export function shareOf(cents: Cents, share: number): Cents {
  const value = cents * share;
  return Math.sign(value) * Math.round(Math.abs(value));
}

/**
 * The amount as a person reads it in the company's currency and locale:
 * formatMoney(1523189, 'USD', 'en-US') → "$15,231.89". An unknown currency code falls back to
 * "CODE 15,231.89" rather than failing a letter.
 */
export function formatMoney(cents: Cents, currency = 'USD', locale = 'en-US'): string {
  const units = decimalText(cents);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(units);
  } catch {
    return `${currency} ${groupedDecimal(cents)}`;
  }
}

/** The amount with thousands separators and two decimals, as the activity log writes it: 421000 → "4,210.00". */
export function groupedDecimal(cents: Cents): string {
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(decimalText(cents));
}

/**
 * The amount as exact decimal text for Intl.NumberFormat, which formats such a string digit by
 * digit (no detour through a float).
 */
export function decimalText(cents: Cents): Intl.StringNumericLiteral {
  return centsToDecimal(cents) as Intl.StringNumericLiteral;
}
