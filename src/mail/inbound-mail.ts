import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

/**
 * A message that came in, read once: who sent it, to which addresses, what it answers, and what
 * it is. A delivery status notification (RFC 3464: multipart/report; report-type=delivery-status)
 * is a bounce, with the recipients that failed; a message an automat sent (RFC 3834
 * Auto-Submitted other than "no", or the common X-Autoreply / X-Autorespond / Precedence:
 * auto_reply, bulk, junk) is an automatic reply; anything else is a person's reply. Everything in
 * it is the sender's text: kept as text, cut to size, never trusted as markup.
 */

export type InboundNature = 'reply' | 'auto_reply' | 'bounce';

export interface FailedRecipient {
  address: string;
  status: string;
}

export interface InboundMail {
  nature: InboundNature;
  from: string;
  /** Every recipient address the message names (To, Cc, Delivered-To, X-Original-To), lower case. */
  recipients: string[];
  subject: string;
  /** The message's text, cut to BODY_MAX_CHARS; for a bounce, the human part of the report. */
  text: string;
  messageId: string | null;
  /** Message-IDs it answers: In-Reply-To, References, and a bounce's returned headers. */
  answers: string[];
  /** A bounce's permanently failed recipients (Action: failed). */
  failed: FailedRecipient[];
}

export const BODY_MAX_CHARS = 10_000;
export const SUBJECT_MAX_CHARS = 300;

const MESSAGE_ID = /<[^<>\s]{1,250}>/g;

function addressesOf(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  return objects.flatMap((o) => o.value.flatMap((a) => [a.address, ...(a.group ?? []).map((g) => g.address)])).filter((a): a is string => Boolean(a)).map((a) => a.toLowerCase());
}

/** A header's text as it was sent (every occurrence, unfolded), whatever mailparser makes of it. */
function headerText(parsed: ParsedMail, name: string): string {
  return parsed.headerLines
    .filter((h) => h.key === name)
    .map((h) => h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim())
    .join(' ');
}

/** RFC 3834 and what common autoresponders send instead. */
export function isAutomatic(headers: (name: string) => string): boolean {
  const auto = headers('auto-submitted').trim().toLowerCase();
  if (auto && !auto.startsWith('no')) return true;
  if (headers('x-autoreply') || headers('x-autorespond')) return true;
  return /^(auto_reply|auto-reply|bulk|junk)$/i.test(headers('precedence').trim());
}

/** The parts of a multipart body, split on its boundary (no nesting needed for a report's own parts). */
function partsOf(raw: string, boundary: string): Array<{ headers: string; body: string }> {
  const marker = `--${boundary}`;
  const sections = raw.split(marker).slice(1);
  return sections
    .filter((s) => !s.startsWith('--'))
    .map((section) => {
      const text = section.replace(/^\r?\n/, '');
      const split = /\r?\n\r?\n/.exec(text);
      return split ? { headers: text.slice(0, split.index), body: text.slice(split.index + split[0].length) } : { headers: text, body: '' };
    });
}

/** The recipients a delivery-status part reports as failed (RFC 3464 §2.3: one block per recipient). */
export function failedRecipients(status: string): FailedRecipient[] {
  const blocks = status.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ').split(/\n\s*\n/);
  const failed: FailedRecipient[] = [];
  for (const block of blocks.slice(1)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(block)?.[1]?.trim() ?? '';
    if (field('Action').toLowerCase() !== 'failed') continue;
    const recipient = (field('Final-Recipient') || field('Original-Recipient')).replace(/^rfc822\s*;\s*/i, '').replace(/^<|>$/g, '').trim().toLowerCase();
    if (/^[^\s@<>]+@[^\s@<>]+$/.test(recipient)) failed.push({ address: recipient, status: field('Status').slice(0, 20) });
  }
  return failed;
}

function cut(text: string, max: number): string {
  // Control characters other than line breaks and tabs carry nothing a person wrote.
  const clean = [...text.slice(0, max + 1)].filter((ch) => ch === '\n' || ch === '\r' || ch === '\t' || (ch >= ' ' && ch !== '\u007f')).join('');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export async function readInboundMail(raw: Buffer): Promise<InboundMail> {
  const parsed = await simpleParser(raw, { skipHtmlToText: false, skipImageLinks: true, maxHtmlLengthToParse: 1_000_000 });
  const headers = (name: string) => headerText(parsed, name);
  const recipients = [...new Set([...addressesOf(parsed.to), ...addressesOf(parsed.cc), ...['delivered-to', 'x-original-to', 'envelope-to'].flatMap((n) => headers(n).toLowerCase().match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? [])])];
  const answers = [...new Set([...(headers('in-reply-to').match(MESSAGE_ID) ?? []), ...(headers('references').match(MESSAGE_ID) ?? [])])];
  const base = {
    from: addressesOf(parsed.from)[0] ?? '',
    recipients,
    subject: cut(parsed.subject ?? '', SUBJECT_MAX_CHARS),
    messageId: parsed.messageId?.match(MESSAGE_ID)?.[0] ?? null,
  };
  const type = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() === 'multipart/report' && /delivery-status/i.test(type.params?.['report-type'] ?? '') && type.params?.boundary) {
    const parts = partsOf(raw.toString('utf8'), type.params.boundary);
    const status = parts.find((p) => /content-type:\s*message\/(global-)?delivery-status/i.test(p.headers));
    const returned = parts.find((p) => /content-type:\s*(text\/rfc822-headers|message\/(global-)?rfc822)/i.test(p.headers));
    const returnedIds = returned ? (/^message-id:\s*(<[^<>\s]+>)/im.exec(returned.body)?.[1] ?? null) : null;
    const human = parts.find((p) => /content-type:\s*text\/plain/i.test(p.headers))?.body ?? '';
    return { ...base, nature: 'bounce', text: cut(human, BODY_MAX_CHARS), answers: [...new Set([...answers, ...(returnedIds ? [returnedIds] : [])])], failed: status ? failedRecipients(status.body) : [] };
  }
  const text = parsed.text ?? (typeof parsed.html === 'string' ? parsed.html.replace(/<[^>]*>/g, ' ') : '');
  return { ...base, nature: isAutomatic(headers) ? 'auto_reply' : 'reply', text: cut(text, BODY_MAX_CHARS), answers, failed: [] };
}
