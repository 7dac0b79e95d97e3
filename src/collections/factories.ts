import { addDays, zonedInstant, type LocalDate } from './calendar';
import type { CallAttempt, CallTask, Customer, CustomerHistory, Invoice, InvoiceState, PlaybookInput, RecordedMessage } from './model';

/** Test data in the collector's words: `buildInvoice({ dueDate })`, plain objects, nothing hidden. Money in cents. */

let sequence = 0;
const next = () => String(++sequence);

export function buildCustomer(overrides: Partial<Customer> = {}): Customer {
  const id = overrides.id ?? `c${next()}`;
  return { id, name: `Customer ${id}`, companyName: `Customer ${id} LLC`, email: `ap@${id}.example`, parentId: null, ...overrides };
}

export function buildInvoice(overrides: Partial<Invoice> & { customerId: string }): Invoice {
  const id = overrides.id ?? `i${next()}`;
  const dueDate = overrides.dueDate ?? '2026-03-02';
  return { id, docNumber: `10${id.replace(/\D/g, '')}`, txnDate: overrides.txnDate ?? addDays(dueDate, -30), dueDate, total: 100_000, balance: overrides.balance ?? overrides.total ?? 100_000, billEmail: null, ...overrides };
}

export function buildState(invoiceId: string, overrides: Partial<InvoiceState> = {}): InvoiceState {
  return { invoiceId, level: 0, levelEnteredOn: null, level1On: null, firstSeenOn: '2026-01-01', verificationSentOn: null, ...overrides };
}

export function buildHistory(customerId: string, overrides: Partial<CustomerHistory> = {}): CustomerHistory {
  return { customerId, lastDunningOn: null, lastReachedOn: null, contactedInvoiceIds: [], ...overrides };
}

/** An open call task of `customerId`, its reasons those of `reason` unless given. */
export function buildTask(customerId: string, overrides: Partial<CallTask> = {}): CallTask {
  const reason = overrides.reason ?? 'level';
  return { id: `t-${customerId}`, customerId, level: 1, reason, reasons: [reason], scheduledFor: '2026-03-02', createdOn: '2026-03-02', ...overrides };
}

/** A recorded call to an account; reached when the outcome says someone was reached. */
export function buildAttempt(customerId: string, on: LocalDate, outcome = 'no_answer'): CallAttempt {
  return { customerId, on, outcome, reached: ['promised', 'cannot_pay', 'will_not_pay', 'disputes'].includes(outcome) };
}

/** A message recorded in the outbox (sent unless told otherwise, the day it was queued unless told otherwise). */
export function buildMessage(customerId: string, kind: RecordedMessage['kind'], invoiceIds: string[], overrides: Partial<RecordedMessage> = {}): RecordedMessage {
  const queuedOn = overrides.queuedOn ?? '2026-03-02';
  return { id: `m${next()}`, customerId, kind, invoiceIds, status: 'sent', queuedOn, sendOn: queuedOn, ...overrides };
}

/** An instant at a local wall-clock time in New York (the default company time zone). */
export function at(date: LocalDate, time = '10:00', timeZone = 'America/New_York'): Date {
  const [h, m] = time.split(':').map(Number);
  return zonedInstant(date, h! * 60 + m!, timeZone);
}

export function buildInput(overrides: Partial<PlaybookInput> = {}): PlaybookInput {
  return {
    now: at('2026-03-02'),
    connectedOn: '2026-01-01',
    customers: [],
    invoices: [],
    states: [],
    histories: [],
    promises: [],
    disputes: [],
    pauses: [],
    payments: [],
    openTasks: [],
    callAttempts: [],
    messages: [],
    ...overrides,
  };
}
