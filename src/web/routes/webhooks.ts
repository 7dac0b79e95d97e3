import express, { Router } from 'express';
import type { Uses } from '../../services';
import type { WebDeps } from '../deps';
import { AppError, BadRequestError, UnauthorizedError } from '../../errors';
import { parseWebhook, verifyWebhookSignature } from '../../quickbooks/webhooks';

/**
 * `POST /webhooks/intuit`: the signature is checked over the raw bytes before anything is parsed;
 * events Intuit retries are recognised and dropped; each company with news gets one debounced
 * incremental sync. Only Redis is touched here, so the answer comes well within Intuit's 3 s;
 * while Redis is away the answer is 503 at once, and Intuit retries.
 */
export function webhookRoutes(context: Pick<WebDeps, 'config'> & Uses<'webhooks'>): Router {
  const router = Router();
  router.post('/webhooks/intuit', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const token = context.config.intuit.webhookVerifierToken;
    if (!token) throw new AppError('webhooks_disabled', 'Webhooks are not configured (INTUIT_WEBHOOK_VERIFIER_TOKEN)', { status: 503 });
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyWebhookSignature(token, raw, req.get('intuit-signature'))) throw new UnauthorizedError('The intuit-signature does not match this body');
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequestError('The webhook body is not valid JSON');
    }
    const events = parseWebhook(payload);
    if (!events) throw new BadRequestError('The webhook body is neither Intuit event notifications nor CloudEvents');

    const { fresh, queued } = await context.services.webhooks.intake(events);
    req.log.info({ events: events.length, fresh, queued }, 'webhook received');
    res.status(200).json({ received: events.length, new: fresh, syncsQueued: queued });
  });
  return router;
}
