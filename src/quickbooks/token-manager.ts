import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import { withLock } from '../jobs/locks';
import type { Logger } from '../logger';
import { NO_METRICS, type QuickBooksMetrics } from '../metrics';
import { OAuthRequestError, ReconnectRequiredError } from './errors';
import type { IntuitOAuth } from './oauth';
import type { StoredTokens, TokenVault } from './token-vault';

/** Refresh this long before the access token expires, so no call starts with a dying token. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const LOCK_TTL_MS = 30_000;

/**
 * Every QuickBooks call gets its access token here. A token near expiry is refreshed once per
 * company however many calls, processes or machines race for it: one in-process promise per
 * company, then a Redis lock, then a re-read of storage under the lock (another process may have
 * refreshed while we waited). The newest refresh token is written only over the version read.
 * `invalid_grant` re-reads storage before it declares the connection dead.
 */
export class TokenManager {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly reading = new Map<string, Promise<StoredTokens>>();

  constructor(
    private readonly deps: {
      vault: TokenVault;
      oauth: IntuitOAuth;
      redis: Redis;
      companies: CompaniesRepository;
      clock: Clock;
      logger: Logger;
      lockPrefix?: string;
      metrics?: QuickBooksMetrics;
    },
  ) {}

  private get metrics(): QuickBooksMetrics {
    return this.deps.metrics ?? NO_METRICS;
  }

  private fresh(tokens: StoredTokens): boolean {
    return tokens.accessExpiresAt.getTime() - REFRESH_MARGIN_MS > this.deps.clock.now().getTime();
  }

  /** The tokens of a connected company, read with its status in one statement. */
  private async stored(realmId: string): Promise<StoredTokens> {
    const found = await this.deps.vault.readWithStatus(realmId);
    if (!found || found.status !== 'connected') throw new ReconnectRequiredError(realmId, found ? `the connection is ${found.status.replace('_', ' ')}` : 'it is not connected');
    if (!found.tokens) throw new ReconnectRequiredError(realmId, 'no tokens are stored');
    return found.tokens;
  }

  /**
   * `stored`, one read shared by the calls that ask while it is under way: a full sync asks for
   * every request, ten at a time. A caller may get the answer of a read that began just before it
   * asked, never an older one.
   */
  private storedShared(realmId: string): Promise<StoredTokens> {
    const running = this.reading.get(realmId);
    if (running) return running;
    const read = this.stored(realmId).finally(() => this.reading.delete(realmId));
    this.reading.set(realmId, read);
    return read;
  }

  /** A valid access token, refreshed first if it is near expiry. */
  async accessToken(realmId: string): Promise<string> {
    const tokens = await this.storedShared(realmId);
    if (this.fresh(tokens)) return tokens.accessToken;
    return this.refresh(realmId);
  }

  /** QuickBooks refused `rejected` (401): refresh, unless someone already replaced it. */
  async afterRejection(realmId: string, rejected: string): Promise<string> {
    return this.refresh(realmId, rejected);
  }

  private refresh(realmId: string, rejected?: string): Promise<string> {
    const running = this.inflight.get(realmId);
    if (running) return running;
    const attempt = this.refreshUnderLock(realmId, rejected).finally(() => this.inflight.delete(realmId));
    this.inflight.set(realmId, attempt);
    return attempt;
  }

  private async refreshUnderLock(realmId: string, rejected?: string): Promise<string> {
    const key = `${this.deps.lockPrefix ?? 'ardesk'}:lock:token-refresh:${realmId}`;
    // Renewed while the refresh runs, so a slow Intuit (up to the OAuth deadline) keeps the lock;
    // a waiter waits out that deadline before giving up.
    const waitMs = Math.max(LOCK_TTL_MS, this.deps.oauth.deadlineMs) + 5000;
    return withLock(this.deps.redis, key, { ttlMs: LOCK_TTL_MS, waitMs, renew: true }, async () => {
      const current = await this.stored(realmId);
      if (this.fresh(current) && current.accessToken !== rejected) {
        this.metrics.tokenRefresh('already_refreshed');
        return current.accessToken;
      }
      const now = this.deps.clock.now();
      let issued;
      try {
        issued = await this.deps.oauth.refresh(current.refreshToken);
      } catch (error) {
        const refused = error instanceof OAuthRequestError && error.oauthError === 'invalid_grant';
        this.metrics.tokenRefresh(refused ? 'refused' : 'failed');
        if (!refused) throw error;
        const again = await this.deps.vault.read(realmId);
        if (again && again.refreshToken !== current.refreshToken && this.fresh(again)) return again.accessToken;
        this.deps.logger.warn({ realmId, intuitTid: error.intuitTid }, 'refresh token refused (invalid_grant): connection needs reconnect');
        await this.deps.companies.setStatus(realmId, 'needs_reconnect', 'QuickBooks no longer accepts this connection. Reconnect to resume.');
        throw new ReconnectRequiredError(realmId, 'QuickBooks refused the refresh token');
      }
      this.metrics.tokenRefresh('refreshed');
      const saved = await this.deps.vault.storeRefreshed(realmId, issued, now, current.version);
      if (!saved) {
        // Only possible if something wrote without the lock (a reconnect): keep theirs, it is newer.
        const newest = await this.deps.vault.read(realmId);
        if (newest) return newest.accessToken;
      }
      this.deps.logger.info({ realmId }, 'access token refreshed');
      return issued.accessToken;
    });
  }
}
