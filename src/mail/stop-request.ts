/**
 * Whether a customer's reply asks us to stop contacting it, read conservatively: only when the
 * reply's first meaningful words (its own text, before any quoted message, after a greeting or
 * a "please") are a plain request to stop: "stop", "unsubscribe", "do not contact me", "remove
 * me", and their close variants. "Stop by on Monday" or "I will stop the cheque" are not.
 * A subject that is only such a request counts too (a mail program's "unsubscribe" mail).
 */

/** Words that may come before the request without changing it. */
const LEADING = /^(?:(?:hi|hello|hey|dear \w+|good (?:morning|afternoon|evening)|please|pls|plz|kindly|and|now|just|ok|okay|sir|madam|team|all|there)\b[\s,!.:;-]*)+/;

const REQUESTS: RegExp[] = [
  // "stop" alone, or stop + a way of contacting.
  /^stop(?:$|[\s!.]+(?:it|now|this|all|please)?[\s!.]*$)/,
  /^stop (?:contacting|emailing|e-mailing|mailing|messaging|writing to|calling|texting|sending (?:me|us|emails|e-mails|messages|letters|mail|reminders))\b/,
  /^unsubscribe(?:$|\s+(?:me|us|this|please|now)\b|[\s!.]+$)/,
  /^(?:do not|don't|dont|never) (?:contact|email|e-mail|write to|call|message) (?:me|us)\b/,
  /^remove (?:me|us|my (?:email|e-mail|address)|this (?:email|e-mail|address))(?:$|[\s!.]+$|\s+(?:from|off)\b)/,
  /^take (?:me|us) off\b/,
];

/** The reply's own first lines: no quoted text, no "On … wrote:", no signature, lower case, plain spaces. */
function ownText(text: string): string {
  const lines: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('>')) break;
    if (/^(?:on .{0,200}wrote:|-{2,}\s*(?:original message)?\s*-*|-- ?|from: .*|sent from my .*)$/i.test(line)) break;
    lines.push(line);
    if (lines.join(' ').length > 300) break;
  }
  return normalised(lines.join(' '));
}

function normalised(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\p{L}\p{N}' !.,:;-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function isRequest(words: string): boolean {
  // The first sentence after any greeting: "Hello, remove me. Thanks, Dana" is "remove me".
  const first = words.replace(LEADING, '').replace(/^[\s,!.:;-]+/, '').split(/[.!?;]/)[0]!.trim();
  return REQUESTS.some((pattern) => pattern.test(first));
}

export function asksToStop(mail: { subject?: string | null; text?: string | null }): boolean {
  const body = ownText(mail.text ?? '');
  if (body && isRequest(body)) return true;
  const subject = normalised((mail.subject ?? '').replace(/^(?:\s*(?:re|aw|sv|fwd?)\s*:\s*)+/i, ''));
  return /^(?:stop|unsubscribe|remove me)[\s!.]*$/.test(subject);
}
