import type { LocalDate } from './calendar';
import { contactStopped } from './coverage';

/**
 * Do not contact (issue 21; consumer rules require honouring a request to stop): the playbook's
 * rule is `contactStopped` (src/collections/coverage.ts), and this is what the rest of the app
 * asks of it. Whatever sets work going for a customer, the daily run, the send, a recorded call,
 * a bounce, a problem reported on its page or the month's difficult customers, asks
 * `mayBeContacted` first: a customer marked, or a sub-customer of a marked account, gets no
 * call task and no message. What was learned (a call's outcome, a dispute) is still recorded.
 */
export { contactStopped };

/** Who asked for the stop. */
export type DoNotContactSource = 'collector' | 'customer_link' | 'customer_reply' | 'unsubscribe';

export interface DoNotContactMark {
  source: DoNotContactSource;
  /** The words given when it was marked: the customer's own, or the collector's. */
  reason: string;
  markedOn: LocalDate;
}

/** The facts the rule is decided from for one customer: the account that pays for it, and which of the two is marked. */
export interface ContactFacts {
  payerId: string;
  doNotContact: readonly string[];
}

/** True when the customer may get a call task or a message: neither it nor the account that pays for it is marked. */
export function mayBeContacted(facts: ContactFacts, customerId: string): boolean {
  return !contactStopped(facts.doNotContact, () => facts.payerId)(customerId);
}

/** Which of the customer and its paying account carries the mark (the customer's own first); null when neither. */
export function markedOne(facts: ContactFacts, customerId: string): string | null {
  if (facts.doNotContact.includes(customerId)) return customerId;
  return facts.doNotContact.includes(facts.payerId) ? facts.payerId : null;
}

/** The words of who asked, for the activity, its QuickBooks note and the collector. */
export const ASKED_BY: Readonly<Record<DoNotContactSource, string>> = {
  collector: 'marked by the collector',
  customer_link: "asked by the customer (the stop link in Ardesk's message)",
  customer_reply: 'asked by the customer in a reply',
  unsubscribe: 'asked by the customer (unsubscribe)',
};

/**
 * What the collector is told when a call was recorded for a customer not to be contacted: that
 * nothing follows from it, why, in the words the stop was given in, and how to undo it.
 */
export function stoppedCallNotice(customerName: string, mark: DoNotContactMark | undefined): string {
  const who = !mark ? 'is marked do not contact' : mark.source === 'collector' ? `was marked do not contact on ${mark.markedOn}` : `asked on ${mark.markedOn} not to be contacted`;
  const words = mark ? ` ("${mark.reason}", ${ASKED_BY[mark.source]})` : '';
  return `${customerName} ${who}${words}: the call is noted, but no call back, call task or email is set up for them. If they ask to hear from you again, lift "Do not contact" on their page first.`;
}
