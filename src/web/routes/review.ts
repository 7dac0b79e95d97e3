import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { MESSAGE_NAMES } from '../../collections/message-kinds';
import type { Uses } from '../../services';
import type { Approver } from '../../services/send-review';
import { reviewJson } from '../presenters/money-json';
import { UnauthorizedError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';

const idList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const approveForm = z.object({ messageIds: idList.optional(), _csrf: z.string().optional() }).strict();
const approveBody = z.object({ messageIds: z.array(z.string().uuid('each message id is a uuid from GET …/review')).max(10_000).optional() }).strict();
const holdForm = z.object({ customerId: z.string().regex(/^\d{1,32}$/, 'not a customer of this company'), reason: z.string().max(500).default(''), _csrf: z.string().optional() }).strict();
const modeForm = z.object({ mode: z.string(), _csrf: z.string().optional() }).strict();

function approverOf(req: Request): Approver {
  if (req.companyToken) return { kind: 'company-token', tokenId: req.companyToken.id };
  if (req.operator) return { kind: 'operator' };
  if (req.session.userId) return { kind: 'person', userId: req.session.userId };
  throw new UnauthorizedError();
}

/**
 * Review before sending: the page (what the run would send, per account; hold one back; approve)
 * and the same for scripts, `GET /api/realms/:realmId/review` and `POST …/review/approve`.
 */
export function reviewRoutes(context: Uses<'companyAccess' | 'sendReview' | 'senderIdentity'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { sendReview } = context.services;

  const showPage = async (req: Request, res: Response, extra: { approvedNow?: number; heldBackNow?: string; holdError?: { customerId: string; message: string } } = {}, status = 200) => {
    const [review, identity] = await Promise.all([sendReview.review(req.company!.realm_id), context.services.senderIdentity.of(req.company!.realm_id)]);
    const senderMissing = context.services.senderIdentity.missing(identity);
    res.status(status).render('review', { title: 'Review before sending', company: req.company, review, kindLabels: MESSAGE_NAMES, senderMissing, ...extra });
  };

  router.get('/companies/:realmId/review', requireSignIn, async (req, res) => {
    const approved = Number(req.query.approved);
    const held = typeof req.query.held === 'string' ? req.query.held.slice(0, 200) : undefined;
    await showPage(req, res, { approvedNow: Number.isInteger(approved) && approved >= 0 && req.query.approved !== undefined ? approved : undefined, heldBackNow: held });
  });

  router.post('/companies/:realmId/review/approve', requireSignIn, async (req, res) => {
    const form = approveForm.parse(req.body ?? {});
    const { approved } = await sendReview.approve(req.company!.realm_id, approverOf(req), form.messageIds ?? []);
    res.redirect(303, `/companies/${req.company!.realm_id}/review?approved=${approved}`);
  });

  router.post('/companies/:realmId/review/hold', requireSignIn, async (req, res) => {
    const form = holdForm.parse(req.body ?? {});
    const customerId = form.customerId;
    if (!form.reason.trim()) return showPage(req, res, { holdError: { customerId, message: 'Say why this customer is held back, for example "pays by cheque on the 15th".' } }, 400);
    const name = (await sendReview.review(req.company!.realm_id)).accounts.find((a) => a.customerId === customerId)?.name;
    await sendReview.holdBack(req.company!.realm_id, customerId, form.reason, req.log);
    res.redirect(303, `/companies/${req.company!.realm_id}/review?${new URLSearchParams({ held: name ?? 'The customer' })}`);
  });

  router.post('/companies/:realmId/review/mode', requireSignIn, async (req, res) => {
    const { mode } = modeForm.parse(req.body ?? {});
    await sendReview.setMode(req.company!.realm_id, mode);
    res.redirect(303, `/companies/${req.company!.realm_id}/review`);
  });

  router.get('/api/realms/:realmId/review', requireSignIn, async (req, res) => {
    res.json(reviewJson(await sendReview.review(req.company!.realm_id)));
  });

  router.post('/api/realms/:realmId/review/approve', requireSignIn, async (req, res) => {
    const body = approveBody.parse(req.body ?? {});
    res.json(await sendReview.approve(req.company!.realm_id, approverOf(req), body.messageIds));
  });

  return router;
}
