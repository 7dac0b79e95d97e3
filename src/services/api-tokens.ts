import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { ApiTokenGrant, ApiTokensRepository, ApiTokenSummary } from '../db/api-tokens-repository';
import type { ApiTokenScope } from '../db/schema';

/** Company API tokens begin with this, so a leaked one is recognisable (and scannable) as ours. */
export const COMPANY_TOKEN_PREFIX = 'ardk_';
const HINT_LENGTH = COMPANY_TOKEN_PREFIX.length + 4;

/** A new company token: 256 random bits. Only its hash is stored; it is shown once. */
function newCompanyToken(): { token: string; hash: string; hint: string } {
  const token = `${COMPANY_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashCompanyToken(token), hint: token.slice(0, HINT_LENGTH) };
}

/** SHA-256 is enough for high-entropy secrets: there is nothing to guess. */
function hashCompanyToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface ApiTokensDeps {
  apiTokens: Pick<ApiTokensRepository, 'create' | 'findActive' | 'listActive' | 'revoke'>;
  clock: Clock;
}

/** A company's own API tokens: made by its members, shown once, kept only as hashes, revoked for good. */
export class ApiTokensService {
  constructor(private readonly deps: ApiTokensDeps) {}

  /** What a presented company token may do, while it is live; undefined for anything else. */
  async grantFor(token: string): Promise<ApiTokenGrant | undefined> {
    return token.startsWith(COMPANY_TOKEN_PREFIX) ? this.deps.apiTokens.findActive(hashCompanyToken(token)) : undefined;
  }

  /** The company's live tokens, oldest first. */
  live(realmId: string): Promise<ApiTokenSummary[]> {
    return this.deps.apiTokens.listActive(realmId);
  }

  /** A new token; its secret is in the answer and nowhere else. */
  async create(realmId: string, token: { name: string; scope: ApiTokenScope; createdBy: string }): Promise<{ token: string; created: ApiTokenSummary }> {
    const { token: secret, hash, hint } = newCompanyToken();
    const created = await this.deps.apiTokens.create({ realmId, name: token.name, scope: token.scope, hash, hint, createdBy: token.createdBy });
    return { token: secret, created };
  }

  /** Revokes one of the company's live tokens; false when it has no such token. */
  revoke(realmId: string, tokenId: string): Promise<boolean> {
    return this.deps.apiTokens.revoke(realmId, tokenId, this.deps.clock.now());
  }
}
