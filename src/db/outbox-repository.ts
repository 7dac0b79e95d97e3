import { sql, type Selectable } from 'kysely';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import { notHeldForReview } from './send-review-repository';
import type { MessagesTable, MessageStatus, TemplateOverridesTable } from './schema';

type TemplatePartName = TemplateOverridesTable['part'];
type Message = Selectable<MessagesTable>;
export type OutboxDocumentRow = Pick<Message, 'id' | 'realm_id' | 'customer_id' | 'kind' | 'to_address' | 'invoice_ids' | 'listed_invoice_ids' | 'key' | 'status'>;
export type OutboxListRow = Pick<Message, 'id' | 'kind' | 'to_address' | 'status' | 'status_reason' | 'send_at' | 'sent_at' | 'printed_at' | 'invoice_ids' | 'subject'> & { display_name: string | null; total: Cents };
export type SentMessageRow = Pick<Message, 'id' | 'kind' | 'to_address' | 'subject' | 'sent_at' | 'send_at' | 'status' | 'printed_at'>;

/**
 * The outbox state machine. Every transition is one guarded UPDATE, so two workers (or a
 * retried job) can never both move a message into `sending`:
 *   queued → sending → sent | failed | uncertain;  sending → queued (nothing left the building);
 *   queued → cancelled;  a message found in `sending` by a later attempt → uncertain.
 */
export class OutboxRepository {
  constructor(private readonly db: Db) {}

  find(id: string) {
    return this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** queued → sending, when due. Undefined when the message is not (or no longer) queued and due. */
  claim(id: string, businessNow: Date) {
    return this.db
      .updateTable('messages')
      .set({ status: 'sending', sending_at: sql`now()`, attempts: sql`attempts + 1` })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .where('send_at', '<=', businessNow)
      .where(notHeldForReview)
      .returningAll()
      .executeTakeFirst();
  }

  /** A message left in `sending` by a worker that died mid-send: held for review, never re-sent blindly. */
  async markUncertain(id: string, reason: string): Promise<boolean> {
    const result = await this.db.updateTable('messages').set({ status: 'uncertain', status_reason: reason }).where('id', '=', id).where('status', '=', 'sending').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * sending → queued: nothing was handed to the mail server, so trying again is safe. The message
   * is due for dispatch again at once (a job still retrying it makes that a no-op).
   */
  async release(id: string, reason: string): Promise<void> {
    await this.db.updateTable('messages').set({ status: 'queued', status_reason: reason, dispatched_at: null }).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  /** sending → queued at a later time (outside the send window): nothing was handed to the mail server. */
  async postpone(id: string, sendAt: Date, reason: string): Promise<void> {
    await this.db.updateTable('messages').set({ status: 'queued', status_reason: reason, send_at: sendAt, dispatched_at: null }).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  /** Ends a send; `executor` lets the caller make it part of its own transaction. */
  async finish(id: string, status: Exclude<MessageStatus, 'queued' | 'sending'>, fields: { reason?: string; subject?: string; smtpResponse?: string; listed?: string[]; sentAt?: Date } = {}, executor: Db = this.db): Promise<boolean> {
    const result = await executor
      .updateTable('messages')
      .set({
        status,
        status_reason: fields.reason ?? null,
        ...(fields.subject ? { subject: fields.subject } : {}),
        ...(fields.smtpResponse ? { smtp_response: fields.smtpResponse.slice(0, 500) } : {}),
        ...(fields.listed ? { listed_invoice_ids: JSON.stringify(fields.listed) } : {}),
        // The business clock's time when the sender has one (reports compare it with business dates).
        ...(status === 'sent' ? { sent_at: fields.sentAt ?? sql<Date>`now()` } : {}),
      })
      .where('id', '=', id)
      // A slow worker whose message was meanwhile marked uncertain may still report success.
      .where('status', 'in', status === 'sent' ? ['sending', 'uncertain'] : ['sending'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Due, queued messages of connected companies not handed to the queue in the last
   * `redispatchMs` (`redispatch` when they were handed over or tried before, so an old job of
   * theirs may need removing first). Nothing is marked here: the dispatcher marks them with
   * `markDispatched` only once their jobs exist, so a dispatcher that dies in between leaves them
   * due for the next pass. Messages stuck in `sending` longer than `stuckMs` become uncertain.
   */
  async dueForDispatch(businessNow: Date, limit: number, redispatchMs = 2 * 60_000, stuckMs = 10 * 60_000): Promise<Array<{ id: string; redispatch: boolean }>> {
    await this.db
      .updateTable('messages')
      .set({ status: 'uncertain', status_reason: 'the worker stopped while sending; check before resending' })
      .where('status', '=', 'sending')
      // sending_at is the database's now(), so it is compared with the database's clock, never this process's.
      .where('sending_at', '<', sql<Date>`now() - ${`${Math.round(stuckMs / 1000)} seconds`}::interval`)
      .execute();
    // Only connected companies: a paused one's messages wait for the reconnect, not a pass a minute.
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', sql<boolean>`dispatched_at is not null or attempts > 0`.as('redispatch')])
      .where('status', '=', 'queued')
      .where('send_at', '<=', businessNow)
      .where('realm_id', 'in', (eb) => eb.selectFrom('companies').select('realm_id').where('status', '=', 'connected'))
      .where(notHeldForReview)
      .where((eb) => eb.or([eb('dispatched_at', 'is', null), eb('dispatched_at', '<', sql<Date>`now() - ${`${Math.round(redispatchMs / 1000)} seconds`}::interval`)]))
      .orderBy('send_at')
      .limit(limit)
      .execute();
    return rows;
  }

  /** Records that these messages' send jobs exist now. */
  async markDispatched(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.db.updateTable('messages').set({ dispatched_at: sql`now()` }).where('id', 'in', ids).execute();
  }

  /**
   * The messages of a company that failed since `since`, newest first (at most `limit` of them),
   * and how many there are: the company page says so, so reminders never stop in silence.
   */
  async failedSince(realmId: string, since: Date, limit = 5): Promise<{ count: number; latest: Array<{ id: string; kind: string; to_address: string; status_reason: string | null; send_at: Date; customer_name: string | null }> }> {
    const failed = this.db.selectFrom('messages as m').where('m.realm_id', '=', realmId).where('m.status', '=', 'failed').where('m.send_at', '>=', since);
    const [count, latest] = await Promise.all([
      failed.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      failed
        .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'm.realm_id').onRef('c.id', '=', 'm.customer_id'))
        .select(['m.id', 'm.kind', 'm.to_address', 'm.status_reason', 'm.send_at', 'c.display_name as customer_name'])
        .orderBy('m.send_at', 'desc')
        .orderBy('m.id')
        .limit(limit)
        .execute(),
    ]);
    return { count: Number(count.n), latest };
  }

  /** A company's overrides of one template, by part. */
  async overridesOf(realmId: string, name: string): Promise<Partial<Record<TemplatePartName, string>>> {
    const rows = await this.db.selectFrom('template_overrides').select(['part', 'source']).where('realm_id', '=', realmId).where('name', '=', name).execute();
    return Object.fromEntries(rows.map((row) => [row.part, row.source]));
  }

  /** Saves the parts given as text and reverts the parts given as null, in one transaction. */
  async saveOverrides(realmId: string, name: string, parts: Partial<Record<TemplatePartName, string | null>>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [part, source] of Object.entries(parts) as Array<[TemplatePartName, string | null | undefined]>) {
        if (source === null) await trx.deleteFrom('template_overrides').where('realm_id', '=', realmId).where('name', '=', name).where('part', '=', part).execute();
        else if (typeof source === 'string') {
          await trx
            .insertInto('template_overrides')
            .values({ realm_id: realmId, name, part, source })
            .onConflict((oc) => oc.columns(['realm_id', 'name', 'part']).doUpdateSet({ source, updated_at: new Date() }))
            .execute();
        }
      }
    });
  }

  async overriddenParts(realmId: string): Promise<Map<string, TemplatePartName[]>> {
    const rows = await this.db.selectFrom('template_overrides').select(['name', 'part']).where('realm_id', '=', realmId).execute();
    const parts = new Map<string, TemplatePartName[]>();
    for (const row of rows) parts.set(row.name, [...(parts.get(row.name) ?? []), row.part]);
    return parts;
  }

  /** One message of a company as a document shows it; undefined when it is not this company's. */
  documentOf(realmId: string, messageId: string): Promise<OutboxDocumentRow | undefined> {
    return this.db
      .selectFrom('messages')
      .select(['id', 'realm_id', 'customer_id', 'kind', 'to_address', 'invoice_ids', 'listed_invoice_ids', 'key', 'status'])
      .where('realm_id', '=', realmId)
      .where('id', '=', messageId)
      .executeTakeFirst();
  }

  /** Notes the first time a letter was printed or downloaded; later prints keep that time. */
  async markPrinted(realmId: string, messageId: string, at: Date): Promise<void> {
    await this.db.updateTable('messages').set({ printed_at: at }).where('realm_id', '=', realmId).where('id', '=', messageId).where('printed_at', 'is', null).execute();
  }

  /** One page of a company's outbox, newest send first, optionally of one status only; totals in cents. */
  async outboxPage(realmId: string, page: { status?: MessageStatus; limit: number; offset: number }): Promise<OutboxListRow[]> {
    let query = this.db
      .selectFrom('messages as m')
      .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'm.realm_id').onRef('c.id', '=', 'm.customer_id'))
      .where('m.realm_id', '=', realmId);
    if (page.status) query = query.where('m.status', '=', page.status);
    const rows = await query
      .select(['m.id', 'm.kind', 'm.to_address', 'm.total', 'm.status', 'm.status_reason', 'm.send_at', 'm.sent_at', 'm.printed_at', 'm.invoice_ids', 'm.subject', 'c.display_name'])
      .orderBy('m.send_at', 'desc')
      .orderBy('m.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return rows.map((row) => ({ ...row, total: toCents(row.total) }));
  }

  /** How many messages of a company stand in each status (statuses with none are absent). */
  statusCounts(realmId: string): Promise<Array<{ status: MessageStatus; n: string }>> {
    return this.db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('realm_id', '=', realmId).groupBy('status').execute();
  }

  /** The messages that went (or may have gone) out to a customer, in the order they were due. */
  sentToCustomer(realmId: string, customerId: string): Promise<SentMessageRow[]> {
    return this.db
      .selectFrom('messages')
      .select(['id', 'kind', 'to_address', 'subject', 'sent_at', 'send_at', 'status', 'printed_at'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .where('status', 'in', ['sent', 'uncertain'])
      .orderBy('send_at')
      .execute();
  }
}
