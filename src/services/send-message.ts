import { localMoment } from '../collections/calendar';
import { nextSendTime } from '../collections/playbook';
import { ASKS_FOR_MONEY, LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import { centsToNumber } from '../collections/money';
import { moneyText } from '../collections/notes';
import type { MessageKind } from '../collections/model';
import type { Clock } from '../clock';
import { recordActivities, recordSent } from '../db/cadence-recorder';
import type { CallTasksRepository } from '../db/call-tasks-repository';
import type { CompaniesRepository } from '../db/companies-repository';
import type { Db } from '../db/database';
import type { OutboxRepository } from '../db/outbox-repository';
import type { Logger } from '../logger';
import type { FreshBalances } from '../mail/fresh-balances';
import { MailError, type Mailer } from '../mail/mailer';
import { mergeDataFor, type FreshInvoice } from '../mail/merge-data';
import { TemplateError, type MergeData, type Rendered, type TemplateBook, type TemplateName } from '../mail/templates';
import type { CompanySettingsService } from './company-settings';

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

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

function addressOf(mailFrom: string): string {
  return /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
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
  callTasks: Pick<CallTasksRepository, 'wantReason'>;
  settings: Pick<CompanySettingsService, 'settingsOf'>;
  /** The balance re-read right before a send. */
  balances: Pick<FreshBalances, 'read'>;
  templates: Pick<TemplateBook, 'render'>;
  mailer: Pick<Mailer, 'send'>;
  /** The From: of every message (config.mailFrom). */
  mailFrom: string;
  clock: Clock;
  logger: Logger;
}

/**
 * The outbox's messages sent (the `mail.send` job), each at most once. A message is claimed
 * (queued → sending) in its own committed step before anything is handed to the mail server; a
 * later attempt that finds it still `sending` knows a worker died mid-send and holds it as
 * `uncertain` instead of resending.
 * Right before sending, the balances of the invoices it lists are re-read from QuickBooks in one
 * query: paid ones are dropped (the message is rendered with what is left), and a message with
 * nothing left to ask for or confirm is cancelled (LISTS_INVOICES_TO_PAY).
 * A template that cannot be rendered (broken, or stopped for taking too long) fails the message
 * with that reason, for the outbox and the company page.
 */
export class MessageSendService {
  constructor(private readonly deps: MessageSendDeps) {}

  async send(messageId: string, options: SendOptions = {}): Promise<SendOutcome> {
    const { db, outbox, clock, mailFrom } = this.deps;
    const businessNow = clock.businessNow();
    const message = await outbox.claim(messageId, businessNow);
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

    if (!EMAIL.test(message.to_address)) {
      await outbox.finish(messageId, 'failed', { reason: `invalid address: ${message.to_address}` });
      await this.openFindEmailTask(message.realm_id, message.customer_id, today, message.to_address);
      return { status: 'failed', reason: 'invalid address' };
    }

    // The fresh balance check: one query for every invoice the message lists (shared with
    // messages of the same company sent at the same moment).
    let fresh: Map<string, FreshInvoice>;
    try {
      fresh = await this.deps.balances.read(message.realm_id, message.invoice_ids);
    } catch (error) {
      await outbox.release(messageId, `QuickBooks could not be read: ${(error as Error).message}`.slice(0, 300));
      throw error; // the job retries with backoff
    }
    const listed = LISTS_INVOICES_TO_PAY.has(message.kind) ? message.invoice_ids.filter((id) => (fresh.get(id)?.balance ?? 0) > 0) : message.invoice_ids;
    if (listed.length === 0) {
      await outbox.finish(messageId, 'cancelled', { reason: 'every invoice it lists is paid (checked with QuickBooks just before sending)' });
      log.info('not sent: paid meanwhile');
      return { status: 'cancelled', reason: 'paid' };
    }

    // Nothing has been handed to the mail server yet: a template that cannot render fails the
    // message with its reason (a person must fix the template); anything else may be retried.
    let data: MergeData;
    let rendered: Rendered;
    try {
      data = await mergeDataFor(db, message, fresh, businessNow, listed);
      const overrides = await outbox.overridesOf(message.realm_id, message.kind);
      rendered = await this.deps.templates.render(message.kind as TemplateName, data, overrides);
    } catch (error) {
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
    if (message.kind === 'thank_you' || message.kind === 'verification') headers['List-Unsubscribe'] = `<mailto:${company.email ?? addressOf(mailFrom)}?subject=unsubscribe>`;

    try {
      const result = await this.deps.mailer.send({
        from: mailFrom,
        to: message.to_address,
        replyTo: company.email,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: messageIdOf(message.id, mailFrom),
        headers,
      });
      await db.transaction().execute(async (trx) => {
        await outbox.finish(messageId, 'sent', { subject: rendered.subject, smtpResponse: result.response, listed }, trx);
        await recordSent(trx, message.realm_id, { customerId: message.customer_id, kind: message.kind }, today);
        const numbers = data.invoices.map((i) => i.number).join(', ');
        await recordActivities(trx, message.realm_id, today, [
          {
            customerId: message.customer_id,
            invoiceIds: listed,
            kind: LETTERS.has(message.kind) ? 'letter_sent' : 'email_sent',
            summary: `${(MESSAGE_NAMES[message.kind as MessageKind] ?? message.kind).toLowerCase()} emailed to ${message.to_address} for invoice${listed.length > 1 ? 's' : ''} ${numbers} (${moneyText(data.total, data.currency)}${ASKS_FOR_MONEY.has(message.kind) ? ' due' : ''})`,
            details: { messageId, kind: message.kind, subject: rendered.subject, total: centsToNumber(data.total) },
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

  /** The address bounced or is malformed: a person must find a good one (a reason on the account's task). */
  private async openFindEmailTask(realmId: string, customerId: string, today: string, address: string): Promise<void> {
    await this.deps.callTasks.wantReason(realmId, { customerId, reason: 'find_email', level: 0, scheduledFor: today, createdOn: today, key: `task:${customerId}:find-email:bounced:${address}:${today}` });
  }
}
