import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { SyncReport, SyncStateRepository } from '../db/sync-state-repository';
import type { JobQueues } from '../jobs/queues';
import { unscheduleCompany } from '../jobs/schedules';
import { entitiesToCheck, type DriftCheck, type DriftReport } from '../quickbooks/drift-check';
import { ReconnectRequiredError } from '../quickbooks/errors';
import type { CompanySync, SyncMode } from '../quickbooks/sync';
import type { Locks } from './locks';
import type { WorkProgressService } from './work-progress';

const DAY_MS = 24 * 3600_000;
/**
 * A CDC that succeeded this recently (a webhook's, a poll's) already reconciled the day, so the
 * daily run asks for none: any CDC brings everything since the cursor, lost notifications too.
 * Less than a day, so the daily run's own CDC of yesterday never stands in for today's.
 */
const RECONCILED_WITHIN_MS = 20 * 3600_000;
/** The daily run starts a little before or after its time: a full re-read due "in 28 days" is due on the 28th run. */
const FULL_DUE_SLACK_MS = 12 * 3600_000;

export interface SyncDeps {
  companies: Pick<CompaniesRepository, 'find'>;
  state: Pick<SyncStateRepository, 'get'>;
  sync: Pick<CompanySync, 'run'>;
  drift: Pick<DriftCheck, 'check'>;
  locks: Locks;
  queues: JobQueues;
  /** The company page's progress: the sync as it runs, the daily run it queues. */
  progress?: Pick<WorkProgressService, 'track' | 'queued'>;
  clock: Clock;
  /** The daily run re-reads the whole company when its last full read is this many days old (config.syncSchedule). */
  fullEveryDays: number;
}

/** A sync job's mode: one of CompanySync's, or the daily run. */
export type ScheduledMode = SyncMode | 'daily';

/** BullMQ runs jobs without a priority first, then lower numbers first: a backfill waits for them. */
const BACKFILL_PRIORITY = 100;

export type ScheduledSync =
  | { skipped: string }
  | { mode: SyncReport['mode']; counts: Record<string, number>; skipped: number }
  | { mode: 'daily'; /** Whether the run asked for a CDC (none when one ran recently and the counts agreed). */ cdc: boolean; drift: DriftReport };

/** The id of a job that runs what was asked for while a company's sync ran (and only that). */
const FOLLOW_UP = 'sync-again-';
const LOCK_TTL_MS = 30_000;
/** Requests nobody ran (their holder died, then every retry failed) are dropped after a day. */
const REQUESTS_TTL_MS = 24 * 3600_000;

/**
 * The runs that do what every request asked: a first sync's open part, or a full sync, covers
 * everything; else the daily run if one was asked for, then a CDC if any request wanted one (the
 * daily run may skip its own), then a backfill left by an open part (a full sync reads it all).
 */
export function mergedModes(requests: readonly string[]): ScheduledMode[] {
  // A first sync's open part reads what the work list needs; its backfill is queued after it.
  if (requests.includes('open-first')) return ['open-first'];
  const backfill = requests.includes('backfill') ? (['backfill'] as const) : [];
  if (requests.includes('full')) return ['full'];
  const cdc = (['auto', 'incremental'] as const).find((mode) => requests.includes(mode));
  return [...(requests.includes('daily') ? (['daily'] as const) : []), ...(cdc ? [cdc] : []), ...backfill];
}

/** A company's copy of QuickBooks kept fresh: the scheduled, webhook, first and daily syncs. */
export class SyncService {
  constructor(private readonly deps: SyncDeps) {}

  /**
   * Runs one company's sync (the `sync.realm` job `jobId`, or a direct call). A company that is not connected is
   * skipped and its schedule stopped; a connection that needs reconnecting stops the schedule,
   * and the ReconnectRequiredError goes to the caller. One sync per company at a time across all
   * workers, and nobody waits for it: a request while a sync runs is left for it and the job ends
   * at once; the running sync then queues one follow-up for everything left meanwhile (see
   * mergedModes), which picks up what changed during the run.
   */
  async runScheduled(realmId: string, mode: ScheduledMode, jobId = `direct-${randomBytes(6).toString('hex')}`): Promise<ScheduledSync> {
    const { queues } = this.deps;
    const company = await this.deps.companies.find(realmId);
    if (!company || company.status !== 'connected') {
      await unscheduleCompany(queues, realmId);
      return { skipped: `company is ${company?.status ?? 'unknown'}` };
    }
    const followUp = async (requests: string[]) => {
      await queues.enqueue('sync.realm', { realmId, mode: mergedModes(requests)[0] ?? 'auto' }, { jobId: `${FOLLOW_UP}${realmId}-${this.deps.clock.now().getTime()}-${randomBytes(3).toString('hex')}` });
    };
    try {
      const once = (asked: ScheduledMode) => {
        const run = () => (asked === 'daily' ? this.daily(realmId) : this.deps.sync.run(realmId, asked));
        return this.deps.progress ? this.deps.progress.track(realmId, 'sync', 'reading', run, (report) => ({ step: 'drift' in report ? 'daily' : report.mode })) : run();
      };
      const taken = await this.deps.locks.runOrLeave(
        `sync:${realmId}`,
        { owner: jobId, request: jobId.startsWith(FOLLOW_UP) ? undefined : mode, ttlMs: LOCK_TTL_MS, requestsTtlMs: REQUESTS_TTL_MS },
        async (requests) => {
          let last: Awaited<ReturnType<typeof once>> | undefined;
          for (const asked of mergedModes(requests)) {
            last = await once(asked);
            if (!('drift' in last)) await this.afterRun(realmId, last.mode);
          }
          return last;
        },
        followUp,
      );
      if (!taken.ran) return { skipped: 'a sync of this company is running: it runs this request next' };
      const outcome = taken.result;
      if (!outcome) return { skipped: 'nothing left to sync: another run took the requests' };
      if ('drift' in outcome) return outcome;
      return { mode: outcome.mode, counts: outcome.counts, skipped: outcome.skipped.length };
    } catch (error) {
      if (error instanceof ReconnectRequiredError) await unscheduleCompany(queues, realmId);
      throw error;
    }
  }

  /**
   * After a full sync (the first one, or the periodic full re-read) or a first sync's open part,
   * the day's playbook runs on the fresh copy, at most once an hour (a second run the same day
   * records nothing new); after an open part, the history follows behind every sync not so
   * prioritised.
   */
  private async afterRun(realmId: string, mode: SyncReport['mode']): Promise<void> {
    const { queues } = this.deps;
    if (mode === 'full' || mode === 'open') {
      const cadenceJob = `cadence-after-sync-${realmId}-${this.deps.clock.now().toISOString().slice(0, 13)}`;
      // A second full sync in the hour adds no run (the id is known): the page must not wait for one.
      const fresh = !(await queues.has('cadence.realm', cadenceJob));
      await queues.enqueue('cadence.realm', { realmId }, { jobId: cadenceJob });
      if (fresh) await this.deps.progress?.queued(realmId, 'cadence');
    }
    if (mode === 'open') await queues.enqueue('sync.realm', { realmId, mode: 'backfill' }, { jobId: `sync-backfill-${realmId}-${this.deps.clock.now().getTime()}`, priority: BACKFILL_PRIORITY });
  }

  /**
   * The once-a-day run: the whole company read again when its last full read is
   * `fullEveryDays` old (or it never had one); otherwise a CDC reconcile, unless one ran in the
   * last 20 hours, and the drift check (see DriftCheck), which brings in pending changes before
   * it re-reads an entity whose count differs.
   */
  private async daily(realmId: string) {
    const now = this.deps.clock.now();
    const state = await this.deps.state.get(realmId);
    const since = (at: Date | null | undefined) => (at ? now.getTime() - new Date(at).getTime() : Infinity);
    if (since(state?.last_full_at) >= this.deps.fullEveryDays * DAY_MS - FULL_DUE_SLACK_MS) return this.deps.sync.run(realmId, 'full');
    const asked = { cdc: false };
    const reconcile = async () => {
      asked.cdc = true;
      await this.deps.sync.run(realmId, 'auto');
    };
    if (since(state?.last_success_at) >= RECONCILED_WITHIN_MS) await reconcile();
    const drift = await this.deps.drift.check(realmId, entitiesToCheck(now), asked.cdc ? undefined : reconcile);
    return { mode: 'daily' as const, cdc: asked.cdc, drift };
  }
}
