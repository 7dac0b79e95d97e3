/**
 * What a page says after a form was saved, keyed by the code its address carries (`?done=call`).
 * A page shows one of these or nothing: never text from its address, which anyone can write.
 */
export const NOTICES = {
  call: 'Saved the call.',
  // The words come from the customer's mark (src/collections/do-not-contact.ts stoppedCallNotice).
  'call-not-to-contact': 'Saved the call. This customer is marked do not contact: no call back, call task or email is set up for them.',
  paused: 'Paused.',
  resumed: 'Automatic collection resumed.',
  'reply-handled': 'Marked handled: automatic collection resumes.',
  'do-not-contact': 'Marked do not contact: nothing automatic goes to this customer and it is on no call list. The reason is noted in QuickBooks.',
  'may-contact': 'This customer may be contacted again: the next daily run collects as the playbook says.',
  'type-auto': 'Type follows QuickBooks again.',
  'type-commercial': 'Treated as commercial from now on.',
  'type-personal': 'Treated as personal from now on.',
} as const;

export type NoticeCode = keyof typeof NOTICES;

/** The code in a query value, or undefined for anything that is not one. */
export function noticeCode(value: unknown): NoticeCode | undefined {
  return typeof value === 'string' && Object.hasOwn(NOTICES, value) ? (value as NoticeCode) : undefined;
}
