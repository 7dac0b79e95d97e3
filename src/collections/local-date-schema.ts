import { z } from 'zod';

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isLocalDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text);
}

/** A local date as the API and the forms take it; the message names what is wrong. */
export const localDateSchema = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}$/.test(text), { message: 'must be a date, YYYY-MM-DD', abort: true })
  .refine(isLocalDate, 'is not a real date');

/** The same, where an empty form field means "not given". */
export const optionalLocalDate = localDateSchema.optional().or(z.literal('').transform(() => undefined));
