import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class CsrfError extends AppError {
  constructor() {
    super('csrf_failed', 'The form has expired or did not come from Ardesk. Reload the page and try again.', { status: 403 });
  }
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Synchronizer-token CSRF protection. Every page gets `csrfToken` (one per session); every
 * unsafe request that rides on the session cookie must send it back as the `_csrf` form field or
 * the `X-CSRF-Token` header. Requests authenticated by a Bearer token carry no ambient cookie
 * credential and are exempt, as are paths the caller lists (signed webhooks).
 */
export function csrfProtection(options: { exempt?: (req: Request) => boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.session.csrfToken) req.session.csrfToken = randomBytes(24).toString('base64url');
    res.locals.csrfToken = req.session.csrfToken;
    if (SAFE_METHODS.has(req.method)) return next();
    if (options.exempt?.(req)) return next();
    if (/^Bearer\s/i.test(req.get('authorization') ?? '')) return next();
    const body = req.body as Record<string, unknown> | undefined;
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.get('x-csrf-token');
    if (!sent || !same(sent, req.session.csrfToken)) return next(new CsrfError());
    next();
  };
}
