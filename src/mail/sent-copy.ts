import { createHash } from 'node:crypto';
import { LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import type { MessageKind } from '../collections/model';
import { letterPdf } from './letter-pdf';
import { templateOf, type MergeData, type PrintedLetter, type Rendered, type TemplateBook, type TemplatePart } from './templates';

/**
 * A message exactly as it went out, made once at send time and stored with it (sent_copies):
 * the email's subject, HTML and plain text, and for a letter the printed page and the PDF to post,
 * with the merge data they were made from. Nothing is rendered again once a message is sent: every
 * later view, print, PDF and the escalation file show this copy.
 *
 * Its SHA-256: each part has the SHA-256 of its bytes (UTF-8 for text), and the copy's `sha256` is
 * the SHA-256 of the manifest listing them, one line each, `<part> <hex digest>\n`, in the order
 * subject, text, html, letterHtml, pdf, then the files it carried as `attachment.1`,
 * `attachment.2`, … in the order they were attached (a part a message does not have is left
 * out, so a copy without attachments has the manifest, and the `sha256`, it always had). Anyone
 * holding the parts can compute it again with `sha256sum`.
 */
export interface SentCopy {
  kind: string;
  subject: string;
  html: string;
  text: string;
  /** Letters only: the printed page (the HTML without the email frame, the text around the table). */
  letter: PrintedLetter | null;
  /** Letters only: the PDF as posted. */
  pdf: Buffer | null;
  /** The files the email carried (the verification letter's invoice PDFs), in order. */
  attachments: SentAttachment[];
  data: MergeData;
  parts: SentCopyParts;
  sha256: string;
  /** The letter's date: the business day it was sent. */
  dated: string;
}

/** A file attached to the email, as the customer got it. */
export interface SentAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** The body parts by name, and `attachment.<n>` (from 1) for each file the email carried. */
export type SentCopyParts = Partial<Record<'subject' | 'text' | 'html' | 'letterHtml' | 'pdf', string>> & { [attachment: `attachment.${number}`]: string };

const PART_ORDER = ['subject', 'text', 'html', 'letterHtml', 'pdf'] as const;

/** The manifest's name of the `position`-th file attached (from 1). */
export const attachmentPart = (position: number) => `attachment.${position}` as const;

export function sha256Hex(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest the copy's SHA-256 is taken over: the body parts in their order, then the attachments in theirs. */
export function manifestOf(parts: Readonly<Record<string, string>>): string {
  const attachments = Object.keys(parts)
    .map((name) => /^attachment\.([1-9]\d*)$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
    .map(attachmentPart);
  return [...PART_ORDER, ...attachments].filter((part) => parts[part]).map((part) => `${part} ${parts[part]}\n`).join('');
}

/** The digests of a copy's parts and of its manifest. */
export function digestOf(copy: Pick<SentCopy, 'subject' | 'html' | 'text' | 'letter' | 'pdf'> & { attachments?: readonly SentAttachment[] }): { parts: SentCopyParts; sha256: string } {
  const parts: SentCopyParts = { subject: sha256Hex(copy.subject), text: sha256Hex(copy.text), html: sha256Hex(copy.html) };
  if (copy.letter) parts.letterHtml = sha256Hex(copy.letter.html);
  if (copy.pdf) parts.pdf = sha256Hex(copy.pdf);
  (copy.attachments ?? []).forEach((attachment, index) => {
    parts[attachmentPart(index + 1)] = sha256Hex(attachment.content);
  });
  return { parts, sha256: sha256Hex(manifestOf(parts)) };
}

/**
 * The copy of a message about to be sent, from the very merge data, overrides, rendering and
 * attachments the email is made of: for a letter, its printed page and PDF are made now too, dated today.
 */
export async function makeSentCopy(templates: Pick<TemplateBook, 'renderLetter'>, kind: string, data: MergeData, overrides: Partial<Record<TemplatePart, string>>, rendered: Rendered, attachments: readonly SentAttachment[] = []): Promise<SentCopy> {
  let letter: PrintedLetter | null = null;
  let pdf: Buffer | null = null;
  if (LETTERS.has(kind)) {
    letter = await templates.renderLetter(templateOf(kind, data), data, overrides);
    pdf = await letterPdf({ kind, title: MESSAGE_NAMES[kind as MessageKind] ?? kind, data, printed: letter });
  }
  const copy = { kind, subject: rendered.subject, html: rendered.html, text: rendered.text, letter, pdf, attachments: [...attachments], data, dated: data.today };
  return { ...copy, ...digestOf(copy) };
}
