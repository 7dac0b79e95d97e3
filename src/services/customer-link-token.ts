import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { quickBooksIdSchema } from '../collections/collector-input';

/**
 * The token of a customer's link, as a pure codec: what it claims (which page, which company,
 * which account, which invoices, which message, until when) and an HMAC-SHA256 over exactly
 * those bytes with the customer links' own key. Nothing is stored: a token is good when its
 * signature is ours and it has not expired, and it opens only what it names.
 *
 * `v1.<claims, base64url JSON>.<signature, base64url>`
 */

/** `stop`: a personal customer's *Stop contacting me* page (also its List-Unsubscribe one-click URL). */
export const LINK_PURPOSES = ['answer', 'statement', 'stop'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

const claimsSchema = z
  .object({
    /** The page it opens. */
    p: z.enum(LINK_PURPOSES),
    /** The company (realm). */
    r: z.string().regex(/^\d{1,32}$/),
    /** The paying account's customer id. */
    c: quickBooksIdSchema,
    /** The invoices it is about (a letter's), in the order the letter listed them. */
    i: z.array(quickBooksIdSchema).max(500),
    /** The message it came in. */
    m: z.uuid().optional(),
    /** Expires at, in whole seconds since the epoch. */
    x: z.number().int().positive(),
  })
  .strict();

export interface LinkClaims {
  purpose: LinkPurpose;
  realmId: string;
  customerId: string;
  invoiceIds: string[];
  messageId?: string;
  expiresAt: Date;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const VERSION = 'v1';
/** No honest token is longer (500 invoice ids); a longer one is refused before any work. */
export const MAX_TOKEN_CHARS = 16_000;

function signatureOf(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

export function signLink(key: Buffer, claims: LinkClaims): string {
  const body: z.infer<typeof claimsSchema> = { p: claims.purpose, r: claims.realmId, c: claims.customerId, i: claims.invoiceIds, ...(claims.messageId ? { m: claims.messageId } : {}), x: Math.floor(claims.expiresAt.getTime() / 1000) };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(claimsSchema.parse(body))).toString('base64url')}`;
  return `${signed}.${signatureOf(key, signed).toString('base64url')}`;
}

/**
 * Checks a token at `now`: its signature first (compared in constant time), then its claims and
 * its expiry. A token whose signature is not ours is `forged` whatever it claims.
 */
export function verifyLink(key: Buffer, token: string, now: Date): LinkCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) return { ok: false, reason: 'malformed' };
  const signed = `${parts[0]}.${parts[1]}`;
  const expected = signatureOf(key, signed);
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let parsed: z.infer<typeof claimsSchema>;
  try {
    const result = claimsSchema.safeParse(JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')));
    if (!result.success) return { ok: false, reason: 'malformed' };
    parsed = result.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.x * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { purpose: parsed.p, realmId: parsed.r, customerId: parsed.c, invoiceIds: parsed.i, ...(parsed.m ? { messageId: parsed.m } : {}), expiresAt: new Date(parsed.x * 1000) } };
}
