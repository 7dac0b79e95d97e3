import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { JobQueues } from '../jobs/queues';
import { unscheduleCompany } from '../jobs/schedules';
import { ReconnectRequiredError } from '../quickbooks/errors';
import type { CompanySync, SyncMode } from '../quickbooks/sync';
import type { Locks } from './locks';
import type { WorkProgressService } from './work-progress';

export interface SyncDeps {
  companies: Pick<CompaniesRepository, 'find'>;
  sync: Pick<CompanySync, 'run'>;
  locks: Locks;
  queues: JobQueues;
  /** The company page's progress: the sync as it runs, the daily run it queues. */
  progress?: Pick<WorkProgressService, 'track' | 'queued'>;
  clock: Clock;
}

export type ScheduledSync = { skipped: string } | { mode: 'full' | 'incremental'; counts: Record<string, number>; skipped: number };

/** A company's copy of QuickBooks kept fresh: the scheduled, webhook and first syncs. */
export class SyncService {
  constructor(private readonly deps: SyncDeps) {}

  /**
   * Runs one company's sync (the `sync.realm` job). A company that is not connected is skipped
   * and its schedule stopped; one sync per company at a time across all workers; a connection
   * that needs reconnecting stops the schedule, and the ReconnectRequiredError goes to the caller.
   */
  async runScheduled(realmId: string, mode: SyncMode): Promise<ScheduledSync> {
    const { queues } = this.deps;
    const company = await this.deps.companies.find(realmId);
    if (!company || company.status !== 'connected') {
      await unscheduleCompany(queues, realmId);
      return { skipped: `company is ${company?.status ?? 'unknown'}` };
    }
    try {
      const run = () => this.deps.sync.run(realmId, mode);
      const tracked = () => (this.deps.progress ? this.deps.progress.track(realmId, 'sync', 'reading', run, (report) => ({ step: report.mode })) : run());
      const report = await this.deps.locks.hold(`sync:${realmId}`, { ttlMs: 30_000, waitMs: 10 * 60_000, renew: true }, tracked);
      // After a full sync (the first one, or a nightly reconciliation) the day's playbook runs on
      // the fresh copy, at most once an hour; a second run the same day records nothing new.
      if (report.mode === 'full') {
        const jobId = `cadence-after-sync-${realmId}-${this.deps.clock.now().toISOString().slice(0, 13)}`;
        // A second full sync in the hour adds no run (the id is known): the page must not wait for one.
        const fresh = !(await queues.has('cadence.realm', jobId));
        await queues.enqueue('cadence.realm', { realmId }, { jobId });
        if (fresh) await this.deps.progress?.queued(realmId, 'cadence');
      }
      return { mode: report.mode, counts: report.counts, skipped: report.skipped.length };
    } catch (error) {
      if (error instanceof ReconnectRequiredError) await unscheduleCompany(queues, realmId);
      throw error;
    }
  }
}
