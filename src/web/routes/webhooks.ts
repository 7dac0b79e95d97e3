import express, { Router } from 'express';
import type { AppContext } from '../../app-context';
import { AppError, BadRequestError, UnauthorizedError } from '../../errors';
import { redisCall } from '../../jobs/redis';
import { parseWebhook, verifyWebhookSignature } from '../../quickbooks/webhooks';

const DEDUP_SECONDS = 24 * 3600;
/** Changes arriving within this window are picked up by one incremental sync. */
const DEBOUNCE_MS = 5000;

/**
 * `POST /webhooks/intuit`: the signature is checked over the raw bytes before anything is parsed;
 * events Intuit retries are recognised and dropped; each company with news gets one debounced
 * incremental sync. Only Redis is touched here, so the answer comes well within Intuit's 3 s;
 * while Redis is away the answer is 503 at once, and Intuit retries.
 */
export function webhookRoutes(context: AppContext): Router {
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

    // Seen events are marked only once their syncs are queued: if Redis fails in between, the
    // answer is 503, Intuit sends the notification again, and nothing is lost (at worst one
    // incremental sync too many).
    const seenKey = (event: (typeof events)[number]) => `${context.queues.prefix}:webhook-seen:${event.key}`;
    const seen = events.length ? await redisCall(() => context.redis.mget(events.map(seenKey))) : [];
    const fresh = [...new Map(events.filter((_, i) => seen[i] === null).map((e) => [e.key, e])).values()];
    const realms = [...new Set(fresh.map((e) => e.realmId))];
    let queued = 0;
    for (const realmId of realms) {
      const company = await context.repos.companies.find(realmId);
      if (company?.status !== 'connected') continue;
      const bucket = Math.floor(Date.now() / DEBOUNCE_MS);
      await context.queues.enqueue('sync.realm', { realmId, mode: 'incremental' }, { jobId: `sync-webhook-${realmId}-${bucket}`, delay: DEBOUNCE_MS });
      queued++;
    }
    await redisCall(() => Promise.all(fresh.map((event) => context.redis.set(seenKey(event), '1', 'EX', DEDUP_SECONDS))));
    req.log.info({ events: events.length, fresh: fresh.length, queued }, 'webhook received');
    res.status(200).json({ received: events.length, new: fresh.length, syncsQueued: queued });
  });
  return router;
}
