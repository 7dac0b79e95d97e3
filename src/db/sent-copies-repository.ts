import type { Selectable } from 'kysely';
import type { Db } from './database';
import type { SentCopiesTable } from './schema';

type Row = Selectable<SentCopiesTable>;

/** A stored copy as the repository hands it out; JSON columns as stored. */
export interface SentCopyRow {
  messageId: string;
  realmId: string;
  kind: string;
  subject: string;
  html: string;
  text: string;
  letter: unknown;
  pdf: Buffer | null;
  mergeData: unknown;
  parts: Record<string, string>;
  sha256: string;
  dated: string;
  sentAt: Date;
}

/** A copy to store: a stored one but for the time, which the database writes. */
export type NewSentCopy = Omit<SentCopyRow, 'sentAt'>;

/** The metadata of a stored copy, without its bodies: for lists (the escalation file's letters). */
export type SentCopyDigest = Pick<SentCopyRow, 'messageId' | 'kind' | 'sha256' | 'parts' | 'dated' | 'sentAt'>;

function fromRow(row: Row): SentCopyRow {
  return {
    messageId: row.message_id,
    realmId: row.realm_id,
    kind: row.kind,
    subject: row.subject,
    html: row.html,
    text: row.text,
    letter: row.letter,
    pdf: row.pdf ? Buffer.from(row.pdf) : null,
    mergeData: row.merge_data,
    parts: row.parts_sha256 as Record<string, string>,
    sha256: row.sha256,
    dated: row.dated,
    sentAt: row.sent_at,
  };
}

/**
 * Messages as they went out (sent_copies): written once, in the transaction that marks the
 * message sent, and never changed (a second write for the same message is ignored).
 */
export class SentCopiesRepository {
  constructor(private readonly db: Db) {}

  /** Keeps a copy; `executor` is the transaction that marks the message sent. */
  async store(copy: NewSentCopy, executor: Db = this.db): Promise<void> {
    await executor
      .insertInto('sent_copies')
      .values({
        message_id: copy.messageId,
        realm_id: copy.realmId,
        kind: copy.kind,
        subject: copy.subject,
        html: copy.html,
        text: copy.text,
        letter: copy.letter === null || copy.letter === undefined ? null : JSON.stringify(copy.letter),
        pdf: copy.pdf,
        merge_data: JSON.stringify(copy.mergeData),
        parts_sha256: JSON.stringify(copy.parts),
        sha256: copy.sha256,
        dated: copy.dated,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  }

  /** One message's copy, when it is this company's and was kept. */
  async find(realmId: string, messageId: string): Promise<SentCopyRow | undefined> {
    const row = await this.db.selectFrom('sent_copies').selectAll().where('realm_id', '=', realmId).where('message_id', '=', messageId).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The digests of several messages' copies, by message id (messages without a copy are absent). */
  async digestsOf(realmId: string, messageIds: readonly string[]): Promise<Map<string, SentCopyDigest>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('sent_copies').select(['message_id', 'kind', 'sha256', 'parts_sha256', 'dated', 'sent_at']).where('realm_id', '=', realmId).where('message_id', 'in', messageIds).execute();
    return new Map(rows.map((row) => [row.message_id, { messageId: row.message_id, kind: row.kind, sha256: row.sha256, parts: row.parts_sha256 as Record<string, string>, dated: row.dated, sentAt: row.sent_at }]));
  }
}
