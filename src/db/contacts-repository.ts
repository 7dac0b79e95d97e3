import { sql } from 'kysely';
import type { ParsedRow } from '../quickbooks/schemas';
import type { Db } from './database';

export interface NewContact {
  customerId: string;
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  approvesPayment: boolean;
}

/**
 * The people at a customer a collector has found (who approves payments, whose address the
 * invoices go to), and the customer's address as QuickBooks holds it once Ardesk wrote it there.
 */
export class ContactsRepository {
  constructor(private readonly db: Db) {}

  async insert(realmId: string, contact: NewContact): Promise<string> {
    const row = await this.db
      .insertInto('contacts')
      .values({ realm_id: realmId, customer_id: contact.customerId, name: contact.name, role: contact.role, phone: contact.phone, email: contact.email, approves_payment: contact.approvesPayment })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * The address a collector found for each customer (an *email found* or *wrong person* outcome
   * records it on a contact): the newest contact's with one. The contact email where QuickBooks
   * has none (SPEC §4), for the playbook's input and the call outcomes alike.
   */
  async foundEmails(realmId: string, customerIds?: readonly string[]): Promise<Map<string, string>> {
    if (customerIds && customerIds.length === 0) return new Map();
    let query = this.db
      .selectFrom('contacts')
      .select(['customer_id', 'email'])
      .distinctOn('customer_id')
      .where('realm_id', '=', realmId)
      .where('email', 'is not', null)
      .where('email', '!=', '');
    if (customerIds) query = query.where('customer_id', 'in', [...customerIds]);
    const rows = await query.orderBy('customer_id').orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return new Map(rows.map((row) => [row.customer_id, row.email!]));
  }

  /** A contact recorded by an outcome that was corrected the same day. */
  async remove(realmId: string, contactId: string): Promise<void> {
    await this.db.deleteFrom('contacts').where('realm_id', '=', realmId).where('id', '=', contactId).execute();
  }

  /**
   * The local copy takes the customer as QuickBooks answered the write (its new SyncToken and
   * address), so the playbook finds the address before the next sync brings the same change.
   */
  async customerWritten(realmId: string, customer: ParsedRow): Promise<void> {
    await this.db
      .updateTable('qbo_customers')
      .set({ ...(customer.fields as Record<string, never>), sync_token: customer.sync_token, qbo_updated_at: customer.qbo_updated_at })
      .where('realm_id', '=', realmId)
      .where('id', '=', customer.id)
      // A sync that already brought a later version of the customer wins.
      .where(sql<boolean>`sync_token ~ '^[0-9]+$' and sync_token::bigint < ${Number(customer.sync_token)}`)
      .execute();
  }
}
