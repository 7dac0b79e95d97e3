import { LETTERS, MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import { localMoment } from '../../collections/calendar';
import type { EscalationRecords } from '../../services/escalation-file';

/** How each activity reached (or concerned) the customer. */
const CHANNELS: Record<string, string> = {
  call: 'Phone',
  email_sent: 'Email',
  letter_sent: 'Letter (emailed; printable for post)',
  promise_kept: 'Promise',
  promise_broken: 'Promise',
  promise_partly_kept: 'Promise',
  paused: 'Note',
  pause_ended: 'Note',
  level_change: 'Collection level',
  escalation_candidate: 'Collection level',
  invoice_paid: 'Payment',
  customer: 'Customer page',
};

/** Steps of a send that the send itself records again: not contacts, so not in the file. */
const NOT_CONTACTS = new Set(['message_queued']);

export interface EscalationEvent {
  on: string;
  channel: string;
  what: string;
  outcome: string | null;
  notes: string | null;
}

/**
 * The small-claims file of an escalation candidate laid out: what is owed, the verification letter
 * that confirmed the goods or services were right (and any reply, recorded as a dispute), and
 * every contact, promise, dispute and letter in date order, ready to print or hand to an agency.
 * Amounts in cents. Pure: the records come from EscalationFileService.
 */
export function escalationFile({ file, sent, verifications: verificationLetters, copies, answers = [] }: EscalationRecords) {
  const { company } = file;
  // As sent: the kept copy's subject and text (a letter sent before copies were kept says it was rendered again).
  const verifications = verificationLetters.map(({ message: m, rendered, sha256, reRendered }) => ({ sentOn: dayOf(m.sent_at ?? m.send_at, company.timezone), to: m.to_address, subject: sha256 ? rendered.subject : (m.subject ?? rendered.subject), text: rendered.text, sha256, reRendered }));

  // The customer's own answer on its page, with the moment it was given: evidence the goods or services were right.
  const numbers = new Map(file.openInvoices.map((i) => [i.id, i.number]));
  const confirmations = answers
    .filter((a) => a.answer === 'in_order')
    .map((a) => ({ on: a.answeredOn, at: a.answeredAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), invoices: a.invoiceIds.map((id) => `#${numbers.get(id) ?? id}`).join(', ') }));

  const events: EscalationEvent[] = [...file.timeline]
    .filter((a) => !NOT_CONTACTS.has(a.kind))
    .reverse()
    .map((a) => ({ on: a.occurredOn, channel: CHANNELS[a.kind] ?? a.kind.replace(/_/g, ' '), what: a.summary, outcome: null, notes: a.notes }));
  for (const dispute of file.disputes) {
    events.push({ on: dispute.openedOn, channel: 'Dispute', what: `${dispute.category.replace(/_/g, ' ')}: ${dispute.text}${dispute.invoices ? ` (invoices ${dispute.invoices})` : ''}`, outcome: dispute.status === 'resolved' ? `resolved ${dispute.resolvedOn ?? ''}: ${dispute.resolution ?? ''}`.trim() : 'open', notes: null });
  }
  events.sort((a, b) => a.on.localeCompare(b.on));

  return {
    company,
    generatedOn: file.today,
    currency: file.currency,
    customer: file.customer,
    openInvoices: file.openInvoices,
    openBalance: file.openBalance,
    overdueBalance: file.overdueBalance,
    verifications,
    confirmations,
    promises: [...file.promises].reverse(),
    brokenPromises: file.promises.filter((p) => p.status === 'broken' || p.status === 'partly_kept').length,
    disputes: file.disputes,
    letters: sent.filter((m) => LETTERS.has(m.kind)).map((m) => ({ on: dayOf(m.sent_at ?? m.send_at, company.timezone), title: MESSAGE_NAMES[m.kind as MessageKind] ?? m.kind, to: m.to_address, status: m.status, printed: m.printed_at ? dayOf(m.printed_at, company.timezone) : null, sha256: copies.get(m.id)?.sha256 ?? null })),
    contacts: file.contacts,
    events,
  };
}

export type EscalationFile = ReturnType<typeof escalationFile>;

function dayOf(instant: Date | string, timezone: string): string {
  return localMoment(new Date(instant), timezone).date;
}
