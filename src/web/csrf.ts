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

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Synchronizer-token CSRF protection. A session gets its token (one per session) when a page
 * reads `res.locals.csrfToken`, not on every request, so an API call, a redirect or an error page
 * stores no session. `stateless` requests (API tokens) never get one. Every
 * unsafe request must send the token back as the `_csrf` form field or the `X-CSRF-Token`
 * header, unless `exempt` says otherwise: a request a valid API token authenticated (it carries
 * no ambient credential), or a signed webhook.
 */
export function csrfProtection(options: { exempt?: (req: Request) => boolean; stateless?: (req: Request) => boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    // Minted when a page reads it (every rendered page does); an error page shows no forms.
    Object.defineProperty(res.locals, 'csrfToken', {
      enumerable: true,
      configurable: true,
      get: () => (options.stateless?.(req) || res.statusCode >= 400 ? req.session.csrfToken : (req.session.csrfToken ??= newCsrfToken())),
    });
    if (SAFE_METHODS.has(req.method)) return next();
    if (options.exempt?.(req)) return next();
    const body = req.body as Record<string, unknown> | undefined;
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.get('x-csrf-token');
    if (!sent || !req.session.csrfToken || !same(sent, req.session.csrfToken)) return next(new CsrfError());
    next();
  };
}
