import { Router, type NextFunction, type Request, type Response } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '../../config';
import { AppError, NotFoundError } from '../../errors';
import type { IntuitUser } from '../../quickbooks/oauth';
import type { Uses } from '../../services';
import { QUEUE_VIEW_POLICY } from '../csp';
import type { WebDeps } from '../deps';
import { inboundReplies } from '../presenters/inbound-replies';

declare module 'express-session' {
  interface SessionData {
    /** Set at sign-in for a person whose Intuit-verified email is in OPERATOR_EMAILS. */
    operatorEmail?: string;
  }
}

export const QUEUE_VIEW_PATH = '/operator/queues';

/**
 * Who is an operator: a person signed in with Intuit (by connecting a company or with "Sign in
 * with Intuit") whose email address Intuit has verified and OPERATOR_EMAILS lists. The address is
 * noted in the session at sign-in and checked against OPERATOR_EMAILS on every request, so taking
 * it off the list (and restarting) ends that person's operator access at once.
 */
export function operatorEmailOf(config: Pick<Config, 'operatorEmails'>, user: Pick<IntuitUser, 'email' | 'emailVerified'>): string | undefined {
  const email = user.email?.trim().toLowerCase();
  return email && user.emailVerified && config.operatorEmails.includes(email) ? email : undefined;
}

export function isOperator(config: Pick<Config, 'operatorEmails'>, req: Request): boolean {
  const email = req.session.operatorEmail;
  return Boolean(req.session.userId && email && config.operatorEmails.includes(email));
}

class CrossOriginError extends AppError {
  constructor() {
    super('cross_origin', 'This change did not come from the queue view of this Ardesk.', { status: 403 });
  }
}

/** True for the queue view's own JSON calls: they carry no form token, so they are checked by origin instead. */
export function isQueueViewApi(req: Request): boolean {
  return req.path.startsWith(`${QUEUE_VIEW_PATH}/api/`);
}

/**
 * The operator pages: the queue view (Bull Board) at /operator/queues, for operators only
 * (anyone else gets a 404: the page does not exist for them). Its changes (retry, promote,
 * clean, pause) are PUT/POST/DELETE calls from its own script, which the form token cannot
 * cover; they must come from this origin (Origin or Sec-Fetch-Site), on top of the SameSite
 * session cookie.
 */
export function operatorRoutes(context: Pick<WebDeps, 'config'> & Uses<'operatorQueues' | 'inboundReplies'>): Router {
  const router = Router();
  const origin = new URL(context.config.publicUrl).origin;
  const onlyOperators = (req: Request, _res: Response, next: NextFunction) => (isOperator(context.config, req) ? next() : next(new NotFoundError('There is nothing at this address.')));
  const sameOrigin = (req: Request, _res: Response, next: NextFunction) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
    const from = req.get('origin');
    const site = req.get('sec-fetch-site');
    if (from ? from === origin : site === 'same-origin') return next();
    next(new CrossOriginError());
  };

  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_VIEW_PATH);
  createBullBoard({
    queues: context.services.operatorQueues.all().map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Ardesk queues', hideDocsLink: true } },
  });

  router.get('/operator', onlyOperators, (_req, res) => res.redirect(302, QUEUE_VIEW_PATH));
  // Mail that came back and matched no company or account (a forged or stale reply address, a
  // reply to someone's forwarded copy): kept here, never lost. Operators, and the operator's API token.
  router.get('/operator/inbound', (req, res, next) => (req.operator ? next() : onlyOperators(req, res, next)), async (_req, res) => {
    res.render('inbound-unmatched', { title: 'Unmatched inbound mail', messages: inboundReplies(await context.services.inboundReplies.unmatched()) });
  });
  const policy = (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', QUEUE_VIEW_POLICY);
    next();
  };
  router.use(QUEUE_VIEW_PATH, onlyOperators, sameOrigin, policy, board.getRouter());
  return router;
}
