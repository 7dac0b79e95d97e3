import { centsOrNothing, groupedDecimal, sumCents, type Cents } from './money';

/**
 * The text of the note each activity leaves in QuickBooks: one line a bookkeeper reads at a
 * glance (who, what happened, which invoices, how much), then the collector's own words if any,
 * within QuickBooks' length limit. Pure: the caller brings the invoices and the customer.
 */

/** QuickBooks takes longer notes in places; 2,000 characters is safe everywhere. */
export const NOTE_MAX_CHARS = 2000;

/** Activities that are steps of another, whose note is written by that other (the send). */
export const NOT_A_NOTE: ReadonlySet<string> = new Set(['message_queued']);
export const NOT_A_NOTE_REASON = 'not a note of its own: the send it leads to writes one';

export interface NoteActivity {
  kind: string;
  summary: string;
  occurredOn: string;
  details: Record<string, unknown>;
}

export interface NoteInvoice {
  number: string;
  balance: Cents;
  currency: string;
}

/** Money as the activity log and QuickBooks notes write it: 421000 cents → `USD 4,210.00`. */
export function moneyText(cents: Cents, currency: string): string {
  return `${currency} ${groupedDecimal(cents)}`;
}

/** What a call outcome adds to its summary: the promise, the plan, the dispute, the date. */
function callDetail(details: Record<string, unknown>, currency: string): string | undefined {
  const promise = details.promise as { amount?: unknown; dueOn?: string } | undefined;
  const promised = centsOrNothing(promise?.amount);
  if (promised) return `promised ${moneyText(promised, currency)} by ${promise!.dueOn}`;
  const plan = details.plan as { installments?: Array<{ amount: unknown; dueOn: string }> } | undefined;
  if (plan?.installments?.length) {
    const total = sumCents(plan.installments.map((i) => centsOrNothing(i.amount)));
    return `plan of ${plan.installments.length} payment${plan.installments.length > 1 ? 's' : ''}, ${moneyText(total, currency)}, first ${plan.installments[0]!.dueOn}`;
  }
  const dispute = details.dispute as { category?: string; text?: string } | undefined;
  if (dispute?.category) return `dispute (${dispute.category.replace(/_/g, ' ')}): ${dispute.text ?? ''}`.trim();
  const contact = details.contact as { name?: string; phone?: string } | undefined;
  if (contact?.name) return `right contact: ${contact.name}${contact.phone ? `, ${contact.phone}` : ''}`;
  if (typeof details.callBackOn === 'string') return `call back on ${details.callBackOn}`;
  return undefined;
}

export function noteText(activity: NoteActivity, customerName: string, invoices: NoteInvoice[]): string {
  const currency = invoices[0]?.currency ?? 'USD';
  const parts = [activity.summary];
  // What the customer did on its own page reads like a call's outcome: the promise, the dispute.
  if (activity.kind === 'call' || activity.kind === 'customer') {
    const detail = callDetail(activity.details, currency);
    if (detail) parts.push(detail);
  }
  // Summaries of sends already name their invoices and amount; the others get them here.
  if (invoices.length && !/\binvoices? \S/.test(activity.summary)) {
    const open = sumCents(invoices.map((i) => i.balance));
    parts.push(`invoice${invoices.length > 1 ? 's' : ''} ${invoices.map((i) => i.number).join(', ')} (${moneyText(open, currency)} open)`);
  }
  let text = `Ardesk ${activity.occurredOn}: ${customerName}: ${parts.join('; ')}`;
  const notes = typeof activity.details.notes === 'string' ? activity.details.notes.trim() : '';
  if (notes) text += `\nNotes: ${notes}`;
  const clean = [...text].filter((ch) => ch === '\n' || ch === '\t' || (ch >= ' ' && ch !== '\u007f')).join('');
  return clean.length <= NOTE_MAX_CHARS ? clean : `${clean.slice(0, NOTE_MAX_CHARS - 1)}…`;
}
