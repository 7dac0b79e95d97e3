import { Router, type Request } from 'express';
import { z } from 'zod';
import { collectorText, DATE_HORIZON_YEARS, yearsAfter } from '../../collections/collector-input';
import { optionalLocalDate } from '../../collections/local-date-schema';
import type { Uses } from '../../services';
import { loadCompany, requireSignIn } from '../access';
import { NOTICES, noticeCode } from '../notices';
import { recordId } from '../route-params';
import { escalationFile } from '../presenters/escalation-file';
import { escalationPdf } from '../presenters/escalation-pdf';
import { agingBar } from '../presenters/aging-bar';
import { inboundReplies } from '../presenters/inbound-replies';
import { UnauthorizedError } from '../../errors';
import type { Approver } from '../../services/send-review';

const pauseForm = z.object({ until: optionalLocalDate, reason: collectorText({ max: 500, trim: true }).optional(), _csrf: z.string().optional() }).strict();
const doNotContactForm = z.object({ reason: collectorText({ max: 500, min: 1, required: 'say why (it is noted in QuickBooks)', trim: true }), _csrf: z.string().optional() }).strict();
const mayContactForm = z.object({ reason: collectorText({ max: 500, trim: true }).optional(), _csrf: z.string().optional() }).strict();
const typeForm = z.object({ type: z.enum(['commercial', 'personal', 'auto']), _csrf: z.string().optional() }).strict();
const handledForm = z.object({ task: z.uuid().optional(), _csrf: z.string().optional() }).strict();

/** Who marks a reply handled, for the timeline. */
function personOf(req: Request): Approver {
  if (req.companyToken) return { kind: 'company-token', tokenId: req.companyToken.id };
  if (req.operator) return { kind: 'operator' };
  if (req.session.userId) return { kind: 'person', userId: req.session.userId };
  throw new UnauthorizedError();
}

/** The notice after a form of this page: a known one, with the pause's date read from the customer's own pauses. */
function savedNotice(req: Request, pauses: Array<{ id: string; until: string | null }>): string | undefined {
  const code = noticeCode(req.query.saved);
  if (code !== 'paused') return code && NOTICES[code];
  const pause = pauses.find((p) => p.id === req.query.pause);
  return pause ? `Paused until ${pause.until ?? 'further notice'}.` : NOTICES.paused;
}


/**
 * The customer page (timeline, invoices, contacts, the type override, pausing until a date, do
 * not contact) and the invoice page. Pauses, do not contact and type changes are activities too,
 * so QuickBooks gets their note.
 */
export function customerPages(context: Uses<'companyAccess' | 'customerFiles' | 'escalationFiles' | 'invoiceFiles' | 'pauses' | 'doNotContact' | 'customerTypes' | 'inboundReplies'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { customerFiles, escalationFiles, invoiceFiles, pauses, doNotContact, customerTypes, inboundReplies: replies } = context.services;
  const customerOf = (req: Request) => recordId(req, 'customerId', 'quickBooks', 'customer');

  router.get('/companies/:realmId/customers/:customerId', requireSignIn, async (req, res) => {
    const file = await customerFiles.fileOf(req.company!.realm_id, customerOf(req));
    const mail = inboundReplies(await replies.forAccount(req.company!.realm_id, file.customer.id));
    const stopped = await doNotContact.statusOf(req.company!.realm_id, file.customer.id);
    res.render('customer', { title: file.customer.name, company: req.company, file, replies: mail, doNotContact: stopped, agingBar: agingBar(file.openInvoices, file.today), escalation: file.openInvoices.some((invoice) => invoice.escalation), saved: savedNotice(req, file.pauses), pauseLatest: yearsAfter(file.today, DATE_HORIZON_YEARS.pause), types: ['auto', 'commercial', 'personal'].map((type) => ({ type, selected: (file.customer.typeOverride ?? 'auto') === type })) });
  });

  router.post('/companies/:realmId/customers/:customerId/pause', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = customerOf(req);
    const { until, reason } = pauseForm.parse(req.body ?? {});
    const pauseId = await pauses.pause(realmId, customerId, { until, reason }, req.log);
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?${new URLSearchParams({ saved: 'paused', pause: pauseId })}`);
  });

  router.post('/companies/:realmId/customers/:customerId/pauses/:pauseId/end', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = customerOf(req);
    await pauses.end(realmId, customerId, recordId(req, 'pauseId', 'uuid', 'pause'));
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=resumed`);
  });

  // A person has read the customer's reply and dealt with it: the account's automatic collection resumes.
  router.post('/companies/:realmId/customers/:customerId/replies/:replyId/handled', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = customerOf(req);
    const { task } = handledForm.parse(req.body ?? {});
    await replies.markHandled(realmId, customerId, recordId(req, 'replyId', 'uuid', 'reply'), personOf(req));
    res.redirect(303, task ? `/companies/${realmId}/tasks/${task}` : `/companies/${realmId}/customers/${customerId}?saved=reply-handled`);
  });

  router.post('/companies/:realmId/customers/:customerId/do-not-contact', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = customerOf(req);
    const { reason } = doNotContactForm.parse(req.body ?? {});
    await doNotContact.mark(realmId, customerId, { source: 'collector', reason }, req.log);
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=do-not-contact`);
  });

  router.post('/companies/:realmId/customers/:customerId/do-not-contact/clear', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = customerOf(req);
    const { reason } = mayContactForm.parse(req.body ?? {});
    await doNotContact.clear(realmId, customerId, reason ?? '', req.log);
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=may-contact`);
  });

  router.post('/companies/:realmId/customers/:customerId/type', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const customerId = customerOf(req);
    const { type } = typeForm.parse(req.body ?? {});
    await customerTypes.choose(realmId, customerId, type);
    res.redirect(303, `/companies/${realmId}/customers/${customerId}?saved=type-${type}`);
  });

  router.get('/companies/:realmId/customers/:customerId/escalation', requireSignIn, async (req, res) => {
    const file = escalationFile(await escalationFiles.recordsOf(req.company!.realm_id, customerOf(req)));
    res.render('escalation', { title: `Collection file: ${file.customer.name}`, layout: 'print', company: req.company, file });
  });

  router.get('/companies/:realmId/customers/:customerId/escalation.pdf', requireSignIn, async (req, res) => {
    const file = escalationFile(await escalationFiles.recordsOf(req.company!.realm_id, customerOf(req)));
    const pdf = await escalationPdf(file);
    const name = `collection-file-${file.customer.name}-${file.generatedOn}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100);
    res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="${name}.pdf"`);
    res.send(pdf);
  });

  router.get('/companies/:realmId/invoices/:invoiceId', requireSignIn, async (req, res) => {
    const { invoice, customer, state, activities, messages } = await invoiceFiles.fileOf(req.company!.realm_id, recordId(req, 'invoiceId', 'quickBooks', 'invoice'));
    res.render('invoice', { title: `Invoice #${invoice.number}`, company: req.company, invoice, customer, state, activities, messages });
  });
  return router;
}
