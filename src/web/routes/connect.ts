import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError } from '../../errors';
import type { Uses } from '../../services';
import type { WebDeps } from '../deps';
import { beginSession, saveSession } from '../sign-in-session';
import { completeSignIn } from './sign-in';
import { operatorEmailOf } from './operator';

const callbackQuery = z.object({
  code: z.string().min(1).max(2048),
  state: z.string().min(16).max(256),
  // A sign-in (OpenID only) comes back without one; a connection must name its company.
  realmId: z.string().regex(/^\d{1,32}$/, 'must be the QuickBooks company id').optional(),
});
const MISSING = 'This QuickBooks callback is missing its code, state or company id. Start again from Connect to QuickBooks.';

/**
 * Connecting a QuickBooks company: /connect → Intuit → /callback, and Intuit's Launch and
 * Disconnect URLs. The `state` is bound to this browser session and consumed atomically, so a
 * forged, stale or replayed callback stores nothing and never exchanges a code twice. /callback
 * also completes "Sign in with Intuit" (routes/sign-in.ts): the consumed state says which.
 */
export function connectRoutes(context: Pick<WebDeps, 'config'> & Uses<'connections' | 'signIn' | 'companies'>): Router {
  const router = Router();
  const { connections, companies } = context.services;

  router.get(['/connect', '/reconnect'], async (req, res) => {
    const realmHint = typeof req.query.realmId === 'string' && /^\d{1,32}$/.test(req.query.realmId) ? req.query.realmId : null;
    // The session must exist before Intuit sends the browser back.
    await saveSession(req);
    res.redirect(302, await connections.begin(req.sessionID, realmHint));
  });

  router.get('/callback', async (req, res) => {
    if (typeof req.query.error === 'string') {
      if (typeof req.query.state === 'string') await connections.consume(req.query.state, req.sessionID);
      res.status(400).render('connect-cancelled', { title: 'Not connected', reason: req.query.error === 'access_denied' ? 'You cancelled the connection in QuickBooks.' : 'QuickBooks did not complete the connection.' });
      return;
    }
    const parsed = callbackQuery.safeParse(req.query);
    if (!parsed.success) throw new BadRequestError(MISSING);
    const { code, state, realmId } = parsed.data;
    const pending = await connections.consume(state, req.sessionID);
    if (!pending) throw new BadRequestError('This connection link has expired, was already used, or was not started in this browser. Start again from Connect to QuickBooks.');
    if (pending.purpose === 'signin') return completeSignIn(context, req, res, code, state);
    if (!realmId) throw new BadRequestError(MISSING);

    // The new tokens must read the claimed company before anything is stored (services/connections.ts).
    const { userId, user } = await connections.connect({ code, state, realmId, purpose: pending.purpose }, req.log);
    // A new session id at sign-in: a session fixed before login is worth nothing after it.
    await beginSession(req, userId, { operatorEmail: operatorEmailOf(context.config, user) });
    req.log.info({ realmId, purpose: pending.purpose }, 'QuickBooks company connected');
    res.redirect(303, `/companies/${realmId}`);
  });

  router.get('/launch', async (req, res) => {
    const userId = req.session.userId;
    const theirs = userId ? await companies.forUser(userId) : [];
    const target = theirs.find((c) => c.status === 'connected') ?? theirs[0];
    res.redirect(302, target ? `/companies/${target.realm_id}` : '/connect');
  });

  // Intuit sends the browser here after the user disconnected Ardesk inside QuickBooks. We do not
  // trust the visit itself; we ask QuickBooks, and a refused token marks the connection.
  router.get('/disconnected', async (req, res) => {
    const userId = req.session.userId;
    const after = userId ? await connections.recheck(userId, req.log) : [];
    res.render('disconnected', { title: 'Disconnected from QuickBooks', companies: after.filter((c) => c.status !== 'connected') });
  });

  return router;
}
