import type { MessageKind } from './model';

/** What each kind of message is called, and which kinds dun, ask for money, or are letters. */
export const MESSAGE_NAMES: Record<MessageKind, string> = {
  verification: 'Customer satisfaction verification letter',
  reminder: 'Friendly reminder',
  second_notice: 'Second notice',
  demand_letter: 'Demand letter',
  final_notice: 'Final notice',
  thank_you: 'Thank-you note',
  promise_confirmation: 'Promise confirmation',
  plan_confirmation: 'Payment plan confirmation',
};

/** Dunning messages: they set the customer's last-dunned date (the gap rule). */
export const DUNNING_KINDS: ReadonlySet<string> = new Set(['reminder', 'second_notice', 'demand_letter', 'final_notice']);
/** Messages that ask for money: never sent for a paid invoice. */
export const ASKS_FOR_MONEY: ReadonlySet<string> = new Set(['verification', ...DUNNING_KINDS]);
/** Letters: also produced as a printable page for posting. */
export const LETTERS: ReadonlySet<string> = new Set(['verification', 'demand_letter', 'final_notice']);
