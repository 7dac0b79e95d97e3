import type { Level, MessageKind } from './model';

/** What each kind of message is called, and which kinds dun, ask for money, or are letters. */
export const MESSAGE_NAMES: Record<MessageKind, string> = {
  verification: 'Customer satisfaction verification letter',
  reminder: 'Friendly reminder',
  overdue_statement: 'Statement of overdue invoices',
  second_notice: 'Second notice',
  demand_letter: 'Demand letter',
  final_notice: 'Final notice',
  thank_you: 'Thank-you note',
  promise_confirmation: 'Promise confirmation',
  plan_confirmation: 'Payment plan confirmation',
};

/** Dunning messages: they set the customer's last-dunned date (the gap rule). */
export const DUNNING_KINDS: ReadonlySet<string> = new Set(['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice']);
/** The collection level whose contact a dunning message is: an invoice it lists has had that level's contact. */
export const MESSAGE_LEVEL: Readonly<Record<string, 1 | 2 | 3 | 4>> = { reminder: 1, overdue_statement: 2, second_notice: 2, demand_letter: 3, final_notice: 4 };
/** Messages that ask for money: never sent for a paid invoice. */
export const ASKS_FOR_MONEY: ReadonlySet<string> = new Set(['verification', ...DUNNING_KINDS]);
/** Letters: also produced as a printable page for posting. */
export const LETTERS: ReadonlySet<string> = new Set(['verification', 'demand_letter', 'final_notice']);

const LEVEL_MESSAGE: Record<Exclude<Level, 0>, MessageKind> = { 1: 'reminder', 2: 'second_notice', 3: 'demand_letter', 4: 'final_notice' };

/**
 * The dunning message of the highest level an account's invoices reached (SPEC §4). At level 2,
 * when an invoice it is for never had level 1 (first seen past it: the back catalogue at
 * connect, an invoice entered late), the customer is told honestly with the overdue statement,
 * never a second notice of a first notice it never had.
 */
export function levelMessage(top: Exclude<Level, 0>, firstSeenPastLevel1: boolean): MessageKind {
  return top === 2 && firstSeenPastLevel1 ? 'overdue_statement' : LEVEL_MESSAGE[top];
}
