import type { Selectable } from 'kysely';
import type { Db } from './database';
import type { SentCopiesTable, SentCopyAttachmentsTable } from './schema';

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
  /** The files the email carried, without their bytes (`attachment` serves one). */
  attachments: KeptAttachmentInfo[];
}

/** A kept attachment's facts: its place in the message (from 1; `attachment.<position>` in the manifest), name, type, size and SHA-256. */
export interface KeptAttachmentInfo {
  position: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** A kept attachment with its bytes, as the customer got it. */
export interface KeptAttachment extends KeptAttachmentInfo {
  content: Buffer;
}

/** A copy to store: a stored one but for the time, which the database writes, with its attachments' bytes. */
export type NewSentCopy = Omit<SentCopyRow, 'sentAt' | 'attachments'> & { attachments: Array<{ filename: string; contentType: string; content: Buffer; sha256: string }> };

/** The metadata of a stored copy, without its bodies: for lists (the escalation file's messages). */
export type SentCopyDigest = Pick<SentCopyRow, 'messageId' | 'kind' | 'subject' | 'sha256' | 'parts' | 'dated' | 'sentAt' | 'attachments'>;

const INFO = ['message_id', 'position', 'filename', 'content_type', 'size', 'sha256'] as const;

function infoOf(row: Pick<Selectable<SentCopyAttachmentsTable>, (typeof INFO)[number]>): KeptAttachmentInfo {
  return { position: row.position, filename: row.filename, contentType: row.content_type, size: row.size, sha256: row.sha256 };
}

function fromRow(row: Row, attachments: KeptAttachmentInfo[]): SentCopyRow {
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
    attachments,
  };
}

/**
 * Messages as they went out (sent_copies, and the files they carried in sent_copy_attachments):
 * written once, in the transaction that marks the message sent, and never changed (a second
 * write for the same message is ignored).
 */
export class SentCopiesRepository {
  constructor(private readonly db: Db) {}

  /** Keeps a copy; `executor` is the transaction that marks the message sent. */
  async store(copy: NewSentCopy, executor: Db = this.db): Promise<void> {
    const stored = await executor
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
      .returning('message_id')
      .executeTakeFirst();
    // Kept already (a second write): its attachments were kept with it.
    if (!stored || copy.attachments.length === 0) return;
    await executor
      .insertInto('sent_copy_attachments')
      .values(copy.attachments.map((a, index) => ({ message_id: copy.messageId, position: index + 1, filename: a.filename, content_type: a.contentType, size: a.content.length, sha256: a.sha256, content: a.content })))
      .execute();
  }

  /** One message's copy, when it is this company's and was kept. */
  async find(realmId: string, messageId: string): Promise<SentCopyRow | undefined> {
    const row = await this.db.selectFrom('sent_copies').selectAll().where('realm_id', '=', realmId).where('message_id', '=', messageId).executeTakeFirst();
    return row ? fromRow(row, (await this.attachmentsOf([messageId])).get(messageId) ?? []) : undefined;
  }

  /** One file a kept message carried, with its bytes, when the message is this company's. */
  async attachment(realmId: string, messageId: string, position: number): Promise<KeptAttachment | undefined> {
    const row = await this.db
      .selectFrom('sent_copy_attachments as a')
      .innerJoin('sent_copies as c', 'c.message_id', 'a.message_id')
      .select(['a.message_id', 'a.position', 'a.filename', 'a.content_type', 'a.size', 'a.sha256', 'a.content'])
      .where('c.realm_id', '=', realmId)
      .where('a.message_id', '=', messageId)
      .where('a.position', '=', position)
      .executeTakeFirst();
    return row ? { ...infoOf(row), content: Buffer.from(row.content) } : undefined;
  }

  /** The digests of several messages' copies, by message id (messages without a copy are absent). */
  async digestsOf(realmId: string, messageIds: readonly string[]): Promise<Map<string, SentCopyDigest>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('sent_copies').select(['message_id', 'kind', 'subject', 'sha256', 'parts_sha256', 'dated', 'sent_at']).where('realm_id', '=', realmId).where('message_id', 'in', messageIds).execute();
    const attachments = await this.attachmentsOf(rows.map((row) => row.message_id));
    return new Map(rows.map((row) => [row.message_id, { messageId: row.message_id, kind: row.kind, subject: row.subject, sha256: row.sha256, parts: row.parts_sha256 as Record<string, string>, dated: row.dated, sentAt: row.sent_at, attachments: attachments.get(row.message_id) ?? [] }]));
  }

  /** The facts of the files kept messages carried (not their bytes), in order, by message id. */
  private async attachmentsOf(messageIds: readonly string[]): Promise<Map<string, KeptAttachmentInfo[]>> {
    const byMessage = new Map<string, KeptAttachmentInfo[]>();
    if (messageIds.length === 0) return byMessage;
    const rows = await this.db.selectFrom('sent_copy_attachments').select([...INFO]).where('message_id', 'in', messageIds).orderBy('message_id').orderBy('position').execute();
    for (const row of rows) {
      const list = byMessage.get(row.message_id);
      if (list) list.push(infoOf(row));
      else byMessage.set(row.message_id, [infoOf(row)]);
    }
    return byMessage;
  }
}
