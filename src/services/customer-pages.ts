import { z } from 'zod';
import { addDays, localMoment, type LocalDate } from '../collections/calendar';
import { collectorText } from '../collections/collector-input';
import { localDateSchema } from '../collections/local-date-schema';
import type { Level } from '../collections/model';
import { centsToNumber, sumCents, toCents, type Cents } from '../collections/money';
import { nextSendTime } from '../collections/playbook';
import type { PlaybookSettings } from '../collections/settings';
import type { Clock } from '../clock';
import { recordActivities } from '../db/cadence-recorder';
import { CallOutcomesRepository } from '../db/call-outcomes-repository';
import { CallTasksRepository } from '../db/call-tasks-repository';
import { CoverageRepository } from '../db/coverage-repository';
import { mayBeContacted } from '../collections/do-not-contact';
import { ContactsRepository } from '../db/contacts-repository';
import { CustomerPagesRepository, type CustomerAnswerRow, type CustomerInvoice } from '../db/customer-pages-repository';
import type { Db } from '../db/database';
import type { Company, DisputesTable } from '../db/schema';
import type { SenderIdentity } from '../db/sender-identity-repository';
import { BadRequestError, NotFoundError } from '../errors';
import type { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import type { FreshBalances } from '../mail/fresh-balances';
import { paymentOf, postalLines } from '../mail/merge-data';
import type { QuickBooksClient } from '../quickbooks/client';
import type { AccountDirectoryService } from './account-directory';
import type { CompanySettingsService } from './company-settings';
import type { LinkClaims } from './customer-link-token';
import { CustomerLinkError, type CustomerLinksService } from './customer-links';
import type { DoNotContactService } from './do-not-contact';
import type { NotesService } from './notes';
import type { SenderIdentityService } from './sender-identity';

/** SPEC §4's dispute categories, in the customer's words. */
export const PROBLEM_CATEGORIES: Record<DisputesTable['category'], string> = {
  pricing: 'The price or the amount is wrong',
  not_received: 'We did not receive the goods or services',
  quality: 'Something is wrong with the goods or services',
  missing_po: 'Our purchase order number is missing or wrong',
  billing_contact: 'The invoice should go to someone else',
  other: 'Something else',
};
const CATEGORY_KEYS = Object.keys(PROBLEM_CATEGORIES) as [DisputesTable['category'], ...DisputesTable['category'][]];

/** What the customer types is untrusted: checked here, stored as text, escaped wherever it is shown. */
export const problemSchema = z
  .object({
    category: z.enum(CATEGORY_KEYS, { error: 'Choose what the problem is.' }),
    description: collectorText({ min: 1, max: 2000, trim: true, required: 'Tell us what is wrong, in a few words.' }),
  })
  .strip();

export const customerPromiseSchema = z
  .object({
    amount: z
      .string({ error: 'Enter the amount you will pay.' })
      .trim()
      .regex(/^\d{1,10}(\.\d{1,2})?$/, 'The amount must be a number, like 125.50.')
      .transform((text) => toCents(text))
      .refine((cents) => cents > 0, 'The amount must be more than 0.'),
    dueOn: localDateSchema,
  })
  .strip();

export interface PageInvoice {
  id: string;
  number: string;
  txnDate: LocalDate;
  dueDate: LocalDate | null;
  total: Cents;
  balance: Cents;
  overdue: boolean;
  payLink: string | null;
}

/** Who the customer deals with: the company, its contact details and how to pay it. */
export interface PageCompany {
  name: string;
  email: string | null;
  phone: string | null;
  address: string[];
  currency: string;
  remitTo: string[];
  bankTransfer: string[];
  /** The company gave a way to pay besides a pay link. */
  howToPay: boolean;
}

export interface AnswerPage {
  company: PageCompany;
  customerName: string;
  invoices: PageInvoice[];
  total: Cents;
  /** The answers already given to this letter. */
  answered: { inOrder: CustomerAnswerRow | null; problem: CustomerAnswerRow | null };
}

export interface StatementPage {
  company: PageCompany;
  customerName: string;
  invoices: PageInvoice[];
  total: Cents;
  overdueTotal: Cents;
  /** Whether pay links come from QuickBooks just now (false: it could not be reached). */
  fresh: boolean;
  promises: Array<{ amount: Cents; dueOn: LocalDate; madeOn: LocalDate }>;
  promise: { earliest: LocalDate; latest: LocalDate; maxDays: number };
}

/** What the customer's *Stop contacting me* page shows. */
export interface StopPage {
  company: PageCompany;
  customerName: string;
  /** When the customer's contact was stopped already (by anyone), the day it was. */
  stoppedOn: LocalDate | null;
}

/** The note QuickBooks gets when a customer asks through its link (or its mail client's unsubscribe). */
export const STOP_REASONS = {
  customer_link: 'The customer asked, through the link in our message, to stop contacting them',
  unsubscribe: "The customer unsubscribed with one click in their mail program (the link in our message's List-Unsubscribe header)",
} as const;

export interface CustomerPagesDeps {
  db: Db;
  doNotContact: Pick<DoNotContactService, 'mark' | 'statusOf'>;
  links: Pick<CustomerLinksService, 'open'>;
  settings: Pick<CompanySettingsService, 'company' | 'settingsOf'>;
  directory: Pick<AccountDirectoryService, 'accountOf'>;
  senderIdentity: Pick<SenderIdentityService, 'of'>;
  balances: Pick<FreshBalances, 'read'>;
  quickbooks: Pick<QuickBooksClient, 'invoicePdf'>;
  notes: Pick<NotesService, 'queueSoon'>;
  queues: Pick<JobQueues, 'enqueue'>;
  clock: Clock;
  logger: Logger;
}

interface Opened {
  claims: LinkClaims;
  company: Company;
  settings: PlaybookSettings;
  today: LocalDate;
  members: string[];
  customerName: string;
}

/**
 * The customer's own pages, reached by a signed link and nothing else (no sign-in): a
 * verification letter answered (everything in order, or a problem: a dispute that pauses its
 * invoices, a *problem reported* reason on the account's task, a note in QuickBooks), and the
 * account's statement (open invoices, pay links and PDFs from QuickBooks, how to pay, and a
 * promise to pay recorded as a call's would be, by the customer). A page shows only the account
 * its link names, and nothing internal: no notes, no levels, no other customer.
 */
export class CustomerPagesService {
  private readonly repo: CustomerPagesRepository;

  constructor(private readonly deps: CustomerPagesDeps) {
    this.repo = new CustomerPagesRepository(deps.db);
  }

  async answerPage(token: string): Promise<AnswerPage> {
    const opened = await this.open(token, 'answer');
    const invoices = await this.letterInvoices(opened);
    const answers = await this.repo.answersToMessage(opened.claims.realmId, opened.claims.customerId, opened.claims.messageId);
    return {
      company: await this.pageCompany(opened.company),
      customerName: opened.customerName,
      invoices: invoices.map((i) => this.pageInvoice(i, opened.today, null)),
      total: sumCents(invoices.map((i) => i.balance)),
      answered: { inOrder: answers.find((a) => a.answer === 'in_order') ?? null, problem: answers.find((a) => a.answer === 'problem') ?? null },
    };
  }

  /** "Everything is in order": recorded once per letter, with the time, for the escalation file. */
  async confirmInOrder(token: string, log: Logger): Promise<void> {
    const opened = await this.open(token, 'answer');
    const { claims, today } = opened;
    const invoices = await this.letterInvoices(opened);
    const answers = await this.repo.answersToMessage(claims.realmId, claims.customerId, claims.messageId);
    if (answers.some((a) => a.answer === 'in_order')) return;
    const ids = invoices.map((i) => i.id);
    await this.deps.db.transaction().execute(async (trx) => {
      const answerId = await new CustomerPagesRepository(trx).insertAnswer(claims.realmId, { customerId: claims.customerId, messageId: claims.messageId ?? null, invoiceIds: ids, answer: 'in_order', disputeId: null, answeredOn: today, answeredAt: this.deps.clock.now() });
      await recordActivities(trx, claims.realmId, today, [
        { customerId: claims.customerId, invoiceIds: ids, kind: 'customer', summary: 'the customer confirmed on its page that everything is in order (verification letter)', details: { source: 'customer', outcome: 'in_order', answerId, messageId: claims.messageId ?? null }, key: `customer-answer:${answerId}` },
      ]);
    });
    await this.deps.notes.queueSoon(claims.realmId, log);
  }

  /**
   * "There is a problem": a dispute on the letter's invoices (they pause: the coverage rule reads
   * open disputes), a *problem reported* reason on the account's task (opened if it has none),
   * an activity and its QuickBooks note. One problem per letter.
   */
  async reportProblem(token: string, body: unknown, log: Logger): Promise<{ disputeId: string }> {
    const opened = await this.open(token, 'answer');
    const { claims, today } = opened;
    const input = problemSchema.parse(body);
    const invoices = await this.letterInvoices(opened);
    const earlier = (await this.repo.answersToMessage(claims.realmId, claims.customerId, claims.messageId)).find((a) => a.answer === 'problem');
    if (earlier?.disputeId) return { disputeId: earlier.disputeId };
    const ids = invoices.map((i) => i.id);
    const disputeId = await this.deps.db.transaction().execute(async (trx) => {
      const repo = new CustomerPagesRepository(trx);
      const id = await new CallOutcomesRepository(trx).insertDispute(claims.realmId, { customerId: claims.customerId, invoiceIds: ids, category: input.category, text: input.description, openedOn: today, source: 'customer' });
      const answerId = await repo.insertAnswer(claims.realmId, { customerId: claims.customerId, messageId: claims.messageId ?? null, invoiceIds: ids, answer: 'problem', disputeId: id, answeredOn: today, answeredAt: this.deps.clock.now() });
      const level = (await repo.levelOf(claims.realmId, ids)) as Level;
      // The problem is recorded (a dispute) whoever reports it; a customer not to be contacted gets no call about it.
      if (mayBeContacted(await new CoverageRepository(trx).contactFacts(claims.realmId, claims.customerId), claims.customerId)) {
        await new CallTasksRepository(trx).wantReason(claims.realmId, { customerId: claims.customerId, reason: 'problem_reported', level, scheduledFor: today, createdOn: today, key: `problem:${id}` });
      }
      await recordActivities(trx, claims.realmId, today, [
        {
          customerId: claims.customerId,
          invoiceIds: ids,
          kind: 'customer',
          summary: 'the customer reported a problem on its page (verification letter)',
          details: { source: 'customer', outcome: 'disputes', dispute: { category: input.category, text: input.description }, disputeId: id, answerId, messageId: claims.messageId ?? null },
          key: `customer-answer:${answerId}`,
        },
      ]);
      return id;
    });
    await this.deps.notes.queueSoon(claims.realmId, log);
    return { disputeId };
  }

  async statement(token: string): Promise<StatementPage> {
    const opened = await this.open(token, 'statement');
    const { claims, today, settings } = opened;
    const open = await this.repo.invoices(claims.realmId, opened.members, { openOnly: true });
    let fresh = new Map<string, { balance: Cents; payLink: string | null }>();
    let reached = open.length === 0;
    if (open.length) {
      try {
        fresh = await this.deps.balances.read(claims.realmId, open.map((i) => i.id));
        reached = true;
      } catch (error) {
        this.deps.logger.warn({ err: error, realmId: claims.realmId }, 'QuickBooks could not be read for a statement page; the local copy answers');
      }
    }
    const invoices = open
      .map((i) => ({ ...i, balance: fresh.get(i.id)?.balance ?? i.balance }))
      .filter((i) => i.balance > 0)
      .map((i) => this.pageInvoice(i, today, fresh.get(i.id)?.payLink ?? null));
    return {
      company: await this.pageCompany(opened.company),
      customerName: opened.customerName,
      invoices,
      total: sumCents(invoices.map((i) => i.balance)),
      overdueTotal: sumCents(invoices.filter((i) => i.overdue).map((i) => i.balance)),
      fresh: reached,
      promises: (await this.repo.openPromises(claims.realmId, opened.members)).map(({ amount, dueOn, madeOn }) => ({ amount, dueOn, madeOn })),
      promise: { earliest: today, latest: addDays(today, settings.customerPromiseMaxDays), maxDays: settings.customerPromiseMaxDays },
    };
  }

  async stopPage(token: string): Promise<StopPage> {
    const opened = await this.open(token, 'stop');
    const mark = await this.deps.doNotContact.statusOf(opened.claims.realmId, opened.claims.customerId);
    return { company: await this.pageCompany(opened.company), customerName: opened.customerName, stoppedOn: mark?.markedOn ?? null };
  }

  /**
   * The customer asks to be left alone (its page's button, or its mail program's one-click
   * unsubscribe): the customer is marked do not contact, which cancels what is queued, retires
   * its call task and notes QuickBooks (services.doNotContact). Asking again changes nothing.
   */
  async stop(token: string, via: keyof typeof STOP_REASONS, log: Logger): Promise<void> {
    const { claims } = await this.open(token, 'stop');
    const source = via === 'customer_link' ? 'customer_link' : 'unsubscribe';
    const result = await this.deps.doNotContact.mark(claims.realmId, claims.customerId, { source, reason: STOP_REASONS[via] }, log);
    log.info({ realmId: claims.realmId, via, marked: result.marked }, 'the customer asked to stop being contacted');
  }

  /** One of the account's invoices as QuickBooks prints it; another account's is not found. */
  async invoicePdf(token: string, invoiceId: string): Promise<{ number: string; pdf: Buffer }> {
    const opened = await this.open(token, 'statement');
    const invoice = (await this.repo.invoices(opened.claims.realmId, opened.members, { openOnly: false })).find((i) => i.id === invoiceId);
    if (!invoice) throw new NotFoundError('There is no such invoice on this statement.');
    return { number: invoice.number, pdf: await this.deps.quickbooks.invoicePdf(opened.claims.realmId, invoice.id) };
  }

  /**
   * The customer's promise: a date within the company's limit and an amount up to what is open,
   * covering the overdue invoices (or, none overdue, the open ones). Recorded as a call's promise
   * is (the same promises table, judged kept or broken the same way), by the customer; it pauses
   * dunning through the coverage rule and is confirmed by email.
   */
  async promise(token: string, body: unknown, log: Logger): Promise<{ promiseId: string; confirmationQueued: boolean }> {
    const opened = await this.open(token, 'statement');
    const { claims, today, settings } = opened;
    const input = customerPromiseSchema.parse(body);
    const latest = addDays(today, settings.customerPromiseMaxDays);
    if (input.dueOn < today) throw new BadRequestError('The date cannot be in the past.', { field: 'dueOn' });
    if (input.dueOn > latest) throw new BadRequestError(`The date must be within ${settings.customerPromiseMaxDays} days, by ${latest}. For a longer arrangement, please call us.`, { field: 'dueOn' });
    const open = await this.repo.invoices(claims.realmId, opened.members, { openOnly: true });
    if (open.length === 0) throw new BadRequestError('There is nothing open to pay on this account.');
    const overdue = open.filter((i) => (i.dueDate ?? i.txnDate) < today);
    const covered = overdue.length ? overdue : open;
    const total = sumCents(open.map((i) => i.balance));
    if (input.amount > total) throw new BadRequestError('The amount is more than the account owes.', { field: 'amount' });
    const ids = covered.map((i) => i.id);
    // The same promise sent twice (a double click, the Back button) is recorded once.
    const same = (await this.repo.openPromises(claims.realmId, opened.members)).find((p) => p.source === 'customer' && p.madeOn === today && p.amount === input.amount && p.dueOn === input.dueOn);
    if (same) return { promiseId: same.id, confirmationQueued: false };
    const now = this.deps.clock.businessNow();
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const outcomes = new CallOutcomesRepository(trx);
      const promiseId = await outcomes.insertPromise(claims.realmId, { customerId: claims.customerId, invoiceIds: ids, amount: input.amount, dueOn: input.dueOn, madeOn: today, planId: null, source: 'customer' });
      const to = covered.find((i) => i.billEmail)?.billEmail || (await outcomes.customer(claims.realmId, claims.customerId))?.email || (await new ContactsRepository(trx).foundEmails(claims.realmId, [claims.customerId])).get(claims.customerId) || null;
      const queued = to ? await outcomes.queueConfirmation(claims.realmId, { customerId: claims.customerId, kind: 'promise_confirmation', toAddress: to, invoiceIds: ids, total: input.amount, sendAt: nextSendTime(now, settings), key: `promise-confirmation:${promiseId}` }) : false;
      await recordActivities(trx, claims.realmId, today, [
        {
          customerId: claims.customerId,
          invoiceIds: ids,
          kind: 'customer',
          summary: 'the customer promised to pay on its statement page',
          details: { source: 'customer', outcome: 'promised', promise: { amount: centsToNumber(input.amount), dueOn: input.dueOn }, promiseId },
          key: `customer-promise:${promiseId}`,
        },
      ]);
      return { promiseId, confirmationQueued: queued };
    });
    await this.deps.notes.queueSoon(claims.realmId, log);
    if (result.confirmationQueued) await this.deps.queues.enqueue('mail.dispatch', {}).catch((error) => log.warn({ err: error }, 'could not queue the confirmation now'));
    return result;
  }

  /** The answers the account gave on its pages, for the escalation file. */
  answersOf(realmId: string, customerId: string): Promise<CustomerAnswerRow[]> {
    return this.repo.answers(realmId, customerId);
  }

  private async open(token: string, purpose: LinkClaims['purpose']): Promise<Opened> {
    const claims = this.deps.links.open(token, purpose);
    const company = await this.deps.settings.company(claims.realmId).catch(() => undefined);
    // A company that left (or must reconnect) has no pages: nothing is shown from an old copy.
    if (!company || company.status !== 'connected') throw new CustomerLinkError(false);
    const settings = await this.deps.settings.settingsOf(claims.realmId, company.timezone);
    const account = await this.deps.directory.accountOf(claims.realmId, claims.customerId);
    // The link names the paying account; a customer that has since moved under another payer's account is another account.
    if (account.payerId !== claims.customerId) throw new CustomerLinkError(false);
    const customer = await this.repo.customer(claims.realmId, claims.customerId);
    if (!customer) throw new CustomerLinkError(false);
    return { claims, company, settings, today: localMoment(this.deps.clock.businessNow(), settings.timezone).date, members: account.members, customerName: customer.name };
  }

  /** The letter's invoices that are still this account's (a link names them; the account decides). */
  private async letterInvoices(opened: Opened): Promise<CustomerInvoice[]> {
    const wanted = new Set(opened.claims.invoiceIds);
    const invoices = (await this.repo.invoices(opened.claims.realmId, opened.members, { openOnly: false })).filter((i) => wanted.has(i.id));
    if (invoices.length === 0) throw new CustomerLinkError(false);
    const order = new Map(opened.claims.invoiceIds.map((id, index) => [id, index]));
    return invoices.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  private pageInvoice(invoice: CustomerInvoice, today: LocalDate, payLink: string | null): PageInvoice {
    return { id: invoice.id, number: invoice.number, txnDate: invoice.txnDate, dueDate: invoice.dueDate, total: invoice.total, balance: invoice.balance, overdue: Boolean(invoice.dueDate && invoice.dueDate < today && invoice.balance > 0), payLink: safeLink(payLink) };
  }

  private async pageCompany(company: Company): Promise<PageCompany> {
    const identity: SenderIdentity = await this.deps.senderIdentity.of(company.realm_id);
    const payment = paymentOf(identity);
    const returnAddress = (identity.returnAddress ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    return {
      name: company.name,
      email: identity.replyTo || company.email || null,
      phone: identity.directPhone || company.phone || null,
      address: returnAddress.length ? returnAddress : postalLines(company.address as Parameters<typeof postalLines>[0]),
      currency: company.currency,
      remitTo: payment.remitTo,
      bankTransfer: payment.bankTransfer,
      howToPay: payment.any,
    };
  }
}

/** A pay link is QuickBooks' https address; anything else (a `javascript:` URL, say) is no link. */
function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
