import { timingSafeEqual } from 'node:crypto';
import { localeOf } from '../mail/templates';
import type { NextFunction, Request, Response } from 'express';
import type { ApiTokenGrant } from '../db/api-tokens-repository';
import type { Company } from '../db/schema';
import { AppError, NotFoundError, UnauthorizedError } from '../errors';
import type { Uses } from '../services';
import type { Asker } from '../services/company-access';
import type { WebDeps } from './deps';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when the request carried the operator's API token (API_TOKEN). */
    operator?: boolean;
    /** Set when the request carried a live API token of one company. */
    companyToken?: ApiTokenGrant;
    company?: Company;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Exactly `Bearer <token>`: one ASCII space, then visible ASCII only. */
const BEARER = /^Bearer ([\x21-\x7e]+)$/;

export class ReadOnlyTokenError extends AppError {
  constructor() {
    super('read_only_token', 'This API token can only read. Create a read-write token on the company\'s settings page to make changes.', { status: 403 });
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function isApiPath(req: Request): boolean {
  return req.path === '/api' || req.path.startsWith('/api/');
}

/** True when a valid API token (the operator's or a company's) authenticated this request. */
export function authenticatedByToken(req: Request): boolean {
  return Boolean(req.operator || req.companyToken);
}

/**
 * Who is asking: a signed-in person (session), the operator (`Bearer $API_TOKEN`: every company,
 * API and pages), or a company API token (`Bearer ardk_…`: its company, JSON API only, read or
 * read-write). Anything that says Bearer but is not a live token is refused with 401; other
 * schemes (a proxy's Basic auth) are not ours and authenticate nothing.
 */
export function identify(deps: Pick<WebDeps, 'config'> & Uses<'apiTokens'>) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined || !/^bearer/i.test(header)) return next();
    try {
      const token = BEARER.exec(header)?.[1];
      if (!token) throw new UnauthorizedError('Send the API token as "Authorization: Bearer <token>"');
      if (deps.config.apiToken && sameSecret(token, deps.config.apiToken)) {
        req.operator = true;
        return next();
      }
      const grant = await deps.services.apiTokens.grantFor(token);
      if (!grant) throw new UnauthorizedError('The API token is not valid');
      if (!isApiPath(req)) throw new UnauthorizedError('A company API token works only on the JSON API under /api/. Sign in to use the pages.');
      if (grant.scope === 'read' && !SAFE_METHODS.has(req.method)) throw new ReadOnlyTokenError();
      req.companyToken = grant;
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (authenticatedByToken(req) || req.session.userId) return next();
  if (req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/')) return next(new UnauthorizedError('Sign in, or send Authorization: Bearer <API token>'));
  res.redirect(303, '/');
}

/** Who the request is from, for realm isolation: a company's token first, then the operator, then a person. */
function askerOf(req: Request): Asker {
  if (req.companyToken) return { kind: 'company-token', realmId: req.companyToken.realmId };
  if (req.operator) return { kind: 'operator' };
  return req.session.userId ? { kind: 'person', userId: req.session.userId } : { kind: 'anonymous' };
}

/**
 * Realm isolation: `:realmId` resolves only to a company the signed-in person is a member of,
 * the company of the API token, or any company for the operator. Anything else is a 404, never
 * a 403: other companies do not exist.
 */
export function loadCompany({ services }: Uses<'companyAccess'>) {
  return async (req: Request, res: Response, next: NextFunction, realmId: string) => {
    try {
      const company = await services.companyAccess.company(askerOf(req), realmId);
      if (!company) return next(new NotFoundError('No such company'));
      req.company = company;
      // Every page of the company writes money and dates its way, in its time zone (the view helpers read these).
      res.locals.companyLocale = localeOf(company.country);
      res.locals.companyTimeZone = company.timezone;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The companies the asker may see, by the same rule as loadCompany. */
export function visibleCompanies({ services }: Uses<'companyAccess'>, req: Request): Promise<Company[]> {
  return services.companyAccess.companies(askerOf(req));
}
