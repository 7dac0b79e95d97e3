import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors';
import type { Uses } from '../../services';
import type { WebDeps } from '../deps';
import { beginSession, endSession, saveSession } from '../sign-in-session';
import { operatorEmailOf, QUEUE_VIEW_PATH } from './operator';

export class NotAMemberError extends AppError {
  constructor() {
    super('not_a_member', 'Intuit knows you, but no company in Ardesk lists you as a member yet. To begin, use Connect to QuickBooks with your company.', { status: 403 });
  }
}

/**
 * "Sign in with Intuit" for people who are already members of a company, and signing out.
 * Sign-in asks Intuit for OpenID scopes only: it proves who the person is and gives Ardesk no
 * access to any company's books, so it stores no tokens and starts no sync. Its `state` is
 * bound to the session like Connect's, and Intuit answers on the same /callback.
 */
export function signInRoutes(context: Uses<'signIn'>): Router {
  const router = Router();

  router.post('/signin', async (req, res) => {
    await saveSession(req);
    res.redirect(303, await context.services.signIn.begin(req.sessionID));
  });

  router.post('/logout', async (req, res) => {
    await endSession(req, res);
    res.redirect(303, '/');
  });
  return router;
}

/**
 * The /callback of a sign-in whose `state` was already consumed: who is this, and are they a
 * member, or an operator (OPERATOR_EMAILS, who may sign in without being a member of any company)?
 */
export async function completeSignIn(context: Pick<WebDeps, 'config'> & Uses<'signIn'>, req: Request, res: Response, code: string, state: string): Promise<void> {
  const { who, person, companies } = await context.services.signIn.identify(code, state);
  const operatorEmail = operatorEmailOf(context.config, who);
  if (!operatorEmail && (!person || companies.length === 0)) {
    req.log.info({ known: Boolean(person) }, 'sign-in refused: not a member of any company');
    throw new NotAMemberError();
  }
  const user = await context.services.signIn.admit(who);
  await beginSession(req, user.id, { operatorEmail });
  req.log.info({ userId: user.id, operator: Boolean(operatorEmail) }, 'signed in with Intuit');
  res.redirect(303, companies.length === 1 ? `/companies/${companies[0]!.realm_id}` : companies.length === 0 ? QUEUE_VIEW_PATH : '/');
}
