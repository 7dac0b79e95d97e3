import type { Request } from 'express';
import { NotFoundError } from '../errors';

const PATTERNS = {
  /** Ardesk's own rows: call tasks, pauses, disputes. */
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /** QuickBooks entity ids: customers, invoices. */
  quickBooks: /^\d{1,32}$/,
};

/**
 * A path parameter that names a record, or a 404 naming what was looked for: an id that cannot
 * exist is answered like one that does not, and never reaches the database.
 */
export function recordId(req: Request, name: string, kind: keyof typeof PATTERNS, what: string): string {
  const value = String(req.params[name]);
  if (!PATTERNS[kind].test(value)) throw new NotFoundError(`No such ${what}`);
  return value;
}
