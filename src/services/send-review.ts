import { MESSAGE_LEVEL } from '../collections/message-kinds';
import { sumCents, type Cents } from '../collections/money';
import { nextSendTime } from '../collections/playbook';
import type { Clock } from '../clock';
import type { SendReviewRepository } from '../db/send-review-repository';
import type { UsersRepository } from '../db/users-repository';
import type { SendReviewMode } from '../db/schema';
import { BadRequestError, NotFoundError } from '../errors';
import type { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import type { CompanySettingsService } from './company-settings';
import type { PausesService } from './pauses';

export const SEND_REVIEW_MODES: readonly SendReviewMode[] = ['first_run', 'every_run', 'off'];

export interface HeldInvoice {
  id: string;
  docNumber: string | null;
  dueDate: string | null;
  balance: Cents;
}

export interface HeldMessage {
  id: string;
  kind: string;
  /** The collection level the message speaks at (0: a verification letter or a note). */
  level: number;
  toAddress: string;
  invoices: HeldInvoice[];
  total: Cents;
  sendAt: Date;
}

export interface HeldAccount {
  customerId: string;
  name: string;
  messages: HeldMessage[];
  total: Cents;
}

export interface SendReview {
  mode: SendReviewMode;
  /** When a person first approved (null: nothing has gone out yet). */
  collectingSince: Date | null;
  /** True while something waits for a person's approval. */
  awaiting: boolean;
  accounts: HeldAccount[];
  messages: number;
  total: Cents;
  lastApproval: { approvedAt: Date; approvedBy: string; messages: number; accounts: number; total: Cents } | null;
}

export interface SendReviewDeps {
  reviews: Pick<SendReviewRepository, 'company' | 'setMode' | 'held' | 'invoices' | 'approve' | 'cancelHeld'>;
  settings: Pick<CompanySettingsService, 'settingsOf'>;
  pauses: Pick<PausesService, 'pause'>;
  queues: Pick<JobQueues, 'enqueue'>;
  users: Pick<UsersRepository, 'find'>;
  clock: Clock;
}

/** Who approves: a signed-in person, a company's API token, or the operator. */
export type Approver = { kind: 'person'; userId: string } | { kind: 'company-token'; tokenId: string } | { kind: 'operator' };

/**
 * Review before sending (SPEC §4, issue 20): what the daily run would send waits, per account,
 * until a person approves it; an account can be held back first. Approval releases exactly what
 * the person saw, and each approved message then goes out once, in the send window.
 */
export class SendReviewService {
  constructor(private readonly deps: SendReviewDeps) {}

  async review(realmId: string): Promise<SendReview> {
    const { reviews } = this.deps;
    const company = await reviews.company(realmId);
    if (!company) throw new NotFoundError('No such company');
    const held = await reviews.held(realmId);
    const invoices = new Map((await reviews.invoices(realmId, held.flatMap((m) => m.invoiceIds))).map((i) => [i.id, i]));
    const accounts = new Map<string, HeldAccount>();
    for (const message of held) {
      const account = accounts.get(message.customerId) ?? { customerId: message.customerId, name: message.customerName ?? `Customer ${message.customerId}`, messages: [], total: 0 };
      account.messages.push({
        id: message.id,
        kind: message.kind,
        level: MESSAGE_LEVEL[message.kind] ?? 0,
        toAddress: message.toAddress,
        invoices: message.invoiceIds.map((id) => invoices.get(id) ?? { id, docNumber: null, dueDate: null, balance: 0 }),
        total: message.total,
        sendAt: message.sendAt,
      });
      accounts.set(message.customerId, account);
    }
    const list = [...accounts.values()].map((a) => ({ ...a, total: sumCents(a.messages.map((m) => m.total)) }));
    list.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
    return {
      mode: company.mode,
      collectingSince: company.collectingSince,
      awaiting: held.length > 0,
      accounts: list,
      messages: held.length,
      total: sumCents(held.map((m) => m.total)),
      lastApproval: company.lastApproval,
    };
  }

  /**
   * Approves the held messages named (the ones the page showed), or every held message when none
   * are named (the API, for scripts). Messages that are no longer held (cancelled since, or
   * approved in another tab) are left as they are. Collecting starts with the first approval.
   */
  async approve(realmId: string, approver: Approver, messageIds?: readonly string[]): Promise<{ approved: number }> {
    const { reviews, queues, clock } = this.deps;
    const approvedBy = await this.nameOf(approver);
    const ids = messageIds ?? (await reviews.held(realmId)).map((m) => m.id);
    const settings = await this.deps.settings.settingsOf(realmId);
    const approved = await reviews.approve(realmId, ids, approvedBy, nextSendTime(clock.businessNow(), settings));
    if (approved.length) await queues.enqueue('mail.dispatch', {});
    return { approved: approved.length };
  }

  private async nameOf(approver: Approver): Promise<string> {
    if (approver.kind === 'operator') return 'the operator (API token)';
    if (approver.kind === 'company-token') return `API token ${approver.tokenId}`;
    const user = await this.deps.users.find(approver.userId);
    return user?.email ?? user?.name ?? `user ${approver.userId}`;
  }

  /** Holds an account back: its collection paused (with the reason), its held messages cancelled. */
  async holdBack(realmId: string, customerId: string, reason: string, log: Logger): Promise<{ cancelled: number }> {
    const why = reason.trim();
    if (!why) throw new BadRequestError('Say why this customer is held back (for example "pays by cheque on the 15th").', { field: 'reason' });
    await this.deps.pauses.pause(realmId, customerId, { reason: why }, log);
    const cancelled = await this.deps.reviews.cancelHeld(realmId, customerId, `held back on the review page: ${why}`);
    return { cancelled };
  }

  async setMode(realmId: string, mode: string): Promise<SendReviewMode> {
    if (!SEND_REVIEW_MODES.includes(mode as SendReviewMode)) throw new BadRequestError('Choose when to review: before the first run, before every run, or never.', { field: 'mode' });
    await this.deps.reviews.setMode(realmId, mode as SendReviewMode);
    return mode as SendReviewMode;
  }
}
