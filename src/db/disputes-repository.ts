import type { Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { recordActivities } from './cadence-recorder';
import type { Db } from './database';
import type { DisputesTable } from './schema';

/** A dispute as the disputes page lists it, with its customer's name. */
export type DisputeRow = Pick<Selectable<DisputesTable>, 'id' | 'customer_id' | 'category' | 'text' | 'status' | 'resolution' | 'opened_on' | 'resolved_on' | 'source'> & { display_name: string | null };

/** The disputes a company's customers raised, and their resolution. */
export class DisputesRepository {
  constructor(private readonly db: Db) {}

  /** A company's disputes, open ones first, newest first within each status (at most `limit`). */
  list(realmId: string, limit: number): Promise<DisputeRow[]> {
    return this.db
      .selectFrom('disputes as d')
      .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'd.realm_id').onRef('c.id', '=', 'd.customer_id'))
      .select(['d.id', 'd.customer_id', 'c.display_name', 'd.category', 'd.text', 'd.status', 'd.resolution', 'd.opened_on', 'd.resolved_on', 'd.source'])
      .where('d.realm_id', '=', realmId)
      .orderBy('d.status')
      .orderBy('d.opened_on', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Resolves an open dispute of this company, as an activity, in one transaction. Its invoices
   * are no longer paused by it; the next playbook run takes them up again. Returns whether an
   * open dispute was found.
   */
  async resolve(realmId: string, disputeId: string, resolution: string, today: LocalDate): Promise<boolean> {
    const text = resolution.trim();
    return this.db.transaction().execute(async (trx) => {
      const dispute = await trx
        .updateTable('disputes')
        .set({ status: 'resolved', resolution: text, resolved_on: today })
        .where('realm_id', '=', realmId)
        .where('id', '=', disputeId)
        .where('status', '=', 'open')
        .returning(['customer_id', 'invoice_ids', 'category'])
        .executeTakeFirst();
      if (!dispute) return false;
      const summary = `dispute (${dispute.category.replace(/_/g, ' ')}) resolved: ${text}`;
      await recordActivities(trx, realmId, today, [{ customerId: dispute.customer_id, invoiceIds: dispute.invoice_ids, kind: 'dispute_resolved', summary, details: { disputeId }, key: `dispute-resolved:${disputeId}` }]);
      return true;
    });
  }
}
