import { addDays, type LocalDate } from './calendar';
import type { Dispute, Invoice, Pause, PromiseToPay } from './model';

/**
 * What covers an invoice (SPEC §4 pauses): an open promise to pay (a plan's installments are
 * promises) until its date plus the grace days, an open dispute, or a manual pause of the
 * invoice, of its customer or of the account that pays for it, in force on the day. A covered
 * invoice is in no dunning message and no task: the playbook queues none for it, cancels a
 * queued one at its next run, and the send path withholds it from a message about to go out.
 */
export type Cover = 'do_not_contact' | 'promised' | 'disputed' | 'paused';

export interface CoverFacts {
  /** Promises still open: those judged kept, partly kept or broken cover nothing. */
  promises: readonly PromiseToPay[];
  disputes: readonly Dispute[];
  pauses: readonly Pause[];
  /** Customers marked do not contact (see `contactStopped`). */
  doNotContact?: readonly string[];
}

/**
 * Whether a customer may be contacted at all: one marked do not contact (by the collector, or at
 * the customer's own request: consumer rules require honouring it) gets no automatic message of
 * any kind and is on no call list; neither is a sub-customer of such an account. A stopped
 * sub-customer's invoices drop out of what its paying account is sent. `payerOf` names the
 * account that pays for a customer (src/collections/accounts.ts).
 */
export function contactStopped(doNotContact: readonly string[] | undefined, payerOf: (customerId: string) => string): (customerId: string) => boolean {
  const stopped = new Set(doNotContact ?? []);
  return (customerId) => stopped.has(customerId) || stopped.has(payerOf(customerId));
}

/**
 * The rule as a function of the invoice. `payerOf` names the account that pays for a customer
 * (src/collections/accounts.ts): a pause of the account covers its sub-customers' invoices.
 */
export function coverage(facts: CoverFacts, today: LocalDate, graceDays: number, payerOf: (customerId: string) => string): (invoice: Pick<Invoice, 'id' | 'customerId'>) => Cover | null {
  const promised = new Set(facts.promises.filter((p) => p.status === 'open' && today <= addDays(p.dueOn, graceDays)).flatMap((p) => p.invoiceIds));
  const disputed = new Set(facts.disputes.filter((d) => d.status === 'open').flatMap((d) => d.invoiceIds));
  const inForce = facts.pauses.filter((p) => p.until === null || today <= p.until);
  const pausedInvoices = new Set(inForce.flatMap((p) => (p.invoiceId ? [p.invoiceId] : [])));
  const pausedCustomers = new Set(inForce.flatMap((p) => (p.customerId ? [p.customerId] : [])));
  const stopped = contactStopped(facts.doNotContact, payerOf);
  return (invoice) => {
    if (stopped(invoice.customerId)) return 'do_not_contact';
    if (promised.has(invoice.id)) return 'promised';
    if (disputed.has(invoice.id)) return 'disputed';
    if (pausedInvoices.has(invoice.id) || pausedCustomers.has(invoice.customerId) || pausedCustomers.has(payerOf(invoice.customerId))) return 'paused';
    return null;
  };
}

const COVER_WORDS: Readonly<Record<string, string>> = { do_not_contact: 'marked do not contact' };

/** The covers of a message's invoices in words, for its status: "paused", "disputed or promised". */
export function coversInWords(covers: Iterable<string>): string {
  return [...new Set(covers)].sort().map((cover) => COVER_WORDS[cover] ?? cover).join(' or ');
}
