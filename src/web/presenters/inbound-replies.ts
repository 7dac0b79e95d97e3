import type { InboundListRow } from '../../db/inbound-repository';

const LABELS: Record<InboundListRow['kind'], string> = { reply: 'reply', auto_reply: 'automatic reply', bounce: 'bounce', unmatched: 'unmatched' };

/** Mail that came back, as a page lists it: the customer's text cut short (the template escapes it). */
export function inboundReplies(rows: InboundListRow[], excerptChars = 1500) {
  return rows.map((row) => ({
    id: row.id,
    receivedOn: row.received_at.toISOString().slice(0, 16).replace('T', ' '),
    label: LABELS[row.kind],
    from_address: row.from_address,
    subject: row.subject || '(no subject)',
    bounced_address: row.bounced_address,
    excerpt: row.body.length > excerptChars ? `${row.body.slice(0, excerptChars)}…` : row.body.trim(),
    awaiting: row.status === 'awaiting',
    handled_by: row.handled_by,
  }));
}
