import { Router, type Request } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { optionalLocalDate } from '../../collections/local-date-schema';
import type { AppContext } from '../../app-context';
import { recordActivities } from '../../db/cadence-recorder';
import { todayFor } from '../../jobs/cadence';
import { queueNotesSoon } from '../../jobs/handlers/notes';
import { BadRequestError, NotFoundError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';
import { recordId } from '../route-params';
import { customerFile } from '../presenters/customer-file';
import { escalationFile } from '../presenters/escalation-file';
import { escalationPdf } from '../presenters/escalation-pdf';

const pauseForm = z.object({ until: optionalLocalDate, reason: z.string().max(500).optional(), _csrf: z.string().optional() }).strict();
const typeForm = z.object({ type: z.enum(['commercial', 'personal', 'auto']), _csrf: z.string().optional() }).strict();


/**
 * The customer page (timeline, invoices, contacts, the type override, pausing until a date) and
 * the invoice page. Pauses and type changes are activities too, so QuickBooks gets their note.
 */
export function customerPages(context: AppContext): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));

  const requireCustomer = async (realmId: string, customerId: string) => {
    const customer = await context.db.selectFrom('qbo_customers').select('id').where('realm_id', '=', realmId).where('id', '=', customerId).executeTakeFirst();
    if (!customer) throw new NotFoundError('No such customer');
  };
  const todayOf = (req: Request) => todayFor(context, req.company!.realm_id, req.company!.timezone);

  router.get('/companies/:realmId/customers/:customerId', requireSignIn, async (req, res) => {
    const file = await customerFile(context, req.company!.realm_id, recordId(req, 'customerId', 'quickBooks', 'customer'));
    res.render('customer', { title: file.customer.name, company: req.company, file, escalation: file.openInvoices.some((invoice) => invoice.escalation), saved: typeof req.query.saved === 'string' ? req.query.saved.slice(0, 200) : undefined, types: ['auto', 'commercial', 'personal'].map((type) => ({ type, selected: (file.customer.typeOverride ?? 'auto') === type })) });
  });

  router.post('/companies/:realmId/customers/:customerId/pause', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = recordId(req, 'customerId', 'quickBooks', 'customer');
    const { until, reason } = pauseForm.parse(req.body ?? {});
    const today = await todayOf(req);
    if (until && until < today) throw new BadRequestError('until: a pause cannot end in the past');
    await requireCustomer(realmId, customerId);
    await context.db.transaction().execute(async (trx) => {
      const pause = await trx.insertInto('pauses').values({ realm_id: realmId, customer_id: customerId, until: until ?? null, reason: reason?.trim() || null }).returning('id').executeTakeFirstOrThrow();
      await recordActivities(trx, realmId, today, [{ customerId, invoiceIds: [], kind: 'paused', summary: `automatic collection paused ${until ? `until ${until}` : 'until further notice'}${reason?.trim() ? `: ${reason.trim()}` : ''}`, details: { pauseId: pause.id, until: until ?? null }, key: `pause:${pause.id}` }]);
    });
    await queueNotesSoon(context, realmId, req.log);
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=${encodeURIComponent(`Paused ${until ? `until ${until}` : 'until further notice'}.`)}`);
  });

  router.post('/companies/:realmId/customers/:customerId/pauses/:pauseId/end', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = recordId(req, 'customerId', 'quickBooks', 'customer');
    const pauseId = recordId(req, 'pauseId', 'uuid', 'pause');
    const today = await todayOf(req);
    const ended = await context.db.transaction().execute(async (trx) => {
      const pause = await trx.deleteFrom('pauses').where('realm_id', '=', realmId).where('id', '=', pauseId).returning(['customer_id', 'invoice_id']).executeTakeFirst();
      if (!pause) return false;
      await recordActivities(trx, realmId, today, [{ customerId, invoiceIds: pause.invoice_id ? [pause.invoice_id] : [], kind: 'pause_ended', summary: 'automatic collection resumed', details: { pauseId }, key: `pause-ended:${pauseId}` }]);
      return true;
    });
    if (!ended) throw new NotFoundError('No such pause');
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=${encodeURIComponent('Automatic collection resumed.')}`);
  });

  router.post('/companies/:realmId/customers/:customerId/type', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = recordId(req, 'customerId', 'quickBooks', 'customer');
    const { type } = typeForm.parse(req.body ?? {});
    await requireCustomer(realmId, customerId);
    const override = type === 'auto' ? null : type;
    await context.db.insertInto('customer_histories').values({ realm_id: realmId, customer_id: customerId, type_override: override }).onConflict((oc) => oc.columns(['realm_id', 'customer_id']).doUpdateSet({ type_override: override })).execute();
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=${encodeURIComponent(type === 'auto' ? 'Type follows QuickBooks again.' : `Treated as ${type} from now on.`)}`);
  });

  router.get('/companies/:realmId/customers/:customerId/escalation', requireSignIn, async (req, res) => {
    const file = await escalationFile(context, req.company!.realm_id, recordId(req, 'customerId', 'quickBooks', 'customer'));
    res.render('escalation', { title: `Collection file: ${file.customer.name}`, layout: 'print', company: req.company, file });
  });

  router.get('/companies/:realmId/customers/:customerId/escalation.pdf', requireSignIn, async (req, res) => {
    const file = await escalationFile(context, req.company!.realm_id, recordId(req, 'customerId', 'quickBooks', 'customer'));
    const pdf = await escalationPdf(file);
    const name = `collection-file-${file.customer.name}-${file.generatedOn}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100);
    res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="${name}.pdf"`);
    res.send(pdf);
  });

  router.get('/companies/:realmId/invoices/:invoiceId', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const invoiceId = recordId(req, 'invoiceId', 'quickBooks', 'invoice');
    const invoice = await context.db.selectFrom('qbo_invoices').selectAll().where('realm_id', '=', realmId).where('id', '=', invoiceId).executeTakeFirst();
    if (!invoice) throw new NotFoundError('No such invoice');
    const [customer, state, activities, messages] = await Promise.all([
      context.db.selectFrom('qbo_customers').select(['id', 'display_name']).where('realm_id', '=', realmId).where('id', '=', invoice.customer_id).executeTakeFirst(),
      context.db.selectFrom('invoice_states').selectAll().where('realm_id', '=', realmId).where('invoice_id', '=', invoiceId).executeTakeFirst(),
      context.db.selectFrom('activities').select(['occurred_on', 'kind', 'summary', 'note_status']).where('realm_id', '=', realmId).where(sql<boolean>`invoice_ids @> ${JSON.stringify([invoiceId])}::jsonb`).orderBy('created_at', 'desc').limit(200).execute(),
      context.db.selectFrom('messages').select(['id', 'kind', 'status', 'send_at', 'sent_at', 'to_address']).where('realm_id', '=', realmId).where(sql<boolean>`invoice_ids @> ${JSON.stringify([invoiceId])}::jsonb`).orderBy('send_at', 'desc').execute(),
    ]);
    res.render('invoice', { title: `Invoice #${invoice.doc_number ?? invoice.id}`, company: req.company, invoice: { ...invoice, number: invoice.doc_number ?? invoice.id, total: Number(invoice.total), balance: Number(invoice.balance) }, customer, state, activities, messages });
  });
  return router;
}
