import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context';
import { changeSettings, settingsFor } from '../../jobs/cadence';
import { queueNotes } from '../../jobs/handlers/notes';
import { loadCompany, requireSignIn } from '../access';

const PAGE_SIZE = 50;
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
export function activityRoutes(context: AppContext): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));

  const list = async (realmId: string, query: z.infer<typeof listQuery>) => {
    const rows = await context.repos.notes.activityPage(realmId, { customerId: query.customerId, note: query.note, limit: PAGE_SIZE + 1, offset: (query.page - 1) * PAGE_SIZE });
    return { activities: rows.slice(0, PAGE_SIZE), more: rows.length > PAGE_SIZE };
  };

  router.get('/api/realms/:realmId/activities', requireSignIn, async (req, res) => {
    const query = listQuery.parse(req.query);
    const { activities, more } = await list(req.company!.realm_id, query);
    res.json({
      page: query.page,
      more,
      activities: activities.map((a) => ({ id: a.id, customerId: a.customer_id, customer: a.display_name, kind: a.kind, summary: a.summary, occurredOn: a.occurred_on, invoiceIds: a.invoice_ids, note: { status: a.note_status, quickBooksId: a.note_id, error: a.note_error, writtenAt: a.note_written_at } })),
    });
  });

  router.get('/companies/:realmId/activities', requireSignIn, async (req, res) => {
    const query = listQuery.parse(req.query);
    const realmId = req.company!.realm_id;
    const [{ activities, more }, counts, settings] = await Promise.all([list(realmId, query), context.repos.notes.counts(realmId), settingsFor(context, realmId, req.company!.timezone)]);
    const search = (page: number) => new URLSearchParams({ ...(query.customerId ? { customerId: query.customerId } : {}), ...(query.note ? { note: query.note } : {}), page: String(page) }).toString();
    res.render('activities', {
      title: 'Activity and QuickBooks notes',
      company: req.company,
      activities: activities.map((a) => ({ ...a, noteLabel: NOTE_LABELS[a.note_status], invoices: a.invoice_ids.length })),
      counts: ['written', 'pending', 'failed', 'skipped'].map((status) => ({ status, label: NOTE_LABELS[status], count: counts[status] ?? 0, current: query.note === status })),
      writeBack: settings.writeNotesToQuickBooks,
      previous: query.page > 1 ? search(query.page - 1) : null,
      next: more ? search(query.page + 1) : null,
    });
  });

  router.post('/companies/:realmId/notes-setting', requireSignIn, async (req, res) => {
    const { writeNotesToQuickBooks } = z.object({ writeNotesToQuickBooks: z.enum(['on', 'off']), _csrf: z.string().optional() }).parse(req.body ?? {});
    const realmId = req.company!.realm_id;
    await changeSettings(context, realmId, req.company!.timezone, { writeNotesToQuickBooks: writeNotesToQuickBooks === 'on' });
    if (writeNotesToQuickBooks === 'on') await queueNotes(context, realmId);
    res.redirect(303, `/companies/${realmId}/activities`);
  });
  return router;
}
