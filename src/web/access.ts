import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../app-context';
import type { Company } from '../db/schema';
import { NotFoundError, UnauthorizedError } from '../errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when the request carried the operator's API token. */
    operator?: boolean;
    company?: Company;
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Who is asking: a signed-in person (session) or the operator (`Authorization: Bearer $API_TOKEN`). */
export function identify(context: Pick<AppContext, 'config'>) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) {
      if (!context.config.apiToken || !sameSecret(bearer, context.config.apiToken)) return next(new UnauthorizedError('The API token is not valid'));
      req.operator = true;
    }
    next();
  };
}

export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (req.operator || req.session.userId) return next();
  if (req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/')) return next(new UnauthorizedError('Sign in, or send Authorization: Bearer <API_TOKEN>'));
  res.redirect(303, '/');
}

/**
 * Realm isolation: `:realmId` resolves only to a company the signed-in person connected (any
 * company for the operator). Anything else is a 404, never a 403: other companies do not exist.
 */
export function loadCompany(context: Pick<AppContext, 'repos'>) {
  return async (req: Request, _res: Response, next: NextFunction, realmId: string) => {
    try {
      const company = req.operator
        ? await context.repos.companies.find(realmId)
        : req.session.userId
          ? await context.repos.companies.findForUser(realmId, req.session.userId)
          : undefined;
      if (!company) return next(new NotFoundError('No such company'));
      req.company = company;
      next();
    } catch (error) {
      next(error);
    }
  };
}
