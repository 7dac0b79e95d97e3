import { accountStates, daysOverdue, settledAccount } from '../collections/account-state';
import type { LocalDate } from '../collections/calendar';
import type { Level } from '../collections/model';
import { paymentHistory } from '../collections/payment-history';
import type { CustomerFileRepository } from '../db/customer-file-repository';
import { NotFoundError } from '../errors';
import { addressLines, postalLines } from '../mail/merge-data';
import type { AccountStateService } from './account-state';
import type { CompanySettingsService } from './company-settings';

export interface CustomerFileDeps {
  settings: CompanySettingsService;
  files: CustomerFileRepository;
  accountStates: AccountStateService;
}

const TIMELINE_LIMIT = 200;

/**
 * Everything known about one customer, as the call sheet and the customer page show it: open
 * invoices with their level, how they have paid, promises and their fate, disputes, contacts
 * (who approves payment), pauses, and the timeline of every activity, newest first.
 */
export class CustomerFileService {
  constructor(private readonly deps: CustomerFileDeps) {}

  fileOf(realmId: string, customerId: string, day?: LocalDate) {
    return customerFile(this.deps, realmId, customerId, day);
  }
}

async function customerFile(deps: CustomerFileDeps, realmId: string, customerId: string, day?: LocalDate) {
  const { files } = deps;
  const company = await deps.settings.company(realmId);
  const settings = await deps.settings.settingsOf(realmId, company.timezone);
  // A day's list opens the call sheet of that day; otherwise today by the business clock.
  const today = day ?? deps.settings.todayIn(settings);
  const customer = await files.customer(realmId, customerId);
  if (!customer) throw new NotFoundError('No such customer');
  // The account pays its own invoices and those of its whole chain of sub-customers (QuickBooks'
  // jobs), as the account directory says: the same rule the work list and the playbook use.
  const account = await deps.accountStates.accountOf(realmId, customerId, today, settings.aAccountShare);
  const payers = account.members;

  const [invoices, payments, history, promises, disputes, contacts, pauses, activities, states, openTask] = await Promise.all([
    files.invoicesOf(realmId, payers),
    files.paymentsOf(realmId, payers),
    files.history(realmId, customerId),
    files.promises(realmId, customerId),
    files.disputes(realmId, customerId),
    files.contacts(realmId, customerId),
    files.pausesInForce(realmId, customerId, payers, today),
    files.timeline(realmId, customerId, TIMELINE_LIMIT),
    files.levelsOf(realmId, payers),
    files.openTask(realmId, customerId),
  ]);

  const level = new Map(states.map((s) => [s.invoice_id, s]));
  const numbers = new Map(invoices.map((i) => [i.id, i.doc_number ?? i.id]));
  const open = invoices
    .filter((i) => i.balance > 0)
    .map((i) => {
      const due = i.due_date ?? i.txn_date;
      return { id: i.id, number: i.doc_number ?? i.id, txnDate: i.txn_date, dueDate: due, total: i.total, balance: i.balance, daysOverdue: daysOverdue(due, today), level: level.get(i.id)?.level ?? 0, escalation: level.get(i.id)?.escalation_candidate ?? false };
    });
  const applied = payments.map((p) => ({ id: p.id, txnDate: p.txn_date, total: p.total, invoiceIds: (p.applied_to as Array<{ id: string; type: string }>).filter((a) => a.type === 'Invoice').map((a) => a.id) }));
  const type = account.type;
  // The payer's figures are its stored state; a sub-customer shown alone (it pays through its
  // parent) has the same rules applied to its own invoices only.
  const state = account.payerId === customerId ? account.state : accountStates({ day: today, invoices: open.map((i) => ({ id: i.id, customerId, payerId: customerId, type, balance: i.balance, dueDate: i.dueDate, level: i.level as Level, escalation: i.escalation })), toughPayers: new Set(), aAccountShare: settings.aAccountShare })[0] ?? settledAccount(customerId, type, today);

  return {
    today,
    // The creditor's postal address (QuickBooks' CompanyAddr), for the escalation file.
    company: { name: company.name, email: company.email, phone: company.phone, timezone: company.timezone, address: postalLines(company.address as Parameters<typeof postalLines>[0]) },
    currency: company.currency,
    customer: { id: customer.id, name: customer.display_name, companyName: customer.company_name, person: personName(customer.given_name, customer.family_name), address: addressLines(customer.display_name, customer.company_name, customer.raw), email: customer.email, phone: customer.phone, mobile: customer.mobile, notes: customer.notes, type, typeOverride: history?.type_override ?? null },
    openInvoices: open,
    overdue: open.filter((i) => i.daysOverdue > 0),
    state,
    payerId: account.payerId,
    openBalance: state.openBalance,
    overdueBalance: state.overdueBalance,
    invoices: invoices.map((i) => ({ id: i.id, number: i.doc_number ?? i.id, txnDate: i.txn_date, dueDate: i.due_date ?? i.txn_date, total: i.total, balance: i.balance })),
    payments: applied.map((p) => ({ ...p, invoices: p.invoiceIds.map((id) => numbers.get(id) ?? id).join(', ') })),
    paymentHistory: paymentHistory(invoices.map((i) => ({ id: i.id, dueDate: i.due_date ?? i.txn_date, balance: i.balance })), applied, today),
    promises: promises.map((p) => ({ id: p.id, amount: p.amount, dueOn: p.due_on, madeOn: p.made_on, status: p.status, paid: p.paid, inPlan: Boolean(p.plan_id), invoices: p.invoice_ids.map((id) => numbers.get(id) ?? id).join(', ') })),
    disputes: disputes.map((d) => ({ id: d.id, category: d.category, text: d.text, status: d.status, resolution: d.resolution, openedOn: d.opened_on, resolvedOn: d.resolved_on, invoices: d.invoice_ids.map((id) => numbers.get(id) ?? id).join(', ') })),
    contacts: contacts.map((c) => ({ id: c.id, name: c.name, role: c.role, phone: c.phone, email: c.email, approvesPayment: c.approves_payment })),
    pauses: pauses.map((p) => ({ id: p.id, invoice: p.invoice_id ? (numbers.get(p.invoice_id) ?? p.invoice_id) : null, until: p.until, reason: p.reason })),
    timeline: activities.map((a) => ({ id: a.id, kind: a.kind, summary: a.summary, occurredOn: a.occurred_on, invoiceIds: a.invoice_ids, notes: typeof a.details.notes === 'string' ? a.details.notes : null, noteStatus: a.note_status, messageId: typeof a.details.messageId === 'string' ? a.details.messageId : null })),
    openTask: openTask ? { id: openTask.id, level: openTask.level, reason: openTask.reason, scheduledFor: openTask.scheduled_for } : null,
  };
}

export type CustomerFile = Awaited<ReturnType<typeof customerFile>>;

/** QuickBooks' GivenName and FamilyName as one name; none: null. */
export function personName(given: string | null, family: string | null): string | null {
  const name = [given, family].map((part) => (part ?? '').trim()).filter(Boolean).join(' ');
  return name || null;
}

export type { LocalDate };
