import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app-context';
import { AppError } from '../../errors';
import { beginSession, endSession, saveSession } from '../sign-in-session';
import { operatorEmailOf, QUEUE_VIEW_PATH } from './operator';

const STATE_TTL_MS = 10 * 60 * 1000;

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
export function signInRoutes(context: AppContext): Router {
  const router = Router();
  const { repos, quickbooks, clock } = context;

  router.post('/signin', async (req, res) => {
    const state = randomBytes(32).toString('base64url');
    await saveSession(req);
    await repos.oauthStates.issue(state, req.sessionID, new Date(clock.now().getTime() + STATE_TTL_MS), 'signin', null);
    res.redirect(303, await quickbooks.oauth.signInUrl(state));
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
export async function completeSignIn(context: AppContext, req: Request, res: Response, code: string, state: string): Promise<void> {
  const { repos, quickbooks } = context;
  const query = new URLSearchParams({ code, state }).toString();
  const issued = await quickbooks.oauth.exchangeCode(`${context.config.intuit.redirectUri}?${query}`);
  // The OpenID tokens are used once, here, and never stored. They are not revoked: at Intuit a
  // revoke ends the app's whole connection, which could be the company's accounting one.
  const who = await quickbooks.oauth.userInfo(issued.accessToken);
  const person = await repos.users.findByIntuitSub(who.sub);
  const companies = person ? await repos.companies.listForUser(person.id) : [];
  const operatorEmail = operatorEmailOf(context.config, who);
  if (!operatorEmail && (!person || companies.length === 0)) {
    req.log.info({ known: Boolean(person) }, 'sign-in refused: not a member of any company');
    throw new NotAMemberError();
  }
  const user = await repos.users.upsertByIntuitSub(who.sub, { email: who.email, name: who.name });
  await beginSession(req, user.id, { operatorEmail });
  req.log.info({ userId: user.id, operator: Boolean(operatorEmail) }, 'signed in with Intuit');
  res.redirect(303, companies.length === 1 ? `/companies/${companies[0]!.realm_id}` : companies.length === 0 ? QUEUE_VIEW_PATH : '/');
}
