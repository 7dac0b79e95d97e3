import { LETTERS, MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import { localMoment } from '../../collections/calendar';
import { formatMoney } from '../../mail/templates';
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

  const numbers = new Map(file.invoices.map((i) => [i.id, i.number]));
  const invoicesIn = (ids: readonly string[] = []) => [...new Set(ids.map((id) => numbers.get(id) ?? id))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => `#${n}`).join(', ');
  // The customer's own answer on its page, with the moment it was given: evidence the goods or services were right.
  const confirmations = answers
    .filter((a) => a.answer === 'in_order')
    .map((a) => ({ on: a.answeredOn, at: a.answeredAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), invoices: a.invoiceIds.map((id) => `#${numbers.get(id) ?? id}`).join(', ') }));

  const events: EscalationEvent[] = [];
  // Level changes of one day to one level are one event, naming their invoices.
  const levelEvents = new Map<string, { event: EscalationEvent; ids: string[] }>();
  for (const a of [...file.timeline].reverse()) {
    if (NOT_CONTACTS.has(a.kind)) continue;
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
  for (const dispute of file.disputes) {
    events.push({ on: dispute.openedOn, channel: 'Dispute', what: `${dispute.category.replace(/_/g, ' ')}: ${dispute.text}${dispute.invoices ? ` (invoices ${dispute.invoices})` : ''}`, outcome: dispute.status === 'resolved' ? `resolved ${dispute.resolvedOn ?? ''}: ${dispute.resolution ?? ''}`.trim() : 'open', notes: null });
  }
  events.sort((a, b) => a.on.localeCompare(b.on));
  const money = (cents: number) => formatMoney(cents, { locale: 'en-US', currency: /^[A-Z]{3}$/.test(file.currency) ? file.currency : 'USD' });
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
