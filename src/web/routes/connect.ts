import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context';
import { BadRequestError } from '../../errors';
import type { CompanyInfo } from '../../quickbooks/client';
import { QuickBooksFault, ReconnectRequiredError } from '../../quickbooks/errors';
import { queueFirstSync, scheduleCompany } from '../../jobs/schedules';
import { beginSession, saveSession } from '../sign-in-session';
import { completeSignIn } from './sign-in';
import { operatorEmailOf } from './operator';

const STATE_TTL_MS = 10 * 60 * 1000;

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
export function connectRoutes(context: AppContext): Router {
  const router = Router();
  const { repos, quickbooks, clock } = context;

  async function verifiedCompany(realmId: string, accessToken: string): Promise<CompanyInfo | null> {
    try {
      return await quickbooks.client.companyInfoWithToken(realmId, accessToken);
    } catch (error) {
      if (error instanceof QuickBooksFault && [401, 403].includes(error.httpStatus)) return null;
      throw error;
    }
  }

  router.get(['/connect', '/reconnect'], async (req, res) => {
    const realmHint = typeof req.query.realmId === 'string' && /^\d{1,32}$/.test(req.query.realmId) ? req.query.realmId : null;
    const state = randomBytes(32).toString('base64url');
    // The session must exist before Intuit sends the browser back.
    await saveSession(req);
    await repos.oauthStates.issue(state, req.sessionID, new Date(clock.now().getTime() + STATE_TTL_MS), realmHint ? 'reconnect' : 'connect', realmHint);
    res.redirect(302, await quickbooks.oauth.authorizeUrl(state));
  });

  router.get('/callback', async (req, res) => {
    if (typeof req.query.error === 'string') {
      if (typeof req.query.state === 'string') await repos.oauthStates.consume(req.query.state, req.sessionID, clock.now());
      res.status(400).render('connect-cancelled', { title: 'Not connected', reason: req.query.error === 'access_denied' ? 'You cancelled the connection in QuickBooks.' : 'QuickBooks did not complete the connection.' });
      return;
    }
    const parsed = callbackQuery.safeParse(req.query);
    if (!parsed.success) throw new BadRequestError(MISSING);
    const { code, state, realmId } = parsed.data;
    const pending = await repos.oauthStates.consume(state, req.sessionID, clock.now());
    if (!pending) throw new BadRequestError('This connection link has expired, was already used, or was not started in this browser. Start again from Connect to QuickBooks.');
    if (pending.purpose === 'signin') return completeSignIn(context, req, res, code, state);
    if (!realmId) throw new BadRequestError(MISSING);

    const query = new URLSearchParams({ code, state, realmId }).toString();
    const issued = await quickbooks.oauth.exchangeCode(`${context.config.intuit.redirectUri}?${query}`);
    // The realmId in the URL is only a claim: the browser can edit it. Before anything is stored,
    // the new tokens must read that very company; a token of another company gets 403 / 3100.
    const info = await verifiedCompany(realmId, issued.accessToken);
    if (!info) {
      await quickbooks.oauth.revoke(issued.refreshToken).catch((error) => req.log.warn({ err: error }, 'could not revoke the refused tokens'));
      req.log.warn({ realmId, purpose: pending.purpose }, 'callback refused: the new tokens do not belong to the claimed company');
      throw new BadRequestError('QuickBooks did not confirm access to that company with this connection. Nothing was changed. Start again from Connect to QuickBooks.');
    }
    const user = await quickbooks.oauth.userInfo(issued.accessToken);
    const person = await repos.users.upsertByIntuitSub(user.sub, { email: user.email, name: user.name });
    await repos.companies.upsert({
      realm_id: realmId,
      name: info.CompanyName || info.LegalName || `QuickBooks company ${realmId}`,
      status: 'connected',
      status_reason: null,
      // A business date (SPEC §4): the playbook compares it with invoice dates on the business clock.
      connected_at: clock.businessNow(),
      disconnected_at: null,
      // A copy deleted while disconnected (retention) is filled again by the first full sync.
      copy_deleted_at: null,
      country: info.Country ?? null,
      email: info.Email?.Address ?? null,
      phone: info.PrimaryPhone?.FreeFormNumber ?? null,
    });
    await quickbooks.vault.storeNew(realmId, issued, clock.now());
    await repos.companies.addMember(realmId, person.id);
    const connected = (await repos.companies.find(realmId))!;
    await scheduleCompany(context.queues, realmId, connected.timezone);
    await queueFirstSync(context.queues, realmId, clock.now());
    // Messages held while the company was disconnected go out now, not at the next minute's pass.
    await context.queues.enqueue('mail.dispatch', {}).catch((error) => req.log.warn({ err: error }, 'could not queue the outbox now'));
    // A new session id at sign-in: a session fixed before login is worth nothing after it.
    await beginSession(req, person.id, { operatorEmail: operatorEmailOf(context.config, user) });
    req.log.info({ realmId, purpose: pending.purpose }, 'QuickBooks company connected');
    res.redirect(303, `/companies/${realmId}`);
  });

  router.get('/launch', async (req, res) => {
    const userId = req.session.userId;
    const companies = userId ? await repos.companies.listForUser(userId) : [];
    const target = companies.find((c) => c.status === 'connected') ?? companies[0];
    res.redirect(302, target ? `/companies/${target.realm_id}` : '/connect');
  });

  // Intuit sends the browser here after the user disconnected Ardesk inside QuickBooks. We do not
  // trust the visit itself; we ask QuickBooks, and a refused token marks the connection.
  router.get('/disconnected', async (req, res) => {
    const userId = req.session.userId;
    const companies = userId ? await repos.companies.listForUser(userId) : [];
    for (const company of companies.filter((c) => c.status === 'connected')) {
      try {
        await quickbooks.client.companyInfo(company.realm_id);
      } catch (error) {
        if (!(error instanceof ReconnectRequiredError)) req.log.warn({ realmId: company.realm_id, err: error }, 'could not check the connection');
      }
    }
    const after = userId ? await repos.companies.listForUser(userId) : [];
    res.render('disconnected', { title: 'Disconnected from QuickBooks', companies: after.filter((c) => c.status !== 'connected') });
  });

  return router;
}
