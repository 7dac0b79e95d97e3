import { Router } from 'express';
import { z } from 'zod';
import type { Uses } from '../../services';
import { loadCompany, requireSignIn } from '../access';

const listQuery = z
  .object({
    customerId: z.string().regex(/^\d{1,32}$/, 'must be a QuickBooks customer id').optional(),
    note: z.enum(['pending', 'written', 'failed', 'skipped']).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .strict();

const NOTE_LABELS: Record<string, string> = { written: 'In QuickBooks', pending: 'On its way to QuickBooks', failed: 'Not in QuickBooks', skipped: 'Not written' };

/**
 * The activity log of a company, newest first, each with where its QuickBooks note stands (JSON
 * and a page), and the company's switch for writing notes back at all.
 */
export function activityRoutes(context: Uses<'companyAccess' | 'activities'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { activities: activityLog } = context.services;

  router.get('/api/realms/:realmId/activities', requireSignIn, async (req, res) => {
    const query = listQuery.parse(req.query);
    const { activities, more } = await activityLog.page(req.company!.realm_id, query);
    res.json({
      page: query.page,
      more,
      activities: activities.map((a) => ({ id: a.id, customerId: a.customer_id, customer: a.display_name, kind: a.kind, summary: a.summary, occurredOn: a.occurred_on, invoiceIds: a.invoice_ids, note: { status: a.note_status, quickBooksId: a.note_id, error: a.note_error, writtenAt: a.note_written_at } })),
    });
  });

  router.get('/companies/:realmId/activities', requireSignIn, async (req, res) => {
    const query = listQuery.parse(req.query);
    const { activities, more, counts, writeBack } = await activityLog.overview(req.company!.realm_id, query);
    const search = (page: number) => new URLSearchParams({ ...(query.customerId ? { customerId: query.customerId } : {}), ...(query.note ? { note: query.note } : {}), page: String(page) }).toString();
    res.render('activities', {
      title: 'Activity and QuickBooks notes',
      company: req.company,
      activities: activities.map((a) => ({ ...a, noteLabel: NOTE_LABELS[a.note_status], invoices: a.invoice_ids.length })),
      counts: ['written', 'pending', 'failed', 'skipped'].map((status) => ({ status, label: NOTE_LABELS[status], count: counts[status] ?? 0, current: query.note === status })),
      writeBack,
      previous: query.page > 1 ? search(query.page - 1) : null,
      next: more ? search(query.page + 1) : null,
    });
  });

  router.post('/companies/:realmId/notes-setting', requireSignIn, async (req, res) => {
    const { writeNotesToQuickBooks } = z.object({ writeNotesToQuickBooks: z.enum(['on', 'off']), _csrf: z.string().optional() }).parse(req.body ?? {});
    const realmId = req.company!.realm_id;
    await activityLog.setWriteBack(realmId, writeNotesToQuickBooks === 'on');
    res.redirect(303, `/companies/${realmId}/activities`);
  });
  return router;
}
