import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { JobQueues } from '../jobs/queues';
import { redisCall } from '../jobs/redis';
import type { WebhookEvent } from '../quickbooks/webhooks';

const DEDUP_SECONDS = 24 * 3600;
/** Changes arriving within this window are picked up by one incremental sync. */
const DEBOUNCE_MS = 5000;

export interface WebhooksDeps {
  companies: Pick<CompaniesRepository, 'find'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  redis: Redis;
  clock: Clock;
}

/**
 * Intuit's change notifications, taken in: events Intuit retries are recognised and dropped; each
 * connected company with news gets one debounced incremental sync. Only Redis is touched (and
 * the company's row), so the answer comes well within Intuit's 3 s.
 */
export class WebhooksService {
  constructor(private readonly deps: WebhooksDeps) {}

  async intake(events: readonly WebhookEvent[]): Promise<{ fresh: number; queued: number }> {
    const { queues, redis } = this.deps;
    // Seen events are marked only once their syncs are queued: if Redis fails in between, the
    // caller answers 503, Intuit sends the notification again, and nothing is lost (at worst one
    // incremental sync too many).
    const seenKey = (event: WebhookEvent) => `${queues.prefix}:webhook-seen:${event.key}`;
    const seen = events.length ? await redisCall(() => redis.mget(events.map(seenKey))) : [];
    const fresh = [...new Map(events.filter((_, i) => seen[i] === null).map((e) => [e.key, e])).values()];
    const realms = [...new Set(fresh.map((e) => e.realmId))];
    let queued = 0;
    for (const realmId of realms) {
      const company = await this.deps.companies.find(realmId);
      if (company?.status !== 'connected') continue;
      const bucket = Math.floor(this.deps.clock.now().getTime() / DEBOUNCE_MS);
      await queues.enqueue('sync.realm', { realmId, mode: 'incremental' }, { jobId: `sync-webhook-${realmId}-${bucket}`, delay: DEBOUNCE_MS });
      queued++;
    }
    await redisCall(() => Promise.all(fresh.map((event) => redis.set(seenKey(event), '1', 'EX', DEDUP_SECONDS))));
    return { fresh: fresh.length, queued };
  }
}
