import crypto from 'node:crypto';
import { localMoment } from '../collections/calendar';
import type { Clock } from '../clock';
import type { InboundListRow, InboundRecord, InboundRepository, SentMessageRef } from '../db/inbound-repository';
import { NotFoundError } from '../errors';
import type { Logger } from '../logger';
import { readInboundMail, type InboundMail } from '../mail/inbound-mail';
import type { AccountRef, ReplyAddresses } from '../mail/reply-address';
import { asksToStop } from '../mail/stop-request';
import type { AccountDirectoryService } from './account-directory';
import type { CompanySettingsService } from './company-settings';
import type { DoNotContactService } from './do-not-contact';
import type { CoverageRepository } from '../db/coverage-repository';
import { mayBeContacted } from '../collections/do-not-contact';
import type { NotesService } from './notes';
import type { Approver } from './send-review';
import type { UsersRepository } from '../db/users-repository';

export type InboundOutcome =
  | { status: 'recorded'; id: string; kind: InboundRecord['kind']; realmId: string | null; customerId: string | null; paused: boolean; stopped?: boolean }
  | { status: 'duplicate' };

export interface InboundRepliesDeps {
  inbound: Pick<InboundRepository, 'sentMessages' | 'latestSent' | 'addressesSentTo' | 'accountExists' | 'record' | 'markHandled' | 'forAccount' | 'unmatched'>;
  settings: Pick<CompanySettingsService, 'settingsOf'>;
  /** Who is a personal customer (the account's type, the user's override included). */
  directory: Pick<AccountDirectoryService, 'accountOf'>;
  doNotContact: Pick<DoNotContactService, 'mark'>;
  /** Whether the account may be contacted (a bounce opens a task to find an address only then). */
  coverage: Pick<CoverageRepository, 'contactFacts'>;
  notes: Pick<NotesService, 'queueSoon'>;
  users: Pick<UsersRepository, 'find'>;
  /** Each account's signed reply address (INBOUND_ADDRESS); null: threading headers only. */
  replyAddresses: ReplyAddresses | null;
  /** Larger messages are read only as far as this (their headers and the start of the text). */
  maxBytes: number;
  clock: Clock;
  logger: Logger;
}

/** The outbox id in a Message-ID Ardesk gave (`<id@domain>`, src/services/send-message.ts). */
function outboxIdOf(messageId: string): string {
  return messageId.replace(/^</, '').replace(/>$/, '').split('@')[0] ?? '';
}

/**
 * Mail that comes back, whichever way it arrives (`ardesk inbound`: the SMTP listener and the
 * IMAP poller share this): matched to its company and account by the signed reply address it
 * was sent to, or else by the sent message its threading headers (In-Reply-To, References, a
 * bounce's returned headers) name. A person's reply goes on the account's timeline and call
 * sheet, is noted in QuickBooks, and pauses the account's automatic dunning until someone marks
 * it handled (setting pauseOnReply). An automatic reply is recorded and pauses nothing. A bounce
 * marks the addresses it reports failed (only ones the account's mail went to) bad, so no more
 * mail goes to them, and puts *find an email* on the account's task. What matches nothing is
 * kept, unmatched, for the operator: no message is lost. A personal customer's reply whose
 * first words ask us to stop (src/mail/stop-request.ts) also marks it do not contact.
 */
export class InboundRepliesService {
  constructor(private readonly deps: InboundRepliesDeps) {}

  async receive(raw: Buffer, via: 'smtp' | 'imap', envelopeRecipients: readonly string[] = []): Promise<InboundOutcome> {
    const { inbound, clock } = this.deps;
    const mail = await readInboundMail(raw.length > this.deps.maxBytes ? raw.subarray(0, this.deps.maxBytes) : raw);
    const dedupKey = mail.messageId ? `id:${mail.messageId.slice(0, 300)}` : `sha256:${crypto.createHash('sha256').update(raw).digest('hex')}`;
    const { account, thread, matchedBy } = await this.match(mail, envelopeRecipients);
    const receivedAt = clock.now();
    const base = { inReplyTo: thread?.id ?? null, from: mail.from.slice(0, 254) || '(no sender)', subject: mail.subject, body: mail.text, dedupKey, via, receivedAt };
    const log = this.deps.logger.child({ via, realmId: account?.realmId, nature: mail.nature });

    if (!account) {
      const id = await inbound.record({ ...base, realmId: null, customerId: null, kind: 'unmatched', matchedBy: null, status: 'recorded', bouncedAddresses: [], today: null, activity: null, pause: null });
      log.info({ recorded: Boolean(id) }, 'inbound mail matched no account; kept for the operator');
      return id ? { status: 'recorded', id, kind: 'unmatched', realmId: null, customerId: null, paused: false } : { status: 'duplicate' };
    }
    const { realmId, customerId } = account;
    const settings = await this.deps.settings.settingsOf(realmId);
    const today = localMoment(clock.businessNow(), settings.timezone).date;
    const sent = thread ?? (await inbound.latestSent(realmId, customerId));
    const invoiceIds = sent?.invoice_ids ?? [];
    const common = { ...base, realmId, customerId, matchedBy, today };
    let record: InboundRecord;
    if (mail.nature === 'bounce') {
      const reported = mail.failed.map((f) => f.address);
      const ours = new Set(await inbound.addressesSentTo(realmId, customerId, reported));
      const bad = mail.failed.filter((f) => ours.has(f.address)).map((f) => ({ address: f.address, reason: `bounced${f.status ? ` (${f.status})` : ''}` }));
      // A customer not to be contacted gets no task to find a new address: nothing is to be sent to it.
      const findEmailTask = mayBeContacted(await this.deps.coverage.contactFacts(realmId, customerId), customerId);
      const summary = bad.length
        ? `email to ${bad.map((b) => b.address).join(', ')} bounced: no more mail goes there${findEmailTask ? ' until a new address is found' : ' (the customer is marked do not contact: no task to find another)'}`
        : 'a bounce came back naming no address this account was written to; nothing changed';
      record = { ...common, kind: 'bounce', status: 'recorded', bouncedAddresses: bad, findEmailTask, activity: { customerId, invoiceIds, kind: 'email_bounced', summary, details: { from: base.from, subject: base.subject, addresses: bad.map((b) => b.address) } }, pause: null };
    } else if (mail.nature === 'auto_reply') {
      record = { ...common, kind: 'auto_reply', status: 'recorded', bouncedAddresses: [], activity: { customerId, invoiceIds, kind: 'auto_reply_received', summary: `automatic reply from ${base.from}: ${base.subject}`, details: { from: base.from, subject: base.subject } }, pause: null };
    } else {
      const pause = settings.pauseOnReply ? { reason: `reply from ${base.from} waits for a person` } : null;
      record = {
        ...common,
        kind: 'reply',
        status: 'awaiting',
        bouncedAddresses: [],
        // The note in QuickBooks carries the start of what the customer wrote.
        activity: { customerId, invoiceIds, kind: 'reply_received', summary: `reply received from ${base.from}: ${base.subject}`, details: { from: base.from, subject: base.subject, notes: mail.text.slice(0, 500) } },
        pause,
      };
    }
    const id = await inbound.record(record);
    if (!id) return { status: 'duplicate' };
    await this.deps.notes.queueSoon(realmId, log);
    const stopped = record.kind === 'reply' && asksToStop(mail) && (await this.stopIfPersonal(realmId, customerId, log));
    log.info({ kind: record.kind, matchedBy, paused: Boolean(record.pause), stopped }, 'inbound mail recorded');
    return { status: 'recorded', id, kind: record.kind, realmId, customerId, paused: Boolean(record.pause), ...(stopped ? { stopped } : {}) };
  }

  /**
   * Consumer rules require honouring a request to stop: a personal customer's is carried out at
   * once. A business's "stop" (often an AP clerk's) waits for a person, like any reply.
   */
  private async stopIfPersonal(realmId: string, customerId: string, log: Logger): Promise<boolean> {
    const account = await this.deps.directory.accountOf(realmId, customerId);
    if (account.type !== 'personal') return false;
    const result = await this.deps.doNotContact.mark(realmId, account.payerId, { source: 'customer_reply', reason: 'The customer replied to our message asking us to stop contacting them' }, log);
    return result.marked;
  }

  /** A person has dealt with the reply: the account's automatic collection resumes. */
  async markHandled(realmId: string, customerId: string, inboundId: string, who: Approver): Promise<void> {
    const by = who.kind === 'operator' ? 'the operator (API token)' : who.kind === 'company-token' ? `API token ${who.tokenId}` : await this.deps.users.find(who.userId).then((u) => u?.email ?? u?.name ?? `user ${who.userId}`);
    const settings = await this.deps.settings.settingsOf(realmId);
    const today = localMoment(this.deps.clock.businessNow(), settings.timezone).date;
    if (!(await this.deps.inbound.markHandled(realmId, customerId, inboundId, by, this.deps.clock.now(), today))) throw new NotFoundError('No such reply waiting to be handled');
  }

  forAccount(realmId: string, customerId: string): Promise<InboundListRow[]> {
    return this.deps.inbound.forAccount(realmId, customerId);
  }

  unmatched(): Promise<InboundListRow[]> {
    return this.deps.inbound.unmatched();
  }

  private async match(mail: InboundMail, envelopeRecipients: readonly string[]): Promise<{ account: AccountRef | null; thread: SentMessageRef | null; matchedBy: 'address' | 'thread' | null }> {
    const threads = await this.deps.inbound.sentMessages(mail.answers.map(outboxIdOf));
    const addresses = [...new Set([...envelopeRecipients.map((a) => a.toLowerCase()), ...mail.recipients])];
    for (const address of addresses) {
      const account = this.deps.replyAddresses?.read(address);
      if (account && (await this.deps.inbound.accountExists(account.realmId, account.customerId))) {
        const thread = threads.find((t) => t.realm_id === account.realmId && t.customer_id === account.customerId) ?? null;
        return { account, thread, matchedBy: 'address' };
      }
    }
    const thread = threads[0];
    if (thread) return { account: { realmId: thread.realm_id, customerId: thread.customer_id }, thread, matchedBy: 'thread' };
    return { account: null, thread: null, matchedBy: null };
  }
}
