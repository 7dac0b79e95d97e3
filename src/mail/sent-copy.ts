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
 * subject, text, html, letterHtml, pdf (a part a message does not have is left out). Anyone
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
  data: MergeData;
  parts: SentCopyParts;
  sha256: string;
  /** The letter's date: the business day it was sent. */
  dated: string;
}

export type SentCopyParts = Partial<Record<'subject' | 'text' | 'html' | 'letterHtml' | 'pdf', string>>;

const PART_ORDER = ['subject', 'text', 'html', 'letterHtml', 'pdf'] as const;

export function sha256Hex(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest the copy's SHA-256 is taken over. */
export function manifestOf(parts: SentCopyParts): string {
  return PART_ORDER.filter((part) => parts[part]).map((part) => `${part} ${parts[part]}\n`).join('');
}

/** The digests of a copy's parts and of its manifest. */
export function digestOf(copy: Pick<SentCopy, 'subject' | 'html' | 'text' | 'letter' | 'pdf'>): { parts: SentCopyParts; sha256: string } {
  const parts: SentCopyParts = { subject: sha256Hex(copy.subject), text: sha256Hex(copy.text), html: sha256Hex(copy.html) };
  if (copy.letter) parts.letterHtml = sha256Hex(copy.letter.html);
  if (copy.pdf) parts.pdf = sha256Hex(copy.pdf);
  return { parts, sha256: sha256Hex(manifestOf(parts)) };
}

/**
 * The copy of a message about to be sent, from the very merge data, overrides and rendering the
 * email is made of: for a letter, its printed page and PDF are made now too, dated today.
 */
export async function makeSentCopy(templates: Pick<TemplateBook, 'renderLetter'>, kind: string, data: MergeData, overrides: Partial<Record<TemplatePart, string>>, rendered: Rendered): Promise<SentCopy> {
  let letter: PrintedLetter | null = null;
  let pdf: Buffer | null = null;
  if (LETTERS.has(kind)) {
    letter = await templates.renderLetter(templateOf(kind, data), data, overrides);
    pdf = await letterPdf({ kind, title: MESSAGE_NAMES[kind as MessageKind] ?? kind, data, printed: letter });
  }
  const copy = { kind, subject: rendered.subject, html: rendered.html, text: rendered.text, letter, pdf, data, dated: data.today };
  return { ...copy, ...digestOf(copy) };
}
