import type { Db } from '../db/database';
import type { SentCopiesRepository } from '../db/sent-copies-repository';
import { attachmentPart, makeSentCopy, type SentAttachment, type SentCopy } from '../mail/sent-copy';
import type { MergeData, Rendered, TemplateBook, TemplatePart } from '../mail/templates';

export interface SentCopiesDeps {
  sentCopies: Pick<SentCopiesRepository, 'store'>;
  templates: Pick<TemplateBook, 'renderLetter'>;
}

/**
 * The send path's one step for keeping what went out: the copy is made from the rendering and
 * the attachments the email is sent with (and, for a letter, its printed page and PDF, made
 * now), before the mail server is handed anything, and stored, attachments and all, in the
 * transaction that marks the message sent.
 */
export class SentCopiesService {
  constructor(private readonly deps: SentCopiesDeps) {}

  prepare(message: { id: string; realm_id: string; kind: string }, data: MergeData, overrides: Partial<Record<TemplatePart, string>>, rendered: Rendered, attachments: readonly SentAttachment[] = []): Promise<PreparedCopy> {
    return makeSentCopy(this.deps.templates, message.kind, data, overrides, rendered, attachments).then((copy) => ({ messageId: message.id, realmId: message.realm_id, copy }));
  }

  async store(prepared: PreparedCopy, trx: Db): Promise<void> {
    const { copy } = prepared;
    await this.deps.sentCopies.store({ messageId: prepared.messageId, realmId: prepared.realmId, kind: copy.kind, subject: copy.subject, html: copy.html, text: copy.text, letter: copy.letter, pdf: copy.pdf, attachments: copy.attachments.map((a, index) => ({ ...a, sha256: copy.parts[attachmentPart(index + 1)]! })), mergeData: copy.data, parts: copy.parts, sha256: copy.sha256, dated: copy.dated }, trx);
  }
}

export interface PreparedCopy {
  messageId: string;
  realmId: string;
  copy: SentCopy;
}
