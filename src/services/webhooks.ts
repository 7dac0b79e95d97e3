import type { Redis } from 'ioredis';
import type { CompaniesRepository } from '../db/companies-repository';
import type { JobQueues } from '../jobs/queues';
import { redisCall } from '../jobs/redis';
import { SYNCED_ENTITIES } from '../quickbooks/schemas';
import type { WebhookEvent } from '../quickbooks/webhooks';

const DEDUP_SECONDS = 24 * 3600;
/** What the copy holds, in lower case (CloudEvents name entities in lower case): news of anything else needs no sync. */
const SYNCED = new Set<string>(SYNCED_ENTITIES.map((entity) => entity.toLowerCase()));
/** The CDC runs this long after its deduplication id expired, so clocks a little apart never let a notification join a CDC already under way. */
const CLOCKS_APART_MS = 1000;

export interface WebhooksDeps {
  companies: Pick<CompaniesRepository, 'find'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  redis: Redis;
  /** Notifications of a company within this window are brought in by one CDC, run at its end (config.syncSchedule). */
  debounceMs: number;
}

/**
 * Intuit's change notifications, taken in: events Intuit retries are recognised and dropped; each
 * connected company with news gets one debounced incremental sync. Only Redis is touched (and
 * the company's row), so the answer comes well within Intuit's 3 s.
 *
 * The debounce: the first notification of a window queues a CDC delayed past the window, under
 * a BullMQ deduplication id that lives as long as the window; every notification within it joins
 * that CDC (BullMQ drops the add). The id expires a second before the CDC is due, so a
 * notification arriving later, when the CDC may already have asked QuickBooks, queues a CDC of
 * its own: nothing is lost, and a burst of changes costs one metered read.
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
    // Notes Ardesk writes (Attachable) and entities it does not keep come back as news too: no CDC for those.
    const realms = [...new Set(fresh.filter((e) => SYNCED.has(e.entity.toLowerCase())).map((e) => e.realmId))];
    let queued = 0;
    for (const realmId of realms) {
      const company = await this.deps.companies.find(realmId);
      if (company?.status !== 'connected') continue;
      const { debounceMs } = this.deps;
      await queues.enqueue('sync.realm', { realmId, mode: 'incremental' }, { delay: debounceMs + CLOCKS_APART_MS, deduplication: { id: `sync-webhook:${realmId}`, ttl: debounceMs } });
      queued++;
    }
    await redisCall(() => Promise.all(fresh.map((event) => redis.set(seenKey(event), '1', 'EX', DEDUP_SECONDS))));
    return { fresh: fresh.length, queued };
  }
}
