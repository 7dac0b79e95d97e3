import { createHmac, randomBytes } from 'node:crypto';
import { MAX_TOKEN_CHARS, signLink, verifyLink, type LinkClaims } from './customer-link-token';

const KEY = randomBytes(32);
const NOW = new Date('2026-11-23T15:00:00Z');
const claims: LinkClaims = { purpose: 'answer', realmId: '9341', customerId: '14', invoiceIds: ['243', '61'], messageId: '25571eae-0d05-4d9a-a03f-746ed301259a', expiresAt: new Date('2027-01-22T15:00:00Z') };

describe('the customer link token', () => {
  it('gives back exactly what was signed while it has not expired', () => {
    expect(verifyLink(KEY, signLink(KEY, claims), NOW)).toEqual({ ok: true, claims });
  });

  it('expires at its time, to the second', () => {
    const token = signLink(KEY, claims);
    expect(verifyLink(KEY, token, new Date(claims.expiresAt.getTime() - 1000)).ok).toBe(true);
    expect(verifyLink(KEY, token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('is forged when any byte of its claims or signature changes, or another key signed it', () => {
    const token = signLink(KEY, claims);
    const [version, body, signature] = token.split('.') as [string, string, string];
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), c: '15' })).toString('base64url');
    expect(verifyLink(KEY, `${version}.${other}.${signature}`, NOW)).toEqual({ ok: false, reason: 'forged' });
    for (let i = 0; i < signature.length; i++) {
      const changed = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
      // The last character carries only part of a byte; a change there may decode to the same bytes.
      if (Buffer.from(changed, 'base64url').equals(Buffer.from(signature, 'base64url'))) continue;
      expect(verifyLink(KEY, `${version}.${body}.${changed}`, NOW).ok).toBe(false);
    }
    expect(verifyLink(randomBytes(32), token, NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses what is not a token before any work', () => {
    for (const bad of ['', 'v1', 'v1.a', 'v2.a.b', 'v1.a b.c', `v1.${'a'.repeat(MAX_TOKEN_CHARS)}.b`]) expect(verifyLink(KEY, bad, NOW)).toEqual({ ok: false, reason: 'malformed' });
    // Signed, but not claims of ours: still nothing.
    const signed = `v1.${Buffer.from('{"p":"answer"}').toString('base64url')}`;
    expect(verifyLink(KEY, `${signed}.${createHmac('sha256', KEY).update(signed).digest('base64url')}`, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});
