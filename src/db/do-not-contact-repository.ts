import type { LocalDate } from '../collections/calendar';
import { recordActivities } from './cadence-recorder';
import type { Db } from './database';
import { ASKED_BY, type DoNotContactMark } from '../collections/do-not-contact';

export type { DoNotContactMark };

/** What marking a customer did at once (the playbook keeps it so at every run after). */
export interface MarkResult {
  /** False when the customer was already marked: nothing changed. */
  marked: boolean;
  cancelledMessages: number;
  retiredTasks: number;
}

/** Why a queued message was cancelled when its customer was marked. */
export const DO_NOT_CONTACT_REASON = 'the customer is marked do not contact';

/**
 * Customers not to be contacted (migration 0025). Marking one records the activity (its note
 * goes to QuickBooks), cancels what is queued for it and retires its open call task, in one
 * transaction; clearing it records that too. Who is contactable is the playbook's rule
 * (src/collections/coverage.ts `contactStopped`), read from what this stores.
 */
export class DoNotContactRepository {
  constructor(private readonly db: Db) {}

  async find(realmId: string, customerId: string): Promise<DoNotContactMark | undefined> {
    const row = await this.db.selectFrom('do_not_contact').select(['source', 'reason', 'marked_on']).where('realm_id', '=', realmId).where('customer_id', '=', customerId).executeTakeFirst();
    return row && { source: row.source, reason: row.reason, markedOn: row.marked_on };
  }

  async mark(realmId: string, customerId: string, mark: DoNotContactMark): Promise<MarkResult> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('do_not_contact')
        .values({ realm_id: realmId, customer_id: customerId, source: mark.source, reason: mark.reason, marked_on: mark.markedOn })
        .onConflict((oc) => oc.columns(['realm_id', 'customer_id']).doNothing())
        .returning('created_at')
        .executeTakeFirst();
      if (!row) return { marked: false, cancelledMessages: 0, retiredTasks: 0 };
      const cancelled = await trx
        .updateTable('messages')
        .set({ status: 'cancelled', status_reason: DO_NOT_CONTACT_REASON })
        .where('realm_id', '=', realmId)
        .where('customer_id', '=', customerId)
        .where('status', '=', 'queued')
        .returning('id')
        .execute();
      const retired = await trx.updateTable('call_tasks').set({ status: 'retired' }).where('realm_id', '=', realmId).where('customer_id', '=', customerId).where('status', '=', 'open').returning('id').execute();
      const stopped = [cancelled.length && `${cancelled.length} queued message${cancelled.length > 1 ? 's' : ''} cancelled`, retired.length && 'call task retired'].filter(Boolean).join(', ');
      await recordActivities(trx, realmId, mark.markedOn, [
        {
          customerId,
          invoiceIds: [],
          kind: 'do_not_contact',
          summary: `do not contact (${ASKED_BY[mark.source]}): ${mark.reason}${stopped ? `; ${stopped}` : ''}`,
          details: { source: mark.source, reason: mark.reason, cancelledMessages: cancelled.map((m) => m.id) },
          key: `do-not-contact:${customerId}:${row.created_at.toISOString()}`,
        },
      ]);
      return { marked: true, cancelledMessages: cancelled.length, retiredTasks: retired.length };
    });
  }

  /** Lifts the mark (the collector's decision, with why); false when the customer was not marked. */
  async clear(realmId: string, customerId: string, today: LocalDate, reason: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('do_not_contact').where('realm_id', '=', realmId).where('customer_id', '=', customerId).returning(['created_at']).executeTakeFirst();
      if (!row) return false;
      await recordActivities(trx, realmId, today, [
        { customerId, invoiceIds: [], kind: 'do_not_contact_cleared', summary: `may be contacted again${reason ? `: ${reason}` : ''}`, details: { reason }, key: `do-not-contact-cleared:${customerId}:${row.created_at.toISOString()}` },
      ]);
      return true;
    });
  }
}
