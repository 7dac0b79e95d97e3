import { createHash, randomBytes } from 'node:crypto';

/** Company API tokens begin with this, so a leaked one is recognisable (and scannable) as ours. */
export const COMPANY_TOKEN_PREFIX = 'ardk_';
const HINT_LENGTH = COMPANY_TOKEN_PREFIX.length + 4;

/** A new company token: 256 random bits. Only its hash is stored; it is shown once. */
export function newCompanyToken(): { token: string; hash: string; hint: string } {
  const token = `${COMPANY_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashCompanyToken(token), hint: token.slice(0, HINT_LENGTH) };
}

/** SHA-256 is enough for high-entropy secrets: there is nothing to guess. */
export function hashCompanyToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
