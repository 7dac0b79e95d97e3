import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError } from '../../errors';
import type { AppContext } from '../../app-context';
import { loadCompany, requireSignIn } from '../access';
import { unscheduleCompany } from '../../jobs/schedules';
import { presentSync } from './api';
import { MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import { copyDeletedOn, deleteCopyNow } from '../../services/retention';

/** Failed messages of the last this many days are shown on the company page. */
const FAILURES_SHOWN_DAYS = 14;

/** A company's pages; every route resolves `:realmId` through the realm-isolation check. */
export function companyRoutes(context: AppContext): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));

  router.get('/companies/:realmId', requireSignIn, async (req, res) => {
    const companies = req.session.userId ? await context.repos.companies.listForUser(req.session.userId) : [];
    // Failures are found by `send_at`, an instant of the business clock: the window is on it too.
    const since = new Date(context.clock.businessNow().getTime() - FAILURES_SHOWN_DAYS * 24 * 3600 * 1000);
    const [syncState, failed] = await Promise.all([context.repos.syncState.get(req.company!.realm_id), context.repos.outbox.failedSince(req.company!.realm_id, since)]);
    const sync = presentSync(syncState);
    const failures = { count: failed.count, days: FAILURES_SHOWN_DAYS, latest: failed.latest.map((m) => ({ ...m, name: MESSAGE_NAMES[m.kind as MessageKind] ?? m.kind })) };
    const disconnected = req.company!.status === 'disconnected';
    const copy = disconnected
      ? { deletedAt: req.company!.copy_deleted_at, deletesOn: req.company!.disconnected_at ? copyDeletedOn(req.company!.disconnected_at, context.config.retentionDays) : null, days: context.config.retentionDays }
      : undefined;
    res.render('company', { title: req.company!.name, company: req.company, companies, sync, failures, needsReconnect: req.company!.status === 'needs_reconnect', disconnected, copy });
  });

  // "Delete now": a disconnected company's copy of QuickBooks goes at once instead of after
  // RETENTION_DAYS. The form carries the CSRF token like every other, and a ticked confirmation.
  const deleteForm = z.object({ confirm: z.literal('delete') });
  router.post('/companies/:realmId/delete-data', requireSignIn, async (req, res) => {
    if (req.company!.status !== 'disconnected') throw new BadRequestError('Only the copy of a disconnected company can be deleted: disconnect it from QuickBooks first.');
    if (!deleteForm.safeParse(req.body ?? {}).success) throw new BadRequestError('Tick the box to confirm that Ardesk should delete its copy of this company\'s QuickBooks data now.');
    const by = req.session.userId ? `user ${req.session.userId}` : 'the operator token';
    await deleteCopyNow({ retention: context.repos.retention, clock: context.clock, logger: req.log }, req.company!.realm_id, by);
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });

  router.post('/companies/:realmId/sync', requireSignIn, async (req, res) => {
    if (req.company!.status === 'connected') {
      await context.queues.enqueue('sync.realm', { realmId: req.company!.realm_id, mode: 'auto' }, { jobId: `sync-ui-${req.company!.realm_id}-${Date.now()}` });
    }
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });

  // SPEC §5's POST /disconnect: the company named in the form, resolved by the same
  // realm-isolation check as every `:realmId` route (someone else's company is a 404).
  const disconnectForm = z.object({ realmId: z.string().regex(/^\d{1,32}$/, 'must be the QuickBooks company id') });
  const resolveCompany = loadCompany(context);
  router.post('/disconnect', requireSignIn, async (req, res) => {
    const parsed = disconnectForm.safeParse(req.body ?? {});
    if (!parsed.success) throw new BadRequestError('realmId: name the QuickBooks company to disconnect');
    await new Promise<void>((resolve, reject) => void resolveCompany(req, res, (error?: unknown) => (error ? reject(error) : resolve()), parsed.data.realmId));
    await disconnect(context, req.company!.realm_id, req.log);
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });

  router.post('/companies/:realmId/disconnect', requireSignIn, async (req, res) => {
    await disconnect(context, req.company!.realm_id, req.log);
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });
  return router;
}

/**
 * Ends a connection on the user's word: revokes at Intuit (best effort: the tokens go either
 * way), deletes them, and marks the company disconnected. The collection history stays.
 */
export async function disconnect(context: AppContext, realmId: string, log: AppContext['logger']): Promise<void> {
  const tokens = await context.quickbooks.vault.read(realmId).catch(() => undefined);
  if (tokens) {
    await context.quickbooks.oauth.revoke(tokens.refreshToken).catch((error) => log.warn({ realmId, err: error }, 'revoking at Intuit failed; deleting our tokens anyway'));
  }
  await context.quickbooks.vault.remove(realmId);
  await context.repos.companies.setStatus(realmId, 'disconnected', 'Disconnected in Ardesk');
  await unscheduleCompany(context.queues, realmId);
}
