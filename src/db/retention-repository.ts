import { sql } from 'kysely';
import type { Db } from './database';

/**
 * The tables that hold a company's copy of QuickBooks, and what is computed only from it (the
 * work list's snapshots, the account directory). The collection history (activities, messages,
 * call tasks, promises, disputes, notes) is the company's own record and stays.
 */
export const COPY_TABLES = [
  'qbo_invoices',
  'qbo_payments',
  'qbo_credit_memos',
  'qbo_customers',
  'qbo_terms',
  'sync_state',
  'account_state_runs',
  'customer_accounts',
  'account_directory_versions',
] as const;

export interface ExpiredCopy {
  realm_id: string;
  name: string;
  disconnected_at: Date | null;
}

/** Deleting the copy of QuickBooks of companies that are disconnected. */
export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /** Disconnected companies whose copy is still held and which were disconnected before `cutoff`. */
  async expired(cutoff: Date): Promise<ExpiredCopy[]> {
    return this.db
      .selectFrom('companies')
      .select(['realm_id', 'name', 'disconnected_at'])
      .where('status', '=', 'disconnected')
      .where('copy_deleted_at', 'is', null)
      .where('disconnected_at', '<', cutoff)
      .orderBy('disconnected_at')
      .execute();
  }

  /**
   * Deletes the copy of a company that is disconnected, in one transaction with the company's row
   * locked, so a reconnect racing it either comes first (and nothing is deleted) or after (and its
   * first full sync fills the copy again). Returns the rows deleted per table, or undefined when
   * the company is not disconnected.
   */
  async deleteCopy(realmId: string, at: Date): Promise<Record<string, number> | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const company = await trx.selectFrom('companies').select('realm_id').where('realm_id', '=', realmId).where('status', '=', 'disconnected').forUpdate().executeTakeFirst();
      if (!company) return undefined;
      const deleted: Record<string, number> = {};
      for (const table of COPY_TABLES) {
        const result = await trx.deleteFrom(table).where('realm_id', '=', realmId).executeTakeFirst();
        deleted[table] = Number(result.numDeletedRows);
      }
      await trx.updateTable('companies').set({ copy_deleted_at: at, updated_at: sql`now()` }).where('realm_id', '=', realmId).execute();
      return deleted;
    });
  }
}
