import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiTokenSummary } from '../../db/api-tokens-repository';
import { AppError, BadRequestError, NotFoundError } from '../../errors';
import type { Uses } from '../../services';
import { authenticatedByToken, loadCompany, requireSignIn } from '../access';
import { recordId } from '../route-params';

const SCOPE_LABELS = { read: 'Read only', read_write: 'Read and write' } as const;

const createForm = z
  .object({
    name: z.string().trim().min(1, 'give the token a name').max(80, 'use at most 80 characters'),
    scope: z.enum(['read', 'read_write'], { error: 'choose read only or read and write' }),
    _csrf: z.string().optional(),
  })
  .strict();

export class MembersOnlyError extends AppError {
  constructor() {
    super('members_only', 'Only a signed-in member of the company can create or revoke its API tokens.', { status: 403 });
  }
}

/** Token management is a person's act: not the operator's, not another token's. */
function requireMember(req: Request, _res: Response, next: NextFunction): void {
  if (authenticatedByToken(req) || !req.session.userId) return next(new MembersOnlyError());
  next();
}

function present(token: ApiTokenSummary) {
  return { id: token.id, name: token.name, scope: SCOPE_LABELS[token.scope], hint: token.hint, createdAt: token.created_at.toISOString().slice(0, 10) };
}

/**
 * A company's own API tokens, on its settings page: created (the secret is shown once, on the
 * answer to the form, and never stored) and revoked by its members.
 */
export function apiTokenRoutes(context: Uses<'companyAccess' | 'apiTokens'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { apiTokens } = context.services;

  // The settings page (report-pages.ts) lists the live tokens beside the playbook settings.
  const listTokens = async (req: Request, res: Response, next: NextFunction) => {
    res.locals.apiTokens = (await apiTokens.live(req.company!.realm_id)).map(present);
    res.locals.tokenRevoked = req.query.tokenRevoked === '1';
    next();
  };
  router.get('/companies/:realmId/settings', requireSignIn, listTokens);
  router.post('/companies/:realmId/settings', requireSignIn, listTokens);

  router.post('/companies/:realmId/api-tokens', requireSignIn, requireMember, async (req, res) => {
    const form = createForm.safeParse(req.body ?? {});
    if (!form.success) throw new BadRequestError(`The token was not created: ${form.error.issues.map((issue) => issue.message).join('; ')}.`);
    const { token, created } = await apiTokens.create(req.company!.realm_id, { name: form.data.name, scope: form.data.scope, createdBy: req.session.userId! });
    req.log.info({ realmId: req.company!.realm_id, tokenId: created.id, scope: created.scope }, 'API token created');
    // The secret is on this page only: no cache may keep it.
    res.set('Cache-Control', 'no-store');
    res.render('api-token-created', { title: 'New API token', company: req.company, token, created: present(created) });
  });

  router.post('/companies/:realmId/api-tokens/:tokenId/revoke', requireSignIn, requireMember, async (req, res) => {
    const tokenId = recordId(req, 'tokenId', 'uuid', 'API token');
    if (!(await apiTokens.revoke(req.company!.realm_id, tokenId))) throw new NotFoundError('No such API token');
    req.log.info({ realmId: req.company!.realm_id, tokenId }, 'API token revoked');
    res.redirect(303, `/companies/${req.company!.realm_id}/settings?tokenRevoked=1`);
  });
  return router;
}
