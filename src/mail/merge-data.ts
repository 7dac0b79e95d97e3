import { customerType } from '../collections/accounts';
import { addDays, daysBetween, localMoment } from '../collections/calendar';
import { DUNNING_KINDS } from '../collections/message-kinds';
import { UNANSWERED_OUTCOMES } from '../collections/model';
import { sumCents } from '../collections/money';
import { playbookSettings, type PlaybookSettings } from '../collections/settings';
import { CollectionsRepository } from '../db/collections-repository';
import type { Db } from '../db/database';
import { MergeDataRepository } from '../db/merge-data-repository';
import { SenderIdentityRepository, type SenderIdentity } from '../db/sender-identity-repository';
import { localeOf, type CustomerLinks, type InvoiceLine, type MergeData } from './templates';

import type { FreshInvoice } from './fresh-balances';

export type { FreshInvoice };

export interface MessageRow {
  id: string;
  realm_id: string;
  customer_id: string;
  kind: string;
  to_address: string;
  invoice_ids: string[];
  key: string;
}

interface BillAddr {
  Line1?: string;
  Line2?: string;
  Line3?: string;
  Line4?: string;
  Line5?: string;
  City?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
  Country?: string;
}

/** The postal address block of a customer: its name, then its QuickBooks billing address. */
export function addressLines(name: string, companyName: string | null, raw: unknown): string[] {
  return [companyName && companyName !== name ? companyName : name, ...postalLines(((raw ?? {}) as { BillAddr?: BillAddr }).BillAddr)];
}

/** A QuickBooks address (BillAddr, CompanyAddr) as the lines of an envelope. */
export function postalLines(address: BillAddr | null | undefined): string[] {
  const bill = address ?? {};
  const cityLine = [bill.City, [bill.CountrySubDivisionCode, bill.PostalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const lines = [bill.Line1, bill.Line2, bill.Line3, bill.Line4, bill.Line5, cityLine, bill.Country];
  return lines.map((line) => (line ?? '').trim()).filter(Boolean);
}

/** Days a demand letter or final notice gives to pay. */
const PAY_WITHIN_DAYS = 10;

/**
 * Everything a template may name, for one outbox message: the company, the customer and its
 * contact, the invoices (with balances and pay links as QuickBooks gave them a moment ago), the
 * promise or plan being confirmed, and the sender. Amounts in cents.
 */
/** The customer's pages a message links to, for the invoices it lists (src/services/customer-links.ts). */
export type LinksFor = (message: { realmId: string; customerId: string; messageId: string; kind: string; invoiceIds: string[]; personal: boolean }) => CustomerLinks | null;

export async function mergeDataFor(db: Db, message: MessageRow, fresh: Map<string, FreshInvoice>, businessNow: Date, listedIds: string[], linksFor?: LinksFor): Promise<MergeData> {
  const realmId = message.realm_id;
  const repo = new MergeDataRepository(db);
  const [company, customer, invoices, approver, stored, identity, recipient, typeOverride] = await Promise.all([
    repo.company(realmId),
    repo.customer(realmId, message.customer_id),
    repo.invoices(realmId, listedIds),
    repo.approver(realmId, message.customer_id),
    new CollectionsRepository(db).settingsOf(realmId),
    new SenderIdentityRepository(db).of(realmId),
    repo.recipient(realmId, message.customer_id, message.to_address),
    repo.typeOverride(realmId, message.customer_id),
  ]);
  const settings = playbookSettings({ timezone: company.timezone, ...(stored ?? {}) });
  const today = localMoment(businessNow, company.timezone).date;
  const termIds = [...new Set(invoices.map((i) => i.sales_term_id).filter((id): id is string => Boolean(id)))];
  const terms = await repo.terms(realmId, termIds);

  const order = new Map(listedIds.map((id, index) => [id, index]));
  const lines: InvoiceLine[] = invoices
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
    .map((invoice) => {
      const now = fresh.get(invoice.id);
      const dueDate = invoice.due_date ?? invoice.txn_date;
      return {
        number: invoice.doc_number ?? invoice.id,
        txnDate: invoice.txn_date,
        dueDate,
        amount: invoice.total,
        balance: now ? now.balance : invoice.balance,
        daysOverdue: Math.max(0, daysBetween(dueDate, today)),
        payLink: now?.payLink ?? null,
      };
    });

  let promise: MergeData['promise'] = null;
  let plan: MergeData['plan'] = null;
  const [keyKind, keyId] = message.key.split(':');
  if (keyKind === 'promise-confirmation' && keyId) {
    const row = await repo.promise(realmId, keyId);
    if (row) promise = { amount: row.amount, dueOn: row.due_on, madeOn: row.made_on };
  }
  if (keyKind === 'plan-confirmation' && keyId) {
    const rows = await repo.planInstallments(realmId, keyId);
    plan = { installments: rows.map((r) => ({ dueOn: r.due_on, amount: r.amount })), total: sumCents(rows.map((r) => r.amount)) };
  }
  const history = await recordedHistory(repo, message, lines, today, businessNow, company.timezone);
  const term = terms[0];
  // The person the message reaches: a contact the collector found at that address, else QuickBooks' contact person.
  const personName = recipient?.name.trim() || [customer?.given_name, customer?.family_name].filter(Boolean).join(' ').trim();
  const contactName = personName || (customer?.display_name ?? 'Customer');
  const companyAddress = postalLines(company.address as BillAddr | null);
  // The playbook's rule (the account a message goes to is the paying customer).
  const type = customerType({ id: message.customer_id, name: customer?.display_name ?? 'Customer', companyName: customer?.company_name ?? null, email: customer?.email ?? null, parentId: customer?.parent_id ?? null, typeOverride });
  return {
    locale: localeOf(company.country),
    currency: invoices[0]?.currency ?? company.currency,
    today,
    payBy: addDays(today, PAY_WITHIN_DAYS),
    company: { name: company.name, email: company.email, phone: company.phone, address: textLines(identity.returnAddress) ?? companyAddress },
    customer: {
      name: customer?.display_name ?? 'Customer',
      companyName: customer?.company_name ?? null,
      address: customer ? addressLines(customer.display_name, customer.company_name, customer.raw) : ['Customer'],
      type,
    },
    contact: { name: contactName, role: recipient?.role ?? null, email: message.to_address },
    greeting: greetingOf(personName || null, customer?.company_name ?? null, customer?.display_name ?? 'Customer'),
    approver: approver ? { name: approver.name, phone: approver.phone } : null,
    invoices: lines,
    total: sumCents(lines.map((line) => line.balance)),
    terms: { name: term?.name ?? (term?.due_days ? `Net ${term.due_days}` : 'as stated on the invoice'), dueDays: term?.due_days ?? null },
    sender: senderOf(identity, company),
    payment: { ...paymentOf(identity), unlinked: lines.some((line) => !line.payLink) },
    promise,
    plan,
    history,
    escalation: escalationOf(settings),
    links: linksFor?.({ realmId, customerId: message.customer_id, messageId: message.id, kind: message.kind, invoiceIds: listedIds, personal: type === 'personal' }) ?? null,
  };
}

/** Lines of a typed text (an address), blank lines dropped; nothing typed is null. */
function textLines(text: string | null | undefined): string[] | null {
  const lines = (text ?? '').split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  return lines.length ? lines : null;
}

/**
 * The first line: a business customer (QuickBooks has a company name for it) greets its contact
 * by name ("Dear Jordan Lee,"), else the business ("Hello, Acme Builders LLC,"); a personal
 * customer is greeted by their name.
 */
export function greetingOf(personName: string | null, companyName: string | null, displayName: string): string {
  if (personName) return `Dear ${personName},`;
  if (companyName) return `Hello, ${companyName},`;
  return `Dear ${displayName},`;
}

/** Who writes: the collector when named, else the company's accounts team; the direct phone, else the company's. */
export function senderOf(identity: SenderIdentity, company: { name: string; phone: string | null; email: string | null }): MergeData['sender'] {
  return {
    name: identity.collectorName ?? 'Accounts receivable',
    named: Boolean(identity.collectorName),
    title: identity.collectorTitle,
    phone: identity.directPhone || company.phone || null,
    email: identity.replyTo || company.email || null,
    replyTo: identity.replyTo,
    fromAddress: identity.fromAddress,
  };
}

/** How to pay without a pay link, from the company's payment instructions. */
export function paymentOf(identity: SenderIdentity): Omit<NonNullable<MergeData['payment']>, 'unlinked'> {
  const remitTo = textLines(identity.remitTo) ?? [];
  const bankTransfer = textLines(identity.bankTransfer) ?? [];
  return { remitTo, bankTransfer, any: remitTo.length + bankTransfer.length > 0 };
}

/** What the company has said follows an unpaid final notice: a letter threatens only that. */
export function escalationOf(settings: Pick<PlaybookSettings, 'collectionAgency' | 'filesSmallClaims' | 'collectionCharges' | 'reportsToCreditBureaus'>): NonNullable<MergeData['escalation']> {
  const escalation = { agency: settings.collectionAgency || null, smallClaims: settings.filesSmallClaims, charges: settings.collectionCharges || null, creditReporting: settings.reportsToCreditBureaus };
  return { ...escalation, any: Boolean(escalation.agency || escalation.smallClaims || escalation.charges || escalation.creditReporting) };
}

/** At most this many days of each kind are named in a letter: the latest ones. */
const DAYS_NAMED = 6;

/**
 * What the record says was done about these invoices, and only that: the days a dunning message
 * listing one of them was sent, and the days a call to the account went unanswered or reached
 * someone, from the oldest listed due date on. A letter says "we tried to call you on ..." only
 * with these days.
 */
async function recordedHistory(repo: MergeDataRepository, message: MessageRow, lines: InvoiceLine[], today: string, businessNow: Date, timezone: string): Promise<NonNullable<MergeData['history']>> {
  const from = lines.map((line) => line.dueDate).sort()[0];
  if (!from) return { writtenOn: [], calledOn: [], spokeOn: [] };
  const listedIds = new Set(message.invoice_ids);
  const [calls, sent] = await Promise.all([repo.callDays(message.realm_id, message.customer_id, from, today), repo.sentDunning(message.realm_id, message.customer_id, [...DUNNING_KINDS], message.id, businessNow)]);
  const distinctLatest = (days: string[]) => [...new Set(days)].sort().slice(-DAYS_NAMED);
  return {
    writtenOn: distinctLatest(sent.filter((m) => m.invoiceIds.some((id) => listedIds.has(id))).map((m) => localMoment(m.sentAt, timezone).date).filter((day) => day >= from)),
    calledOn: distinctLatest(calls.filter((c) => !c.reached && UNANSWERED_OUTCOMES.has(c.outcome)).map((c) => c.on)),
    spokeOn: distinctLatest(calls.filter((c) => c.reached).map((c) => c.on)),
  };
}
