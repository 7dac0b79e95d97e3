import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { OAuthStatesRepository, PendingState } from '../db/oauth-states-repository';
import type { Company, SendReviewMode } from '../db/schema';
import type { SendReviewRepository } from '../db/send-review-repository';
import type { UsersRepository } from '../db/users-repository';
import { BadRequestError } from '../errors';
import type { JobQueues } from '../jobs/queues';
import { queueFirstSync, scheduleCompany, unscheduleCompany, type SyncPlan } from '../jobs/schedules';
import type { Logger } from '../logger';
import type { CompanyInfo, QuickBooksClient } from '../quickbooks/client';
import { QuickBooksFault, ReconnectRequiredError } from '../quickbooks/errors';
import type { IntuitOAuth, IntuitUser } from '../quickbooks/oauth';
import type { TokenVault } from '../quickbooks/token-vault';

/** An OAuth `state` is good for this long: the time a person may take on Intuit's consent screen. */
export const STATE_TTL_MS = 10 * 60 * 1000;

export interface ConnectionsDeps {
  oauthStates: Pick<OAuthStatesRepository, 'issue' | 'consume'>;
  oauth: Pick<IntuitOAuth, 'authorizeUrl' | 'exchangeCode' | 'revoke' | 'userInfo'>;
  vault: Pick<TokenVault, 'read' | 'storeNew' | 'remove'>;
  client: Pick<QuickBooksClient, 'companyInfo' | 'companyInfoWithToken'>;
  users: Pick<UsersRepository, 'upsertByIntuitSub'>;
  companies: Pick<CompaniesRepository, 'find' | 'upsert' | 'addMember' | 'setStatus' | 'listForUser'>;
  queues: JobQueues;
  clock: Clock;
  /** Webhooks or polling (config.syncSchedule). */
  syncPlan: SyncPlan;
  /** Where Intuit sends the browser back (config.intuit.redirectUri). */
  redirectUri: string;
  reviews: Pick<SendReviewRepository, 'setMode'>;
  /** The review mode a company connected for the first time starts with. */
  sendReviewDefault: SendReviewMode;
}

/**
 * A company's connection to QuickBooks: Connect (a `state` bound to the browser session, consumed
 * once), the callback that proves the new tokens read the claimed company before anything is
 * stored, and Disconnect. Connecting schedules the company's jobs; disconnecting stops them.
 */
export class ConnectionsService {
  constructor(private readonly deps: ConnectionsDeps) {}

  /** Issues a `state` for this session and answers the address of Intuit's consent screen. */
  async begin(sessionId: string, realmHint: string | null): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.deps.oauthStates.issue(state, sessionId, new Date(this.deps.clock.now().getTime() + STATE_TTL_MS), realmHint ? 'reconnect' : 'connect', realmHint);
    return this.deps.oauth.authorizeUrl(state);
  }

  /** The `state` this session was issued, used up; undefined if forged, stale, replayed or another browser's. */
  consume(state: string, sessionId: string): Promise<PendingState | undefined> {
    return this.deps.oauthStates.consume(state, sessionId, this.deps.clock.now());
  }

  /**
   * The callback of a connection whose `state` was consumed: the code becomes tokens, the tokens
   * must read the claimed company (the realmId in the address is only a claim), and then the
   * person, the company, its tokens and its membership are stored and its jobs scheduled.
   */
  async connect(callback: { code: string; state: string; realmId: string; purpose: string }, log: Logger): Promise<{ userId: string; user: IntuitUser }> {
    const { code, state, realmId, purpose } = callback;
    const { oauth, vault, users, companies, queues, clock } = this.deps;
    const query = new URLSearchParams({ code, state, realmId }).toString();
    const issued = await oauth.exchangeCode(`${this.deps.redirectUri}?${query}`);
    // A token of another company gets 403 / 3100: nothing is stored, and the tokens are revoked.
    const info = await this.verifiedCompany(realmId, issued.accessToken);
    if (!info) {
      await oauth.revoke(issued.refreshToken).catch((error) => log.warn({ err: error }, 'could not revoke the refused tokens'));
      log.warn({ realmId, purpose }, 'callback refused: the new tokens do not belong to the claimed company');
      throw new BadRequestError('QuickBooks did not confirm access to that company with this connection. Nothing was changed. Start again from Connect to QuickBooks.');
    }
    const user = await oauth.userInfo(issued.accessToken);
    const person = await users.upsertByIntuitSub(user.sub, { email: user.email, name: user.name });
    const known = await companies.find(realmId);
    await companies.upsert({
      realm_id: realmId,
      name: info.CompanyName || info.LegalName || `QuickBooks company ${realmId}`,
      status: 'connected',
      status_reason: null,
      // A business date (SPEC §4): the playbook compares it with invoice dates on the business clock.
      connected_at: clock.businessNow(),
      disconnected_at: null,
      // A copy deleted while disconnected (retention) is filled again by the first full sync.
      copy_deleted_at: null,
      country: info.Country ?? null,
      email: info.Email?.Address ?? null,
      phone: info.PrimaryPhone?.FreeFormNumber ?? null,
    });
    // A company connected for the first time starts with the operator's review mode; a reconnect keeps its own.
    if (!known) await this.deps.reviews.setMode(realmId, this.deps.sendReviewDefault);
    await vault.storeNew(realmId, issued, clock.now());
    await companies.addMember(realmId, person.id);
    const connected = (await companies.find(realmId))!;
    await scheduleCompany(queues, realmId, connected.timezone, this.deps.syncPlan);
    await queueFirstSync(queues, realmId, clock.now());
    // Messages held while the company was disconnected go out now, not at the next minute's pass.
    await queues.enqueue('mail.dispatch', {}).catch((error) => log.warn({ err: error }, 'could not queue the outbox now'));
    return { userId: person.id, user };
  }

  private async verifiedCompany(realmId: string, accessToken: string): Promise<CompanyInfo | null> {
    try {
      return await this.deps.client.companyInfoWithToken(realmId, accessToken);
    } catch (error) {
      if (error instanceof QuickBooksFault && [401, 403].includes(error.httpStatus)) return null;
      throw error;
    }
  }

  /**
   * Ends a connection on the user's word: revokes at Intuit (best effort: the tokens go either
   * way), deletes them, marks the company disconnected and stops its jobs. The collection history stays.
   */
  async disconnect(realmId: string, log: Logger): Promise<void> {
    const tokens = await this.deps.vault.read(realmId).catch(() => undefined);
    if (tokens) {
      await this.deps.oauth.revoke(tokens.refreshToken).catch((error) => log.warn({ realmId, err: error }, 'revoking at Intuit failed; deleting our tokens anyway'));
    }
    await this.deps.vault.remove(realmId);
    await this.deps.companies.setStatus(realmId, 'disconnected', 'Disconnected in Ardesk');
    await unscheduleCompany(this.deps.queues, realmId);
  }

  /**
   * After someone disconnected Ardesk inside QuickBooks: asks QuickBooks about each of the
   * person's connected companies (a refused token marks the connection), and answers their
   * companies as they stand then.
   */
  async recheck(userId: string, log: Logger): Promise<Company[]> {
    const companies = await this.deps.companies.listForUser(userId);
    for (const company of companies.filter((c) => c.status === 'connected')) {
      try {
        await this.deps.client.companyInfo(company.realm_id);
      } catch (error) {
        if (!(error instanceof ReconnectRequiredError)) log.warn({ realmId: company.realm_id, err: error }, 'could not check the connection');
      }
    }
    return this.deps.companies.listForUser(userId);
  }
}
