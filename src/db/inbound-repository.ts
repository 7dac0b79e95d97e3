import { sql, type Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { recordActivities, type ActivityEntry } from './cadence-recorder';
import { CallTasksRepository } from './call-tasks-repository';
import type { Db } from './database';
import type { InboundKind, InboundMessagesTable } from './schema';

export type InboundRow = Selectable<InboundMessagesTable>;
export type InboundListRow = Pick<InboundRow, 'id' | 'kind' | 'status' | 'from_address' | 'subject' | 'body' | 'bounced_address' | 'received_at' | 'handled_at' | 'handled_by' | 'matched_by'>;

export interface SentMessageRef {
  id: string;
  realm_id: string;
  customer_id: string;
  to_address: string;
  invoice_ids: string[];
}

/** What one inbound message leaves behind, written in one transaction. */
export interface InboundRecord {
  realmId: string | null;
  customerId: string | null;
  inReplyTo: string | null;
  kind: InboundKind;
  matchedBy: 'address' | 'thread' | null;
  status: 'awaiting' | 'recorded';
  from: string;
  subject: string;
  body: string;
  bouncedAddresses: Array<{ address: string; reason: string }>;
  /** A bounce: whether the account gets a task to find a new address (not when it is marked do not contact). */
  findEmailTask?: boolean;
  dedupKey: string;
  via: 'smtp' | 'imap';
  receivedAt: Date;
  today: LocalDate | null;
  activity: Omit<ActivityEntry, 'key'> | null;
  /** Pause the account until a person marks the reply handled. */
  pause: { reason: string } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Mail that came back, and the addresses it showed to be bad. */
export class InboundRepository {
  constructor(private readonly db: Db) {}

  /** Sent messages among these outbox ids (the ones a reply's threading headers name). */
  async sentMessages(ids: readonly string[]): Promise<SentMessageRef[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (!valid.length) return [];
    const rows = await this.db.selectFrom('messages').select(['id', 'realm_id', 'customer_id', 'to_address', 'invoice_ids', 'listed_invoice_ids']).where('id', 'in', valid).where('status', '=', 'sent').execute();
    return rows.map((r) => ({ id: r.id, realm_id: r.realm_id, customer_id: r.customer_id, to_address: r.to_address, invoice_ids: r.listed_invoice_ids ?? r.invoice_ids }));
  }

  /** The account's newest sent message, the one a reply to its address most likely answers. */
  async latestSent(realmId: string, customerId: string): Promise<SentMessageRef | null> {
    const row = await this.db.selectFrom('messages').select(['id', 'realm_id', 'customer_id', 'to_address', 'invoice_ids', 'listed_invoice_ids']).where('realm_id', '=', realmId).where('customer_id', '=', customerId).where('status', '=', 'sent').orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
    return row ? { id: row.id, realm_id: row.realm_id, customer_id: row.customer_id, to_address: row.to_address, invoice_ids: row.listed_invoice_ids ?? row.invoice_ids } : null;
  }

  /** The addresses among `addresses` the account's mail was sent to (a bounce can only speak of those). */
  async addressesSentTo(realmId: string, customerId: string, addresses: readonly string[]): Promise<string[]> {
    if (!addresses.length) return [];
    const rows = await this.db.selectFrom('messages').select(sql<string>`lower(to_address)`.as('address')).distinct().where('realm_id', '=', realmId).where('customer_id', '=', customerId).where('status', 'in', ['sent', 'failed', 'uncertain']).where(sql<string>`lower(to_address)`, 'in', [...addresses]).execute();
    return rows.map((r) => r.address);
  }

  async accountExists(realmId: string, customerId: string): Promise<boolean> {
    const row = await this.db.selectFrom('qbo_customers').select('id').where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
    return Boolean(row);
  }

  /** Records it all once; null when the same message was recorded before (same Message-ID). */
  async record(entry: InboundRecord): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('inbound_messages')
        .values({
          realm_id: entry.realmId,
          customer_id: entry.customerId,
          in_reply_to: entry.inReplyTo,
          kind: entry.kind,
          matched_by: entry.matchedBy,
          status: entry.status,
          from_address: entry.from,
          subject: entry.subject,
          body: entry.body,
          bounced_address: entry.bouncedAddresses.map((b) => b.address).join(', ') || null,
          dedup_key: entry.dedupKey,
          received_via: entry.via,
          received_at: entry.receivedAt,
        })
        .onConflict((oc) => oc.column('dedup_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted || !entry.realmId || !entry.customerId || !entry.today) return inserted?.id ?? null;
      const { realmId, customerId, today } = entry;
      const activities: ActivityEntry[] = [];
      if (entry.activity) activities.push({ ...entry.activity, key: `inbound:${inserted.id}` });
      if (entry.pause) {
        const pause = await trx.insertInto('pauses').values({ realm_id: realmId, customer_id: customerId, until: null, reason: entry.pause.reason }).returning('id').executeTakeFirstOrThrow();
        await trx.updateTable('inbound_messages').set({ pause_id: pause.id }).where('id', '=', inserted.id).execute();
        activities.push({ customerId, invoiceIds: [], kind: 'paused', summary: `automatic collection paused until further notice: ${entry.pause.reason}`, details: { pauseId: pause.id, until: null }, key: `pause:${pause.id}` });
      }
      for (const bad of entry.bouncedAddresses) {
        await trx.insertInto('bad_addresses').values({ realm_id: realmId, address: bad.address, customer_id: customerId, reason: bad.reason, inbound_id: inserted.id, created_at: entry.receivedAt }).onConflict((oc) => oc.columns(['realm_id', 'address']).doNothing()).execute();
        // Mail already queued to it is not sent: the send path fails it and asks for an address.
        if (entry.findEmailTask !== false) await new CallTasksRepository(trx).wantReason(realmId, { customerId, reason: 'find_email', level: 0, scheduledFor: today, createdOn: today, key: `task:${customerId}:find-email:bounced:${bad.address}:${today}` });
      }
      await recordActivities(trx, realmId, today, activities);
      return inserted.id;
    });
  }

  /**
   * A person marks a reply handled: its pause ends (the account's automatic collection resumes)
   * and the timeline says who. False when it is not this account's, or not awaiting.
   */
  async markHandled(realmId: string, customerId: string, inboundId: string, by: string, at: Date, today: LocalDate): Promise<boolean> {
    if (!UUID.test(inboundId)) return false;
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('inbound_messages')
        .set({ status: 'handled', handled_at: at, handled_by: by })
        .where('id', '=', inboundId)
        .where('realm_id', '=', realmId)
        .where('customer_id', '=', customerId)
        .where('status', '=', 'awaiting')
        .returning(['pause_id', 'from_address'])
        .executeTakeFirst();
      if (!row) return false;
      const activities: ActivityEntry[] = [{ customerId, invoiceIds: [], kind: 'reply_handled', summary: `reply from ${row.from_address} marked handled by ${by}`, details: { inboundId }, key: `inbound-handled:${inboundId}` }];
      if (row.pause_id) {
        const ended = await trx.deleteFrom('pauses').where('realm_id', '=', realmId).where('id', '=', row.pause_id).returning('id').executeTakeFirst();
        if (ended) activities.push({ customerId, invoiceIds: [], kind: 'pause_ended', summary: 'automatic collection resumed', details: { pauseId: row.pause_id }, key: `pause-ended:${row.pause_id}` });
      }
      await recordActivities(trx, realmId, today, activities);
      return true;
    });
  }

  /** The account's mail that came back, newest first. */
  forAccount(realmId: string, customerId: string, limit = 20): Promise<InboundListRow[]> {
    return this.db
      .selectFrom('inbound_messages')
      .select(['id', 'kind', 'status', 'from_address', 'subject', 'body', 'bounced_address', 'received_at', 'handled_at', 'handled_by', 'matched_by'])
      .where('realm_id', '=', realmId)
      .where('customer_id', '=', customerId)
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** What matched no account: the operator's to look at. */
  unmatched(limit = 50): Promise<InboundListRow[]> {
    return this.db
      .selectFrom('inbound_messages')
      .select(['id', 'kind', 'status', 'from_address', 'subject', 'body', 'bounced_address', 'received_at', 'handled_at', 'handled_by', 'matched_by'])
      .where('kind', '=', 'unmatched')
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Whether a bounce showed this address to be bad for the company. */
  async isBad(realmId: string, address: string): Promise<boolean> {
    const row = await this.db.selectFrom('bad_addresses').select('address').where('realm_id', '=', realmId).where('address', '=', address.trim().toLowerCase()).executeTakeFirst();
    return Boolean(row);
  }

  /** Every bad address of a company (the playbook's input leaves them out). */
  async badAddresses(realmId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('bad_addresses').select('address').where('realm_id', '=', realmId).execute();
    return new Set(rows.map((r) => r.address));
  }
}
