import { sql } from 'kysely';
import type { AccountDirectoryEntry } from '../collections/accounts';
import type { Customer, CustomerType } from '../collections/model';
import { perChunk, recordset } from './bulk';
import type { Db } from './database';

export interface AccountOf {
  payerId: string;
  type: CustomerType;
}

/**
 * The account directory: each customer's paying account and the account's type, stored as the
 * playbook decided them, with the version of the copy of QuickBooks they were decided from.
 * Takes the database or a transaction.
 */
export class AccountsRepository {
  constructor(private readonly db: Db) {}

  /** The copy's current version and the version the directory was built from (null: never). */
  async versions(realmId: string): Promise<{ copy: string; directory: string | null }> {
    const row = await sql<{ copy: string | null; directory: string | null }>`
      select (select version::text from copy_versions where realm_id = ${realmId}) as copy,
             (select version::text from account_directory_versions where realm_id = ${realmId}) as directory`.execute(this.db);
    return { copy: row.rows[0]?.copy ?? '0', directory: row.rows[0]?.directory ?? null };
  }

  /** What the directory is built from: every customer with the user's type override. */
  async customers(realmId: string): Promise<Customer[]> {
    const rows = await this.db
      .selectFrom('qbo_customers as c')
      .leftJoin('customer_histories as h', (join) => join.onRef('h.realm_id', '=', 'c.realm_id').onRef('h.customer_id', '=', 'c.id'))
      .select(['c.id', 'c.display_name', 'c.company_name', 'c.email', 'c.parent_id', 'h.type_override'])
      .where('c.realm_id', '=', realmId)
      .execute();
    return rows.map((c) => ({ id: c.id, name: c.display_name, companyName: c.company_name, email: c.email, parentId: c.parent_id, typeOverride: c.type_override ?? null }));
  }

  /**
   * Replaces the directory in one transaction, under a per-company lock so racing builders
   * write it once each, in turn; records the copy version it was built from.
   */
  async replace(realmId: string, version: string, entries: AccountDirectoryEntry[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`customer_accounts:${realmId}`}))`.execute(trx);
      await trx.deleteFrom('customer_accounts').where('realm_id', '=', realmId).execute();
      await perChunk(entries, async (chunk) => {
        const rows = chunk.map((e) => ({ customer_id: e.customerId, payer_id: e.payerId, customer_type: e.type }));
        await sql`insert into customer_accounts (realm_id, customer_id, payer_id, customer_type)
                  select ${realmId}, a.customer_id, a.payer_id, a.customer_type
                  from ${recordset(rows, 'a', { customer_id: 'text', payer_id: 'text', customer_type: 'text' })}`.execute(trx);
        return [];
      });
      await trx
        .insertInto('account_directory_versions')
        .values({ realm_id: realmId, version })
        .onConflict((oc) => oc.column('realm_id').doUpdateSet({ version }))
        .execute();
    });
  }

  async accountOf(realmId: string, customerId: string): Promise<AccountOf | undefined> {
    const row = await this.db.selectFrom('customer_accounts').select(['payer_id', 'customer_type']).where('realm_id', '=', realmId).where('customer_id', '=', customerId).executeTakeFirst();
    return row ? { payerId: row.payer_id, type: row.customer_type } : undefined;
  }

  /** The customers whose invoices the account `payerId` pays: itself and its whole chain of jobs. */
  async membersOf(realmId: string, payerId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('customer_accounts').select('customer_id').where('realm_id', '=', realmId).where('payer_id', '=', payerId).execute();
    return rows.map((r) => r.customer_id);
  }
}
