import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Intuit OAuth 2.0 as the sandbox plays it: single-use authorization codes (a second exchange
 * fails and revokes what the first issued), access tokens of 3600 s, refresh tokens of 100 days
 * that rotate on every refresh with the previous one honoured for 24 h, and `invalid_grant`
 * for everything else.
 */

export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 100 * 24 * 3600;
export const REFRESH_GRACE_SECONDS = 24 * 3600;
/** A connection must be re-authorised five years after consent, however often it refreshes. */
export const HARD_EXPIRY_SECONDS = 5 * 365 * 24 * 3600;
const CODE_SECONDS = 600;

export interface OAuthClientRegistration {
  clientId: string;
  clientSecret: string;
}

export interface AccessGrant {
  id: string;
  clientId: string;
  /** null for a sign-in (OpenID scopes only): the grant names a person, not a company. */
  realmId: string | null;
  userSub: string;
  scope: string;
  revoked: boolean;
  createdAt: number;
}

interface CodeRecord {
  grantId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

interface RefreshRecord {
  grantId: string;
  expiresAt: number;
  /** Set when a newer refresh token replaced this one: it stays valid until then. */
  supersededUntil?: number;
}

interface AccessRecord {
  grantId: string;
  expiresAt: number;
}

export class OAuthError extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string) {
    super(description);
  }
}

export interface TokenSet {
  token_type: 'bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
  x_refresh_token_hard_expires_in?: number;
  id_token?: string;
}

function opaque(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class OAuthServer {
  private readonly grants = new Map<string, AccessGrant>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  /** Counters for tests: how many token requests of each kind were answered. */
  readonly counts = { authorizationCode: 0, refresh: 0, revoke: 0, invalidGrant: 0 };

  constructor(
    private readonly now: () => Date,
    private readonly clients: OAuthClientRegistration[] = [],
  ) {}

  /** Checks HTTP Basic client authentication; with no registered clients any pair is accepted. */
  authenticateClient(authorization: string | undefined): string {
    const match = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (!match) throw new OAuthError(401, 'invalid_client', 'Client authentication is required (HTTP Basic)');
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = decodeURIComponent(decoded.slice(0, colon));
    const secret = decodeURIComponent(decoded.slice(colon + 1));
    if (colon < 1 || !secret) throw new OAuthError(401, 'invalid_client', 'Malformed client credentials');
    if (this.clients.length && !this.clients.some((c) => c.clientId === clientId && same(c.clientSecret, secret))) {
      throw new OAuthError(401, 'invalid_client', 'Invalid client credentials');
    }
    return clientId;
  }

  knowsClient(clientId: string): boolean {
    return this.clients.length === 0 || this.clients.some((c) => c.clientId === clientId);
  }

  issueCode(params: { clientId: string; realmId: string | null; redirectUri: string; scope: string; userSub: string }): string {
    const grant: AccessGrant = { id: randomUUID(), clientId: params.clientId, realmId: params.realmId, userSub: params.userSub, scope: params.scope, revoked: false, createdAt: this.now().getTime() };
    this.grants.set(grant.id, grant);
    const code = opaque('AB11');
    this.codes.set(code, { grantId: grant.id, redirectUri: params.redirectUri, expiresAt: this.now().getTime() + CODE_SECONDS * 1000, used: false });
    return code;
  }

  exchangeCode(clientId: string, code: string, redirectUri: string, includeHardExpiry = false): TokenSet {
    const record = this.codes.get(code);
    const grant = record && this.grants.get(record.grantId);
    if (!record || !grant || grant.clientId !== clientId) return this.invalidGrant('Invalid authorization code');
    if (record.used) {
      // A replayed code is an attack or a bug: revoke everything the first exchange issued.
      this.revokeGrant(grant.id);
      return this.invalidGrant('Authorization code has already been used');
    }
    if (record.expiresAt <= this.now().getTime()) return this.invalidGrant('Authorization code has expired');
    if (record.redirectUri !== redirectUri) return this.invalidGrant('redirect_uri does not match the one used to authorize');
    record.used = true;
    this.counts.authorizationCode++;
    return this.issueTokens(grant, true, includeHardExpiry);
  }

  refresh(clientId: string, refreshToken: string, includeHardExpiry = false): TokenSet {
    const record = this.refreshTokens.get(refreshToken);
    const grant = record && this.grants.get(record.grantId);
    const now = this.now().getTime();
    if (!record || !grant || grant.revoked || grant.clientId !== clientId) return this.invalidGrant('Token invalid');
    if (record.expiresAt <= now) return this.invalidGrant('Token expired');
    if (record.supersededUntil !== undefined && record.supersededUntil <= now) return this.invalidGrant('Token invalid');
    if (grant.createdAt + HARD_EXPIRY_SECONDS * 1000 <= now) return this.invalidGrant('Token expired');
    this.counts.refresh++;
    // Every refresh token this grant has issued so far is now superseded; each keeps 24 h of grace.
    for (const other of this.refreshTokens.values()) {
      if (other.grantId === grant.id && other.supersededUntil === undefined) other.supersededUntil = now + REFRESH_GRACE_SECONDS * 1000;
    }
    return this.issueTokens(grant, false, includeHardExpiry);
  }

  /** Revokes the grant behind an access or refresh token (Intuit revokes the whole connection). */
  revoke(clientId: string, token: string): void {
    const record = this.refreshTokens.get(token) ?? this.accessTokens.get(token);
    const grant = record && this.grants.get(record.grantId);
    this.counts.revoke++;
    if (!grant || grant.clientId !== clientId) throw new OAuthError(400, 'invalid_request', 'Token invalid');
    this.revokeGrant(grant.id);
  }

  revokeRealm(realmId: string): number {
    let revoked = 0;
    for (const grant of this.grants.values()) {
      if (grant.realmId === realmId && !grant.revoked) {
        this.revokeGrant(grant.id);
        revoked++;
      }
    }
    return revoked;
  }

  /** Makes every access token of a realm expire now (tests of the refresh path). */
  expireAccessTokens(realmId?: string): number {
    let expired = 0;
    const now = this.now().getTime();
    for (const record of this.accessTokens.values()) {
      if (!realmId || this.grants.get(record.grantId)?.realmId === realmId) {
        record.expiresAt = Math.min(record.expiresAt, now);
        expired++;
      }
    }
    return expired;
  }

  /** Issues tokens without the browser dance, for tests and the seeding tools. */
  mintTokens(clientId: string, realmId: string, userSub = 'sandbox-user'): TokenSet {
    const grant: AccessGrant = { id: randomUUID(), clientId, realmId, userSub, scope: 'com.intuit.quickbooks.accounting', revoked: false, createdAt: this.now().getTime() };
    this.grants.set(grant.id, grant);
    return this.issueTokens(grant, false);
  }

  /** The grant behind a bearer token, or why it is refused. */
  checkAccessToken(token: string): { grant: AccessGrant } | { problem: string } {
    const record = this.accessTokens.get(token);
    const grant = record && this.grants.get(record.grantId);
    if (!record || !grant) return { problem: 'Token invalid' };
    if (grant.revoked) return { problem: 'Token revoked' };
    if (record.expiresAt <= this.now().getTime()) return { problem: `Token expired: ${token.slice(0, 12)}...` };
    return { grant };
  }

  private issueTokens(grant: AccessGrant, withIdToken: boolean, includeHardExpiry = false): TokenSet {
    const now = this.now().getTime();
    const access = opaque('eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..');
    const refresh = opaque('AB1');
    this.accessTokens.set(access, { grantId: grant.id, expiresAt: now + ACCESS_TOKEN_SECONDS * 1000 });
    this.refreshTokens.set(refresh, { grantId: grant.id, expiresAt: now + REFRESH_TOKEN_SECONDS * 1000 });
    const tokens: TokenSet = {
      token_type: 'bearer',
      access_token: access,
      refresh_token: refresh,
      expires_in: ACCESS_TOKEN_SECONDS,
      x_refresh_token_expires_in: REFRESH_TOKEN_SECONDS,
    };
    if (includeHardExpiry) tokens.x_refresh_token_hard_expires_in = Math.max(0, Math.floor((grant.createdAt + HARD_EXPIRY_SECONDS * 1000 - now) / 1000));
    if (withIdToken && grant.scope.split(/\s+/).includes('openid')) tokens.id_token = opaque('eyJraWQiOiJzYW5kYm94In0.');
    return tokens;
  }

  private revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  private invalidGrant(description: string): never {
    this.counts.invalidGrant++;
    throw new OAuthError(400, 'invalid_grant', description);
  }
}
