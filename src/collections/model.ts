import type { LocalDate } from './calendar';
import type { Cents } from './money';

/** The words a collector uses, as plain data. Money is whole cents of the company's currency. */

export type CustomerType = 'commercial' | 'personal';
export type Level = 0 | 1 | 2 | 3 | 4;

export interface Customer {
  id: string;
  name: string;
  companyName: string | null;
  email: string | null;
  parentId: string | null;
  /** The user's override of commercial / personal. */
  typeOverride?: CustomerType | null;
}

export interface Invoice {
  id: string;
  customerId: string;
  docNumber: string | null;
  txnDate: LocalDate;
  dueDate: LocalDate;
  total: Cents;
  balance: Cents;
  billEmail: string | null;
}

/** What Ardesk remembers of an invoice between runs. */
export interface InvoiceState {
  invoiceId: string;
  level: Level;
  levelEnteredOn: LocalDate | null;
  /** When the invoice entered level 1: calls that reached the customer since then replace letters. */
  level1On: LocalDate | null;
  /** When the invoice entered level 2 (by age, or at first sight): the letters after unanswered calls count from here. */
  level2On?: LocalDate | null;
  firstSeenOn: LocalDate;
  verificationSentOn: LocalDate | null;
  /** A broken promise or a refusal to pay ("will not pay") lets the next level, and its letter, come at once. */
  escalateNow?: boolean;
}

export interface CustomerHistory {
  customerId: string;
  /** The day the last dunning email or letter went out to this customer (recorded when it is sent). */
  lastDunningOn: LocalDate | null;
  /** When a call last reached someone at this customer. */
  lastReachedOn: LocalDate | null;
  /** Invoices a dunning message to this customer was queued for (kept for the history; thank-you notes read `messages`). */
  contactedInvoiceIds: string[];
}

export interface PromiseToPay {
  id: string;
  customerId: string;
  invoiceIds: string[];
  amount: Cents;
  dueOn: LocalDate;
  madeOn: LocalDate;
  status: 'open' | 'kept' | 'partly_kept' | 'broken';
  planId?: string | null;
}

export interface Dispute {
  id: string;
  customerId: string;
  invoiceIds: string[];
  status: 'open' | 'resolved';
}

export interface Pause {
  customerId: string | null;
  invoiceId: string | null;
  /** Inclusive; null means until lifted. */
  until: LocalDate | null;
}

export interface Payment {
  id: string;
  customerId: string;
  txnDate: LocalDate;
  appliedTo: Array<{ invoiceId: string; amount: Cents }>;
}

/** Why an account's task is open. An account has one open task carrying every reason it has. */
export type TaskReason = 'level' | 'broken_promise' | 'find_email' | 'call_back' | 'promise_due_today' | 'difficult_customer' | 'problem_reported';

/** A recorded call to an account: its day and what came of it. */
export interface CallAttempt {
  /** The paying account called. */
  customerId: string;
  on: LocalDate;
  /** The recorded outcome: promised, cannot_pay, will_not_pay, disputes, wrong_person, no_answer, voicemail, call_back, ... */
  outcome: string;
  /** Someone at the customer was reached (promised, cannot pay, will not pay, disputes). */
  reached: boolean;
}

/** No answer, a voicemail or the wrong person: the call went unanswered. */
export const UNANSWERED_OUTCOMES: ReadonlySet<string> = new Set(['no_answer', 'voicemail', 'wrong_person']);

/** A message Ardesk queued or sent to an account (cancelled ones are not given). */
export interface RecordedMessage {
  id: string;
  /** The paying account it went to. */
  customerId: string;
  kind: MessageKind;
  /** The invoices it lists (what a sent message actually listed, after the fresh balance check). */
  invoiceIds: string[];
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain';
  /** The business day it was queued on. */
  queuedOn: LocalDate;
  /**
   * The business day it reached the customer (sent), was handed to the mail server (sending,
   * uncertain), or is due to go out (queued); null when it failed. The gap between dunning
   * messages is counted on these days.
   */
  sendOn: LocalDate | null;
}

export interface CallTask {
  id: string;
  customerId: string;
  level: Level;
  /** The reason the task was opened for. */
  reason: TaskReason;
  /** Every reason it is open for now (the first one included). */
  reasons: TaskReason[];
  scheduledFor: LocalDate;
  createdOn: LocalDate;
}

export interface PlaybookInput {
  /** The instant the run happens at (the business clock). */
  now: Date;
  /** The day the company was connected: older invoices never get a verification letter. */
  connectedOn: LocalDate;
  customers: Customer[];
  /** Every invoice with a balance, plus those paid since the last run (balance 0). */
  invoices: Invoice[];
  states: InvoiceState[];
  histories: CustomerHistory[];
  promises: PromiseToPay[];
  disputes: Dispute[];
  pauses: Pause[];
  /** Customers marked do not contact (src/collections/coverage.ts `contactStopped`). */
  doNotContact?: string[];
  payments: Payment[];
  openTasks: CallTask[];
  /** The accounts' recorded calls (every outcome), for the letters after unanswered calls. */
  callAttempts?: CallAttempt[];
  /** Messages that ask for money (verification, dunning) queued or sent, for "no identical message twice", thank-you notes and cancelling. */
  messages?: RecordedMessage[];
  /** Tasks retired because their account had nothing collectible: they come back when it has. */
  retiredTasks?: CallTask[];
}

export type MessageKind = 'verification' | 'reminder' | 'overdue_statement' | 'second_notice' | 'demand_letter' | 'final_notice' | 'thank_you' | 'promise_confirmation' | 'plan_confirmation';

export type Action =
  | { type: 'first_seen'; invoiceId: string }
  | { type: 'level_change'; invoiceId: string; customerId: string; from: Level; to: Level }
  | { type: 'escalation_candidate'; customerId: string; invoiceIds: string[] }
  | {
      type: 'send_message';
      kind: MessageKind;
      customerId: string;
      to: string;
      /** The invoices the message lists (every open overdue invoice of the customer, or the one verified). */
      invoiceIds: string[];
      /** The sum of the listed invoices' balances (the invoice's total for a thank-you). */
      total: Cents;
      /** Not before this instant: the next business-hours window. */
      sendAt: Date;
      /** Stable identity: the same message on a re-run is the same key. */
      key: string;
    }
  | { type: 'open_task'; customerId: string; level: Level; reason: TaskReason; scheduledFor: LocalDate; key: string }
  | { type: 'raise_task'; taskId: string; customerId: string; level: Level }
  /** Another reason on the account's open task; due no later than `scheduledFor`. */
  | { type: 'add_reason'; taskId: string; customerId: string; reason: TaskReason; scheduledFor: LocalDate }
  /** The account has nothing collectible (paid, credited, or all of it paused, promised or disputed). */
  | { type: 'retire_task'; taskId: string; customerId: string }
  /** A retired task's account is collectible again: the same task is open again, due today. */
  | { type: 'restore_task'; taskId: string; customerId: string; scheduledFor: LocalDate }
  | { type: 'promise_outcome'; promiseId: string; customerId: string; outcome: 'kept' | 'partly_kept' | 'broken'; paid: Cents }
  | { type: 'cancel_pending'; invoiceId: string; customerId: string }
  /** A queued message lists what a pause, promise, plan or dispute now covers, or goes to a customer not to be contacted: it is not sent. */
  | { type: 'cancel_message'; messageId: string; customerId: string; reason: string };
