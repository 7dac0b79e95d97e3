import type { Insertable } from 'kysely';
import { addDays } from '../../src/collections/calendar';
import { centsToDecimal, type Cents } from '../../src/collections/money';
import type { QboCustomersTable, QboInvoicesTable } from '../../src/db/schema';

/**
 * A company row's part that says a person approved its messages long ago (review before
 * sending): spread into a company the test inserts itself, when the test is about something else.
 */
export const ALREADY_COLLECTING = { send_review: 'off', collecting_since: new Date('2020-01-01T00:00:00Z') } as const;

/**
 * Rows of the copy of QuickBooks for tests, in the collector's words: a customer by name, an
 * invoice by its balance in cents and its due date. Everything else takes a plain default.
 */

export function customerRow(realmId: string, id: string, overrides: Partial<Insertable<QboCustomersTable>> = {}): Insertable<QboCustomersTable> {
  return {
    realm_id: realmId, id, sync_token: '0', qbo_updated_at: new Date('2026-01-01T00:00:00Z'),
    display_name: `Customer ${id}`, company_name: `Customer ${id} LLC`, given_name: null, family_name: null,
    email: `ap@customer-${id}.test`, phone: '(555) 555-0100', mobile: null, notes: null, balance: 0, active: true,
    parent_id: null, sales_term_id: null, currency: 'USD', raw: '{}',
    ...overrides,
  };
}

/** An open invoice of `balance` cents due on `dueDate`, issued 30 days before unless told. */
export function invoiceRow(realmId: string, id: string, customerId: string, dueDate: string, balance: Cents, overrides: Partial<Insertable<QboInvoicesTable>> = {}): Insertable<QboInvoicesTable> {
  return {
    realm_id: realmId, id, sync_token: '0', qbo_updated_at: new Date('2026-01-01T00:00:00Z'), customer_id: customerId,
    doc_number: `10${id}`, txn_date: addDays(dueDate, -30), due_date: dueDate,
    total: centsToDecimal(balance), balance: centsToDecimal(balance),
    bill_email: null, sales_term_id: null, currency: 'USD', email_status: null, raw: '{}',
    ...overrides,
  };
}
