import { sql, type ExpressionBuilder } from 'kysely';
import { centsToDecimal, sumCents, toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import type { Database, SendReviewMode } from './schema';

/**
 * A queued message waits for a person's approval when its company reviews what it sends and
 * nobody has approved it: under `every_run` every message, under `first_run` those made before
 * collecting started (all of them, while it has not). The one place this rule is written: the
 * dispatcher, the sender's claim and the review page all use it.
 */
export function heldForReview(eb: ExpressionBuilder<Database, 'messages'>) {
  return eb.and([
    eb('messages.approved_at', 'is', null),
    eb.exists(
      eb
        .selectFrom('companies as reviewing')
        .select(sql<number>`1`.as('one'))
        .whereRef('reviewing.realm_id', '=', 'messages.realm_id')
        .where((inner) =>
          inner.or([
            inner('reviewing.send_review', '=', 'every_run'),
            inner.and([
              inner('reviewing.send_review', '=', 'first_run'),
              inner.or([inner('reviewing.collecting_since', 'is', null), inner('reviewing.collecting_since', '>', inner.ref('messages.created_at'))]),
            ]),
          ]),
        ),
    ),
  ]);
}

/** The opposite of `heldForReview`: a queued message that may go out when due. */
export function notHeldForReview(eb: ExpressionBuilder<Database, 'messages'>) {
  return eb.not(heldForReview(eb));
}

export interface HeldMessageRow {
  id: string;
  customerId: string;
  customerName: string | null;
  toAddress: string;
  kind: string;
  invoiceIds: string[];
  total: Cents;
  sendAt: Date;
}

export interface HeldInvoiceRow {
  id: string;
  docNumber: string | null;
  dueDate: string | null;
  balance: Cents;
}

export interface ReviewCompanyRow {
  mode: SendReviewMode;
  collectingSince: Date | null;
  lastApproval: { approvedAt: Date; approvedBy: string; messages: number; accounts: number; total: Cents } | null;
}

/** What waits for review, and the approvals that released it. */
export class SendReviewRepository {
  constructor(private readonly db: Db) {}

  async company(realmId: string): Promise<ReviewCompanyRow | undefined> {
    const company = await this.db.selectFrom('companies').select(['send_review', 'collecting_since']).where('realm_id', '=', realmId).executeTakeFirst();
    if (!company) return undefined;
    const last = await this.db
      .selectFrom('send_approvals')
      .select(['approved_at', 'approved_by', 'messages', 'accounts', 'total'])
      .where('realm_id', '=', realmId)
      .orderBy('approved_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      mode: company.send_review,
      collectingSince: company.collecting_since,
      lastApproval: last ? { approvedAt: last.approved_at, approvedBy: last.approved_by, messages: last.messages, accounts: last.accounts, total: toCents(last.total) } : null,
    };
  }

  async setMode(realmId: string, mode: SendReviewMode): Promise<void> {
    await this.db.updateTable('companies').set({ send_review: mode, updated_at: sql`now()` }).where('realm_id', '=', realmId).execute();
  }

  /** The company's queued messages that wait for approval, oldest first. */
  async held(realmId: string): Promise<HeldMessageRow[]> {
    const rows = await this.db
      .selectFrom('messages')
      .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'messages.realm_id').onRef('c.id', '=', 'messages.customer_id'))
      .select(['messages.id', 'messages.customer_id', 'c.display_name', 'messages.to_address', 'messages.kind', 'messages.invoice_ids', 'messages.total', 'messages.send_at'])
      .where('messages.realm_id', '=', realmId)
      .where('messages.status', '=', 'queued')
      .where(heldForReview)
      .orderBy('messages.send_at')
      .orderBy('messages.id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      customerId: row.customer_id,
      customerName: row.display_name,
      toAddress: row.to_address,
      kind: row.kind,
      invoiceIds: row.invoice_ids,
      total: toCents(row.total),
      sendAt: row.send_at,
    }));
  }

  /** Number, due date and balance of the invoices held messages list. */
  async invoices(realmId: string, ids: readonly string[]): Promise<HeldInvoiceRow[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .selectFrom('qbo_invoices')
      .select(['id', 'doc_number', 'due_date', 'balance'])
      .where('realm_id', '=', realmId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return rows.map((row) => ({ id: row.id, docNumber: row.doc_number, dueDate: row.due_date, balance: toCents(row.balance) }));
  }

  /**
   * Approves exactly these held messages (those the person saw; any other stays held), no sooner
   * than `sendFrom` (the next moment of the send window), starts collecting if it had not, and
   * records who approved what. Returns the approved messages' ids (none approved: nothing changes).
   */
  async approve(realmId: string, ids: readonly string[], approvedBy: string, sendFrom: Date): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const approved = ids.length
        ? await trx
            .updateTable('messages')
            .set({ approved_at: sql`now()`, send_at: sql`greatest(send_at, ${sendFrom})`, dispatched_at: null })
            .where('realm_id', '=', realmId)
            .where('id', 'in', [...ids])
            .where('status', '=', 'queued')
            .where(heldForReview)
            .returning(['id', 'customer_id', 'total'])
            .execute()
        : [];
      // Approving nothing (a stale page, an empty list) starts nothing: collecting begins with a real approval.
      if (!approved.length) return [];
      await trx.updateTable('companies').set({ collecting_since: sql`coalesce(collecting_since, now())`, updated_at: sql`now()` }).where('realm_id', '=', realmId).execute();
      await trx
        .insertInto('send_approvals')
        .values({
          realm_id: realmId,
          approved_by: approvedBy,
          messages: approved.length,
          accounts: new Set(approved.map((m) => m.customer_id)).size,
          total: centsToDecimal(sumCents(approved.map((m) => toCents(m.total)))),
        })
        .execute();
      return approved.map((m) => m.id);
    });
  }

  /** Cancels an account's held messages (it was held back on the review page). */
  async cancelHeld(realmId: string, customerId: string, reason: string): Promise<number> {
    const result = await this.db
      .updateTable('messages')
      .set({ status: 'cancelled', status_reason: reason })
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where('status', '=', 'queued')
      .where(heldForReview)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
