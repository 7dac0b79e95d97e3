import { localMoment, type LocalDate } from '../collections/calendar';
import { coverage, coversInWords } from '../collections/coverage';
import { mayBeContacted } from '../collections/do-not-contact';
import { nextSendTime } from '../collections/playbook';
import { ASKS_FOR_MONEY, LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import { centsToNumber } from '../collections/money';
import { moneyText } from '../collections/notes';
import type { MessageKind } from '../collections/model';
import { fromAllowed } from './sender-identity';
import type { Clock } from '../clock';
import { recordActivities, recordSent } from '../db/cadence-recorder';
import type { CallTasksRepository } from '../db/call-tasks-repository';
import type { CompaniesRepository } from '../db/companies-repository';
import type { CoverageRepository } from '../db/coverage-repository';
import type { Db } from '../db/database';
import type { OutboxRepository } from '../db/outbox-repository';
import type { Logger } from '../logger';
import type { ExpectedReads, FreshBalances } from '../mail/fresh-balances';
import { MailError, type Mailer } from '../mail/mailer';
import { invoiceCopyPdf } from '../mail/invoice-copy-pdf';
import type { ReplyAddresses } from '../mail/reply-address';
import type { InboundRepository } from '../db/inbound-repository';
import { mergeDataFor, type FreshInvoice, type MessageRow } from '../mail/merge-data';
import { TemplateError, templateOf, type MergeData, type Rendered, type TemplateBook } from '../mail/templates';
import type { PlaybookSettings } from '../collections/settings';
import type { CustomerLinksService } from './customer-links';
import type { QuickBooksClient } from '../quickbooks/client';
import { attachmentPart, type SentAttachment } from '../mail/sent-copy';
import type { CompanySettingsService } from './company-settings';
import type { PreparedCopy, SentCopiesService } from './sent-copies';

export type SendOutcome =
  | { status: 'sent'; listed: string[] }
  | { status: 'cancelled' | 'failed' | 'uncertain' | 'skipped'; reason: string };

/**
 * Messages whose invoices are there to be paid: those that ask for money, and the confirmations
 * of a promise or a plan (they name what is to be paid by when). An invoice paid since the
 * message was queued drops out of it; with none left the message is not sent. A thank-you lists
 * paid invoices and is sent as it is.
 */
export const LISTS_INVOICES_TO_PAY: ReadonlySet<string> = new Set([...ASKS_FOR_MONEY, 'promise_confirmation', 'plan_confirmation']);

/**
 * Messages a pause, an open dispute or an open promise or plan withholds an invoice from: those
 * that ask for money (verification letters and dunning), as the playbook cancels them at its
 * next run. A confirmation names what its own promise covers, and a thank-you what was paid:
 * neither is withheld.
 */
export const WITHHELD_WHEN_COVERED: ReadonlySet<string> = ASKS_FOR_MONEY;

/** What a message lists when it goes out, and why the others dropped out. */
export interface Listing {
  listed: string[];
  /** The reasons in words: "promised", "disputed", "paused", "paid". */
  dropped: string[];
}

/**
 * The invoices a queued message lists when it goes out: the send uses it right before sending,
 * and the outbox preview shows the same list. First what is covered now (the coverage rule of
 * src/collections/coverage.ts, on the facts in the database: a pause, dispute, promise or plan
 * recorded since the message was queued counts) drops out of a message that asks for money;
 * then, of a message that lists invoices to pay, what `open` does not say still has a balance.
 * `open` is asked once, about what is left (nothing is asked when nothing is left): the send
 * asks QuickBooks, the preview the local copy.
 */
export class SendListing {
  constructor(private readonly deps: { coverage: Pick<CoverageRepository, 'factsFor'> }) {}

  async of(message: Pick<MessageRow, 'realm_id' | 'customer_id' | 'kind' | 'invoice_ids'>, today: LocalDate, settings: Pick<PlaybookSettings, 'promiseGraceDays'>, open: (ids: string[]) => Promise<ReadonlySet<string>>): Promise<Listing> {
    const dropped: string[] = [];
    let left = message.invoice_ids;
    if (WITHHELD_WHEN_COVERED.has(message.kind) && left.length) {
      const facts = await this.deps.coverage.factsFor(message.realm_id, message.customer_id, left);
      // The message went to the paying account: a pause of it covers its sub-customers' invoices.
      const coverOf = coverage(facts, today, settings.promiseGraceDays, () => message.customer_id);
      const customers = new Map(facts.invoices.map((i) => [i.id, i.customerId]));
      const covers = new Map(left.map((id) => [id, coverOf({ id, customerId: customers.get(id) ?? message.customer_id })]));
      dropped.push(...[...covers.values()].filter((c) => c !== null));
      left = left.filter((id) => covers.get(id) === null);
    }
    if (left.length === 0) return { listed: [], dropped };
    const stillOpen = await open(left);
    if (!LISTS_INVOICES_TO_PAY.has(message.kind)) return { listed: left, dropped };
    const listed = left.filter((id) => stillOpen.has(id));
    if (listed.length < left.length) dropped.push('paid');
    return { listed, dropped };
  }
}

/** QuickBooks could not tell the balances: nothing was decided, the send is tried again. */
class BalancesUnread extends Error {}

/** QuickBooks could not give an invoice's PDF to attach: nothing was sent, the send is tried again. */
class InvoiceCopiesUnread extends Error {}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

function addressOf(mailFrom: string): string {
  return /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

/**
 * The From: of a company's email: its own address when the mail setup allows that domain, else
 * MAIL_FROM's address; either way with the company's name, which is what the customer knows.
 */
export function fromFor(companyName: string, own: string | null | undefined, mailFrom: string, domains: readonly string[]): string {
  const address = fromAllowed(own, domains) ? own : addressOf(mailFrom);
  const name = companyName.replace(/[\r\n]+/g, ' ').replace(/(["\\])/g, '\\$1').trim();
  return name ? `"${name}" <${address}>` : address;
}

export function messageIdOf(id: string, mailFrom: string): string {
  const domain = addressOf(mailFrom).split('@')[1] ?? 'ardesk.local';
  return `<${id}@${domain}>`;
}

export interface SendOptions {
  /** True on the job's last attempt: a transient failure then ends as `failed`. */
  lastAttempt?: boolean;
}

export interface MessageSendDeps {
  /** For the merge data (src/mail/merge-data.ts reads through its own repository) and the sent message's transaction. */
  db: Db;
  outbox: Pick<OutboxRepository, 'claim' | 'find' | 'markUncertain' | 'release' | 'postpone' | 'finish' | 'overridesOf'>;
  companies: Pick<CompaniesRepository, 'find'>;
  /** The facts the coverage rule is decided from, read right before a send (do not contact too). */
  coverage: Pick<CoverageRepository, 'factsFor' | 'contactFacts'>;
  callTasks: Pick<CallTasksRepository, 'wantReason'>;
  settings: Pick<CompanySettingsService, 'settingsOf'>;
  /** The balance re-read right before a send (`expect`: the claimed sends of a company gather). */
  balances: Pick<FreshBalances, 'read'> & Partial<Pick<FreshBalances, 'expect'>>;
  templates: Pick<TemplateBook, 'render'>;
  /** What went out, kept as sent (made before the send, stored with the `sent` mark). */
  sentCopies: Pick<SentCopiesService, 'prepare' | 'store'>;
  mailer: Pick<Mailer, 'send'>;
  /** QuickBooks' own PDF of each invoice, for the verification letters of a company that chose it (`quickBooksInvoicePdfs`). */
  invoiceCopies?: Pick<QuickBooksClient, 'invoicePdf'>;
  /** The From: of every message (config.mailFrom). */
  mailFrom: string;
  /** The customer's pages a message links to. */
  links: Pick<CustomerLinksService, 'linksFor'>;
  /** Domains a company's own From address may be on (config.mailFromDomains); none: always MAIL_FROM's address. */
  mailFromDomains?: readonly string[];
  /** Addresses a bounce showed to be bad: nothing more is sent to them. */
  badAddresses?: Pick<InboundRepository, 'isBad'>;
  /** Each account's own reply address (INBOUND_ADDRESS); without it, replies are matched by their threading headers only. */
  replyAddresses?: ReplyAddresses;
  clock: Clock;
  logger: Logger;
}

/**
 * The outbox's messages sent (the `mail.send` job), each at most once. A message is claimed
 * (queued → sending) in its own committed step before anything is handed to the mail server; a
 * later attempt that finds it still `sending` knows a worker died mid-send and holds it as
 * `uncertain` instead of resending.
 * Right before sending, what it lists is checked again (SendListing): an invoice a pause, dispute,
 * promise or plan recorded since the morning's run covers drops out of a dunning message or a
 * verification letter, and the balances of the rest are re-read from QuickBooks in one query:
 * paid ones drop out too. The message is rendered with what is left; with nothing left to ask
 * for or confirm it is cancelled, its status saying why ("paid", "paused", "disputed", ...). A
 * message of any kind to a customer marked do not contact since it was queued is cancelled.
 * A template that cannot be rendered (broken, or stopped for taking too long) fails the message
 * with that reason, for the outbox and the company page.
 */
export class MessageSendService {
  private readonly listing: SendListing;

  constructor(private readonly deps: MessageSendDeps) {
    this.listing = new SendListing(deps);
  }

  async send(messageId: string, options: SendOptions = {}): Promise<SendOutcome> {
    const { outbox, clock } = this.deps;
    const businessNow = clock.businessNow();
    const message = await outbox.claim(messageId, businessNow);
    // Claimed: from now on the company's balance re-read waits for this send too (it asks, or
    // ends without asking), so the sends of a company in progress together share full queries.
    const reads = message ? this.deps.balances.expect?.(message.realm_id, 1)[0] : undefined;
    try {
      return await this.sendClaimed(messageId, message, businessNow, options, reads);
    } finally {
      reads?.leave();
    }
  }

  private async sendClaimed(messageId: string, message: Awaited<ReturnType<OutboxRepository['claim']>>, businessNow: Date, options: SendOptions, reads: ExpectedReads | undefined): Promise<SendOutcome> {
    const { db, outbox, clock, mailFrom } = this.deps;
    if (!message) {
      const current = await outbox.find(messageId);
      if (current?.status === 'sending' && (await outbox.markUncertain(messageId, 'a previous attempt stopped while sending; check before resending'))) {
        return { status: 'uncertain', reason: 'found mid-send after a crash' };
      }
      return { status: 'skipped', reason: current ? `message is ${current.status}${current.status === 'queued' ? ' and not yet due' : ''}` : 'no such message' };
    }
    const log = this.deps.logger.child({ messageId, realmId: message.realm_id, kind: message.kind });
    const company = await this.deps.companies.find(message.realm_id);
    if (!company || company.status !== 'connected') {
      await outbox.release(messageId, `held: the company is ${company?.status ?? 'gone'}`);
      return { status: 'skipped', reason: 'company not connected' };
    }
    // The window is checked again now: a message due at 16:59 whose turn comes after 17:00 (a
    // backlog, a restart, midnight passing) waits for the next business morning.
    const settings = await this.deps.settings.settingsOf(message.realm_id, company.timezone);
    const opens = nextSendTime(businessNow, settings);
    if (opens.getTime() > businessNow.getTime()) {
      await outbox.postpone(messageId, opens, 'outside the send window');
      return { status: 'skipped', reason: `outside the send window; goes out ${opens.toISOString()}` };
    }
    const today = localMoment(businessNow, settings.timezone).date;

    // Do not contact, marked since the message was queued (the mark cancels what is queued, but a
    // message already handed to a sender, or queued by a racing run, is stopped here).
    const contact = await this.deps.coverage.contactFacts(message.realm_id, message.customer_id);
    if (!mayBeContacted(contact, message.customer_id)) {
      await outbox.finish(messageId, 'cancelled', { reason: 'the customer is marked do not contact (checked just before sending)' });
      log.info('not sent: the customer is marked do not contact');
      return { status: 'cancelled', reason: 'marked do not contact' };
    }

    if (!EMAIL.test(message.to_address)) {
      await outbox.finish(messageId, 'failed', { reason: `invalid address: ${message.to_address}` });
      await this.openFindEmailTask(message.realm_id, message.customer_id, today, message.to_address);
      return { status: 'failed', reason: 'invalid address' };
    }
    if (await this.deps.badAddresses?.isBad(message.realm_id, message.to_address)) {
      await outbox.finish(messageId, 'failed', { reason: `the address bounced before: ${message.to_address}` });
      await this.openFindEmailTask(message.realm_id, message.customer_id, today, message.to_address);
      return { status: 'failed', reason: 'bounced address' };
    }

    // What is covered now drops out, then the fresh balance check: one query to QuickBooks for
    // every invoice left (shared with messages of the same company sent at the same moment).
    let fresh = new Map<string, FreshInvoice>();
    let listing: Listing;
    try {
      listing = await this.listing.of(message, today, settings, async (ids) => {
        fresh = await (reads ? reads.read(ids) : this.deps.balances.read(message.realm_id, ids)).catch((error: unknown) => {
          throw new BalancesUnread(`QuickBooks could not be read: ${(error as Error).message}`, { cause: error });
        });
        return new Set(ids.filter((id) => (fresh.get(id)?.balance ?? 0) > 0));
      });
    } catch (error) {
      await outbox.release(messageId, (error instanceof BalancesUnread ? error.message : `will retry: ${(error as Error).message}`).slice(0, 300));
      throw error instanceof BalancesUnread ? error.cause : error; // the job retries with backoff
    }
    const { listed } = listing;
    if (listed.length === 0) {
      const why = coversInWords(listing.dropped);
      const reason = why === 'paid' ? 'every invoice it lists is paid (checked with QuickBooks just before sending)' : `the invoices it lists are now ${why} (checked just before sending)`;
      await outbox.finish(messageId, 'cancelled', { reason });
      log.info({ why }, 'not sent: paid or covered meanwhile');
      return { status: 'cancelled', reason: why };
    }

    // Nothing has been handed to the mail server yet: a template that cannot render fails the
    // message with its reason (a person must fix the template); anything else may be retried.
    let data: MergeData;
    let rendered: Rendered;
    let copy: PreparedCopy;
    let attachments: SentAttachment[];
    try {
      data = await mergeDataFor(db, message, fresh, businessNow, listed, (m) => this.deps.links.linksFor(m));
      // A personal customer's message is the consumer variant, with that variant's overrides.
      const template = templateOf(message.kind, data);
      const overrides = await outbox.overridesOf(message.realm_id, template);
      rendered = await this.deps.templates.render(template, data, overrides);
      attachments = await this.attachmentsOf(message, data, listed, fresh, settings);
      // The copy kept is the email as it goes: its parts and the files it carries.
      copy = await this.deps.sentCopies.prepare(message, data, overrides, rendered, attachments);
    } catch (error) {
      if (error instanceof InvoiceCopiesUnread) {
        await outbox.release(messageId, error.message.slice(0, 300));
        throw error.cause; // the job retries with backoff
      }
      if (!(error instanceof TemplateError)) {
        await outbox.release(messageId, `will retry: ${(error as Error).message}`.slice(0, 300));
        throw error;
      }
      const reason = `The ${message.kind.replace(/_/g, ' ')} template could not be rendered: ${error.inPart}`.slice(0, 300);
      await outbox.finish(messageId, 'failed', { reason });
      log.warn({ reason }, 'not sent: the template could not be rendered');
      return { status: 'failed', reason };
    }
    const headers: Record<string, string> = { 'X-Ardesk-Message': message.id };
    const unsubscribeMail = `<mailto:${company.email ?? addressOf(mailFrom)}?subject=unsubscribe>`;
    if (data.links?.unsubscribe) {
      // A personal customer's message: one click in the mail client stops all contact (RFC 8058;
      // the signed URL is the proof, routes/customer-portal.ts). A business keeps the mailto below.
      headers['List-Unsubscribe'] = `<${data.links.unsubscribe}>, ${unsubscribeMail}`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    } else if (message.kind === 'thank_you' || message.kind === 'verification') headers['List-Unsubscribe'] = unsubscribeMail;

    // A reply goes both to the company's own address (its people answer as they always have)
    // and to the account's reply address, where Ardesk sees it; bounces come back to the latter.
    const tracked = this.deps.replyAddresses?.of({ realmId: message.realm_id, customerId: message.customer_id }) ?? null;
    const companyReplyTo = data.sender.replyTo || company.email;
    try {
      const result = await this.deps.mailer.send({
        from: fromFor(company.name, data.sender.fromAddress, mailFrom, this.deps.mailFromDomains ?? []),
        to: message.to_address,
        replyTo: [tracked, companyReplyTo].filter(Boolean).join(', ') || null,
        envelopeFrom: tracked ?? undefined,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: messageIdOf(message.id, mailFrom),
        headers,
        ...(attachments.length ? { attachments: attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })) } : {}),
      });
      await db.transaction().execute(async (trx) => {
        await outbox.finish(messageId, 'sent', { subject: rendered.subject, smtpResponse: result.response, listed, sentAt: clock.businessNow() }, trx);
        await this.deps.sentCopies.store(copy, trx);
        await recordSent(trx, message.realm_id, { customerId: message.customer_id, kind: message.kind }, today);
        const numbers = data.invoices.map((i) => i.number).join(', ');
        await recordActivities(trx, message.realm_id, today, [
          {
            customerId: message.customer_id,
            invoiceIds: listed,
            kind: LETTERS.has(message.kind) ? 'letter_sent' : 'email_sent',
            summary: `${(MESSAGE_NAMES[message.kind as MessageKind] ?? message.kind).toLowerCase()} emailed to ${message.to_address} for invoice${listed.length > 1 ? 's' : ''} ${numbers} (${moneyText(data.total, data.currency)}${ASKS_FOR_MONEY.has(message.kind) ? ' due' : ''})`,
            details: { messageId, kind: message.kind, subject: rendered.subject, total: centsToNumber(data.total), ...(attachments.length ? { attachments: attachments.map((a, index) => ({ filename: a.filename, sha256: copy.copy.parts[attachmentPart(index + 1)] })) } : {}) },
            key: `sent:${messageId}`,
          },
        ]);
      });
      log.info({ listed: listed.length }, 'message sent');
      return { status: 'sent', listed };
    } catch (error) {
      if (!(error instanceof MailError)) {
        // The database failed after the server accepted? Only the send itself can throw MailError.
        await outbox.markUncertain(messageId, `failed after sending was attempted: ${(error as Error).message}`.slice(0, 300));
        throw error;
      }
      if (error.kind === 'unknown_fate') {
        await outbox.markUncertain(messageId, `the mail server stopped answering during the send: ${error.message}`.slice(0, 300));
        return { status: 'uncertain', reason: error.message };
      }
      if (error.kind === 'transient' && !options.lastAttempt) {
        await outbox.release(messageId, `will retry: ${error.message}`.slice(0, 300));
        throw error;
      }
      await outbox.finish(messageId, 'failed', { reason: `${error.responseCode ?? ''} ${error.message}`.trim().slice(0, 300) });
      if (error.kind === 'invalid_address') await this.openFindEmailTask(message.realm_id, message.customer_id, today, message.to_address);
      return { status: 'failed', reason: error.message };
    }
  }

  /**
   * The verification letter says "here is a copy": a copy of each invoice it lists goes with it,
   * drawn from the invoice as the balance check just read it (no read of its own), or, where the
   * company chose it, QuickBooks' own PDF of each (one metered read an invoice).
   */
  private async attachmentsOf(message: MessageRow, data: MergeData, listed: string[], fresh: Map<string, FreshInvoice>, settings: Pick<PlaybookSettings, 'quickBooksInvoicePdfs'>): Promise<SentAttachment[]> {
    if (message.kind !== 'verification') return [];
    // The merge data lists the invoices in `listed` order; a number it cannot tell is the id.
    const numberOf = (index: number) => (data.invoices.length === listed.length ? data.invoices[index]!.number : listed[index]!);
    const attachment = (index: number, content: Buffer): SentAttachment => ({ filename: `invoice-${numberOf(index).replace(/[^A-Za-z0-9._-]+/g, '-')}.pdf`, contentType: 'application/pdf', content });
    const copies = this.deps.invoiceCopies;
    if (!settings.quickBooksInvoicePdfs || !copies) {
      // Every listed invoice was read whole by the balance check: `listed` holds only those it found open.
      return Promise.all(listed.map(async (id, index) => attachment(index, await invoiceCopyPdf(fresh.get(id)!.invoice, data))));
    }
    try {
      return await Promise.all(listed.map(async (id, index) => attachment(index, await copies.invoicePdf(message.realm_id, id))));
    } catch (error) {
      throw new InvoiceCopiesUnread(`QuickBooks could not give the invoice copies: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The address bounced or is malformed: a person must find a good one (a reason on the account's task). */
  private async openFindEmailTask(realmId: string, customerId: string, today: string, address: string): Promise<void> {
    await this.deps.callTasks.wantReason(realmId, { customerId, reason: 'find_email', level: 0, scheduledFor: today, createdOn: today, key: `task:${customerId}:find-email:bounced:${address}:${today}` });
  }
}
