import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError } from '../../errors';
import type { Uses } from '../../services';
import { loadCompany, requireSignIn } from '../access';
import { presentSync } from './api';
import { entityWords, presentProgress } from '../presenters/progress';
import { MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';

/** Failed messages of the last this many days are shown on the company page. */
const FAILURES_SHOWN_DAYS = 14;

/** What the last sync read, in words: "300 invoices, 60 customers, 5 credit memos". */
export function syncCountsInWords(counts: Record<string, number> | null | undefined): string {
  const parts = Object.entries(counts ?? {}).map(([entity, n]) => {
    return `${n.toLocaleString('en-US')} ${entityWords(entity, n)}`;
  });
  return parts.length ? parts.join(', ') : 'nothing new';
}

/** A company's pages; every route resolves `:realmId` through the realm-isolation check. */
export function companyRoutes(context: Uses<'companyAccess' | 'companies' | 'companySync' | 'companyPage' | 'retention' | 'connections' | 'sendReview'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { services } = context;

  router.get('/companies/:realmId', requireSignIn, async (req, res) => {
    const companies = req.session.userId ? await services.companies.forUser(req.session.userId) : [];
    const [syncState, failed, review, reads, work] = await Promise.all([
      services.companySync.status(req.company!.realm_id),
      services.companyPage.recentFailures(req.company!.realm_id, FAILURES_SHOWN_DAYS),
      services.sendReview.review(req.company!.realm_id),
      services.companySync.reads(req.company!.realm_id),
      services.companySync.progress(req.company!.realm_id),
    ]);
    const sync = presentSync(syncState);
    const failures = { count: failed.count, days: FAILURES_SHOWN_DAYS, latest: failed.latest.map((m) => ({ ...m, name: MESSAGE_NAMES[m.kind as MessageKind] ?? m.kind })) };
    const disconnected = req.company!.status === 'disconnected';
    const copy = disconnected ? services.retention.copyOf(req.company!) : undefined;
    const connected = req.company!.status === 'connected';
    const syncRequested = req.query.sync === 'requested';
    const progress = presentProgress(work);
    // While a sync or a daily run is under way (or the first sync has not finished) the page
    // refreshes itself, to the plain page once "Sync now" has been acknowledged.
    const refresh = progress.active ? { seconds: 2, url: `/companies/${req.company!.realm_id}` } : connected && !sync.lastSuccessAt ? { seconds: 5 } : undefined;
    // The open part of the first sync is in and no full sync or backfill has completed the copy since.
    const historyPending = Boolean(syncState?.worklist_ready_at && (!syncState.last_full_at || syncState.last_full_at < syncState.worklist_ready_at));
    res.render('company', { title: req.company!.name, company: req.company, companies, sync, syncCounts: syncCountsInWords(sync.counts), historyPending, syncRequested, refresh, progress, failures, needsReconnect: req.company!.status === 'needs_reconnect', disconnected, copy, review, reads });
  });

  // "Delete now": a disconnected company's copy of QuickBooks goes at once instead of after
  // RETENTION_DAYS. The form carries the CSRF token like every other, and a ticked confirmation.
  const deleteForm = z.object({ confirm: z.literal('delete') });
  router.post('/companies/:realmId/delete-data', requireSignIn, async (req, res) => {
    if (req.company!.status !== 'disconnected') throw new BadRequestError('Only the copy of a disconnected company can be deleted: disconnect it from QuickBooks first.');
    if (!deleteForm.safeParse(req.body ?? {}).success) throw new BadRequestError('Tick the box to confirm that Ardesk should delete its copy of this company\'s QuickBooks data now.');
    const by = req.session.userId ? `user ${req.session.userId}` : 'the operator token';
    await services.retention.deleteNow(req.company!.realm_id, by, req.log);
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });

  router.post('/companies/:realmId/sync', requireSignIn, async (req, res) => {
    if (req.company!.status === 'connected') {
      await services.companySync.requestNow(req.company!.realm_id, 'auto', 'ui');
    }
    res.redirect(303, `/companies/${req.company!.realm_id}${req.company!.status === 'connected' ? '?sync=requested' : ''}`);
  });

  // SPEC §5's POST /disconnect: the company named in the form, resolved by the same
  // realm-isolation check as every `:realmId` route (someone else's company is a 404).
  const disconnectForm = z.object({ realmId: z.string().regex(/^\d{1,32}$/, 'must be the QuickBooks company id') });
  const resolveCompany = loadCompany(context);
  router.post('/disconnect', requireSignIn, async (req, res) => {
    const parsed = disconnectForm.safeParse(req.body ?? {});
    if (!parsed.success) throw new BadRequestError('realmId: name the QuickBooks company to disconnect');
    await new Promise<void>((resolve, reject) => void resolveCompany(req, res, (error?: unknown) => (error ? reject(error) : resolve()), parsed.data.realmId));
    await services.connections.disconnect(req.company!.realm_id, req.log);
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });

  // Disconnect asks first: the company page links here, and only this page's button posts.
  router.get('/companies/:realmId/disconnect', requireSignIn, async (req, res) => {
    if (req.company!.status === 'disconnected') return res.redirect(303, `/companies/${req.company!.realm_id}`);
    const retentionDays = services.retention.copyOf({ copy_deleted_at: null, disconnected_at: new Date() }).days;
    res.render('disconnect-confirm', { title: `Disconnect ${req.company!.name}?`, company: req.company, retentionDays });
  });

  router.post('/companies/:realmId/disconnect', requireSignIn, async (req, res) => {
    await services.connections.disconnect(req.company!.realm_id, req.log);
    res.redirect(303, `/companies/${req.company!.realm_id}`);
  });
  return router;
}

