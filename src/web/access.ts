import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../app-context';
import type { ApiTokenGrant, ApiTokensRepository } from '../db/api-tokens-repository';
import type { Company } from '../db/schema';
import { AppError, NotFoundError, UnauthorizedError } from '../errors';
import { COMPANY_TOKEN_PREFIX, hashCompanyToken } from './api-token';

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
export function identify(context: Pick<AppContext, 'config'>, apiTokens: ApiTokensRepository) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined || !/^bearer/i.test(header)) return next();
    try {
      const token = BEARER.exec(header)?.[1];
      if (!token) throw new UnauthorizedError('Send the API token as "Authorization: Bearer <token>"');
      if (context.config.apiToken && sameSecret(token, context.config.apiToken)) {
        req.operator = true;
        return next();
      }
      const grant = token.startsWith(COMPANY_TOKEN_PREFIX) ? await apiTokens.findActive(hashCompanyToken(token)) : undefined;
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

/**
 * Realm isolation: `:realmId` resolves only to a company the signed-in person is a member of,
 * the company of the API token, or any company for the operator. Anything else is a 404, never
 * a 403: other companies do not exist.
 */
export function loadCompany(context: Pick<AppContext, 'repos'>) {
  return async (req: Request, _res: Response, next: NextFunction, realmId: string) => {
    try {
      const company = req.companyToken
        ? req.companyToken.realmId === realmId
          ? await context.repos.companies.find(realmId)
          : undefined
        : req.operator
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

/** The companies the asker may see, by the same rule as loadCompany. */
export async function visibleCompanies(context: Pick<AppContext, 'repos'>, req: Request): Promise<Company[]> {
  if (req.companyToken) {
    const company = await context.repos.companies.find(req.companyToken.realmId);
    return company ? [company] : [];
  }
  if (req.operator) return context.repos.companies.listAll();
  return req.session.userId ? context.repos.companies.listForUser(req.session.userId) : [];
}
