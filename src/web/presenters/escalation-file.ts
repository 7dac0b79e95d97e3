import { LETTERS, MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import { localMoment } from '../../collections/calendar';
import { formatMoney } from '../../mail/templates';
import type { SentMessageRow } from '../../db/outbox-repository';
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

/** "1 broken promise", "2 disputes", "no broken promises". */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return count === 0 ? `no ${plural}` : `${count} ${count === 1 ? noun : plural}`;
}

/** What became of a promise, in words: kept, broken, partly kept (how much came), or still open. */
function fateOf(promise: { status: string; dueOn: string; paid: number | null }, money: (cents: number) => string): string {
  if (promise.status === 'open') return `open: due ${promise.dueOn}`;
  if (promise.status === 'partly_kept') return `partly kept${promise.paid ? `: ${money(promise.paid)} paid` : ''}`;
  if (promise.status === 'broken') return `broken: nothing paid by ${promise.dueOn}`;
  return 'kept';
}

export interface EscalationEvent {
  on: string;
  channel: string;
  what: string;
  outcome: string | null;
  notes: string | null;
  /** A message sent to the customer: what its kept copy says it was. */
  message?: SentInFile;
}

/** A message in the chronology, from its kept copy (never rendered again). */
export interface SentInFile {
  id: string;
  /** The kind's name: "Friendly reminder", "Demand letter". */
  title: string;
  to: string;
  subject: string | null;
  /** The kept copy's SHA-256, as `GET /api/realms/:realmId/messages/:id` gives it; null: sent before copies were kept. */
  sha256: string | null;
  /** The files it carried, by name. */
  attachments: string[];
  /** A letter's first print (for post), on the company's day. */
  printed: string | null;
  /** `uncertain`: the mail server stopped answering mid-send; it may have gone out. */
  status: string;
}

/**
 * The small-claims file of an escalation candidate laid out: what is owed, the verification letter
 * that confirmed the goods or services were right (and any reply, recorded as a dispute), and
 * one chronology of every contact: each call with its notes, each promise with its fate, each
 * dispute, and each message sent to the customer (emails and letters) with its kind, recipient,
 * subject, the SHA-256 of its kept copy and the files it carried, in date order, ready to print or
 * hand to an agency.
 * Amounts in cents. Pure: the records come from EscalationFileService.
 */
export function escalationFile({ file, sent, verifications: verificationLetters, copies, answers = [] }: EscalationRecords) {
  const { company } = file;
  // As sent: the kept copy's subject and text (a letter sent before copies were kept says it was rendered again).
  const verifications = verificationLetters.map(({ message: m, rendered, sha256, reRendered }) => ({ sentOn: dayOf(m.sent_at ?? m.send_at, company.timezone), to: m.to_address, subject: sha256 ? rendered.subject : (m.subject ?? rendered.subject), text: rendered.text, sha256, reRendered }));

  const numbers = new Map(file.invoices.map((i) => [i.id, i.number]));
  const invoicesIn = (ids: readonly string[] = []) => [...new Set(ids.map((id) => numbers.get(id) ?? id))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => `#${n}`).join(', ');
  // The customer's own answer on its page, with the moment it was given: evidence the goods or services were right.
  const confirmations = answers
    .filter((a) => a.answer === 'in_order')
    .map((a) => ({ on: a.answeredOn, at: a.answeredAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), invoices: a.invoiceIds.map((id) => `#${numbers.get(id) ?? id}`).join(', ') }));

  // Every message sent to the customer, from its kept copy: where its send was recorded in the
  // timeline (so a day's contacts keep their order), or on the day it went out.
  const sentEvent = (m: SentMessageRow): EscalationEvent => {
    const copy = copies.get(m.id);
    const title = MESSAGE_NAMES[m.kind as MessageKind] ?? m.kind.replace(/_/g, ' ');
    const message: SentInFile = { id: m.id, title, to: m.to_address, subject: copy?.subject ?? m.subject, sha256: copy?.sha256 ?? null, attachments: (copy?.attachments ?? []).map((a) => a.filename), printed: m.printed_at ? dayOf(m.printed_at, company.timezone) : null, status: m.status };
    const channel = LETTERS.has(m.kind) ? CHANNELS.letter_sent! : CHANNELS.email_sent!;
    const what = `${title} to ${m.to_address}${message.subject ? `: "${message.subject}"` : ''}`;
    const outcome = [m.status === 'uncertain' ? 'may have gone out: the mail server stopped answering during the send' : null, message.printed ? `printed ${message.printed}` : null].filter(Boolean).join('; ') || null;
    return { on: dayOf(m.sent_at ?? m.send_at, company.timezone), channel, what, outcome, notes: null, message };
  };
  const sentById = new Map(sent.map((m) => [m.id, m]));
  const placed = new Set<string>();

  const events: EscalationEvent[] = [];
  // Level changes of one day to one level are one event, naming their invoices.
  const levelEvents = new Map<string, { event: EscalationEvent; ids: string[] }>();
  for (const a of [...file.timeline].reverse()) {
    if (NOT_CONTACTS.has(a.kind)) continue;
    const message = a.messageId ? sentById.get(a.messageId) : undefined;
    if (message && !placed.has(message.id)) {
      placed.add(message.id);
      events.push(sentEvent(message));
      continue;
    }
    if (a.kind === 'level_change') {
      const key = `${a.occurredOn}\u0000${a.summary}`;
      const same = levelEvents.get(key);
      if (same) {
        same.ids.push(...(a.invoiceIds ?? []));
        continue;
      }
      const entry = { event: { on: a.occurredOn, channel: CHANNELS[a.kind]!, what: a.summary, outcome: null, notes: a.notes }, ids: [...(a.invoiceIds ?? [])] };
      levelEvents.set(key, entry);
      events.push(entry.event);
      continue;
    }
    events.push({ on: a.occurredOn, channel: CHANNELS[a.kind] ?? a.kind.replace(/_/g, ' '), what: a.summary, outcome: null, notes: a.notes });
  }
  for (const { event, ids } of levelEvents.values()) if (ids.length) event.what = `${event.what}: invoice${ids.length > 1 ? 's' : ''} ${invoicesIn(ids)}`;
  for (const message of sent) if (!placed.has(message.id)) events.push(sentEvent(message));
  for (const dispute of file.disputes) {
    events.push({ on: dispute.openedOn, channel: 'Dispute', what: `${dispute.category.replace(/_/g, ' ')}: ${dispute.text}${dispute.invoices ? ` (invoices ${dispute.invoices})` : ''}`, outcome: dispute.status === 'resolved' ? `resolved ${dispute.resolvedOn ?? ''}: ${dispute.resolution ?? ''}`.trim() : 'open', notes: null });
  }
  const money = (cents: number) => formatMoney(cents, { locale: 'en-US', currency: /^[A-Z]{3}$/.test(file.currency) ? file.currency : 'USD' });
  // Each promise on the day it was made, with its fate (the call that got it comes first that day).
  for (const promise of [...file.promises].reverse()) {
    const invoices = promise.invoices ? ` for ${promise.invoices.split(', ').map((n) => `#${n}`).join(', ')}` : '';
    events.push({ on: promise.madeOn, channel: 'Promise', what: `promised ${money(promise.amount)} by ${promise.dueOn}${invoices}${promise.inPlan ? ' (an installment of a payment plan)' : ''}`, outcome: fateOf(promise, money), notes: null });
  }
  // In date order; a day's events keep the order they happened in (the sort is stable).
  events.sort((a, b) => a.on.localeCompare(b.on));
  const brokenPromises = file.promises.filter((p) => p.status === 'broken' || p.status === 'partly_kept').length;

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
    promises: [...file.promises].reverse().map((p) => ({ ...p, fate: fateOf(p, money) })),
    brokenPromises,
    /** The file's one-line summary: what is owed, the promises broken, the disputes. */
    summary: `Owed: ${money(file.openBalance)} open, ${money(file.overdueBalance)} overdue; ${countOf(brokenPromises, 'broken promise')}; ${countOf(file.disputes.length, 'dispute')}.`,
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
