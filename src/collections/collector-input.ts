import { z } from 'zod';
import type { LocalDate } from './calendar';
import { fractionDigits, toCents } from './money';
import { hasUnstorable } from './storable-text';

/**
 * What a collector types, judged the same way in every form and in the JSON API: free text the
 * database can hold, amounts as plain decimals, dates within a sane range. Each rule names what
 * is wrong in the collector's words; the caller's schema puts the field's name in front.
 */

const UNSTORABLE_MESSAGE = 'contains a character that cannot be saved (an invisible NUL or a broken character); retype it';

/** Free text from a collector: at most `max` characters, none the database cannot hold. */
export function collectorText(options: { max: number; min?: number; required?: string; trim?: boolean }) {
  let text = options.trim ? z.string().trim() : z.string();
  if (options.min) text = text.min(options.min, options.required ?? 'is required');
  return text.max(options.max, `is longer than ${options.max.toLocaleString('en-US')} characters`).refine((value) => !hasUnstorable(value), UNSTORABLE_MESSAGE);
}

/** An id the collector sends back (invoice ids from QuickBooks are digits). */
export const quickBooksIdSchema = z.string().regex(/^\d{1,32}$/, 'must be QuickBooks ids');

const PLAIN_AMOUNT = /^\d{1,10}(\.\d{1,2})?$/;
const AMOUNT_MESSAGE = 'must be an amount like 125.50: digits, then at most 2 decimals';

/**
 * A positive amount as the API takes it, a JSON number of currency units (5000, 12.34), parsed to
 * cents. More than 2 decimals is refused, not rounded: 12.345 is no amount a collector was told.
 */
export const amountSchema = z
  .number({ error: (issue) => (issue.input === undefined ? 'is required' : AMOUNT_MESSAGE) })
  .positive('must be more than 0')
  .max(1e10, 'is too large')
  .refine((amount) => fractionDigits(amount) <= 2, 'must have at most 2 decimals (whole cents), like 12.34')
  .transform((amount) => toCents(amount));

/**
 * An amount typed in a form, as the API takes it: a plain decimal becomes its number; anything
 * else (`0x10`, `1e3`, ` 16 `, `16.005`) stays text, which `amountSchema` refuses with the field named.
 */
export function amountFromForm(typed: string): number | string | undefined {
  if (typed === '') return undefined;
  return PLAIN_AMOUNT.test(typed) ? Number(typed) : typed;
}

/** The date `years` after `date` (29 February becomes 28 February). */
export function yearsAfter(date: LocalDate, years: number): LocalDate {
  const year = Number(date.slice(0, 4)) + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDay = date.slice(4) === '-02-29' && !leap ? '-02-28' : date.slice(4);
  return `${String(year).padStart(4, '0')}${monthDay}`;
}

/** How far ahead a collector may set each date, in years from the business day. */
export const DATE_HORIZON_YEARS = { callBack: 1, promise: 1, installment: 3, pause: 1 } as const;

/**
 * Why `date` is not a sane date for `field` from `today` on (in the past, or beyond the horizon),
 * or undefined when it is.
 */
export function dateOutOfRange(field: string, date: LocalDate, today: LocalDate, years: number, past = 'cannot be in the past'): string | undefined {
  if (date < today) return `${field}: ${past}`;
  const latest = yearsAfter(today, years);
  if (date > latest) return `${field}: must be within ${years === 1 ? 'a year' : `${years} years`}, by ${latest}`;
  return undefined;
}
