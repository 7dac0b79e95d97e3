import type { Clock } from '../clock';
import type { MonthOfReads, QuickBooksReadsRepository } from '../db/quickbooks-reads-repository';
import type { SyncReport, SyncStateRepository } from '../db/sync-state-repository';
import type { JobQueues } from '../jobs/queues';
import type { CompanySync, SyncMode } from '../quickbooks/sync';
import type { CompanyProgress, WorkProgressService } from './work-progress';

export type SyncState = Awaited<ReturnType<SyncStateRepository['get']>>;

export interface CompanySyncDeps {
  state: Pick<SyncStateRepository, 'get'>;
  reads: Pick<QuickBooksReadsRepository, 'month'>;
  sync: Pick<CompanySync, 'run'>;
  queues: Pick<JobQueues, 'enqueue'>;
  /** Where a requested sync shows as queued until a worker takes it. */
  progress?: Pick<WorkProgressService, 'queued' | 'of'>;
  clock: Clock;
}

/** A company's sync as a person sees and asks for it: where it stands, and a sync now. */
export class CompanySyncService {
  constructor(private readonly deps: CompanySyncDeps) {}

  /** The last sync's outcome (undefined before the first). */
  status(realmId: string): Promise<SyncState> {
    return this.deps.state.get(realmId);
  }

  /**
   * The company's metered QuickBooks reads in `month` (YYYY-MM; by default this month of the
   * business clock, in UTC as the reads are counted), by kind and day.
   */
  reads(realmId: string, month?: string): Promise<MonthOfReads> {
    return this.deps.reads.month(realmId, month ?? this.deps.clock.businessNow().toISOString().slice(0, 7));
  }

  /** Queues a sync now (a job of its own each time it is asked for); the job's id. */
  async requestNow(realmId: string, mode: SyncMode, origin: 'api' | 'ui'): Promise<string> {
    const id = await this.deps.queues.enqueue('sync.realm', { realmId, mode }, { jobId: `sync-${origin}-${realmId}-${this.deps.clock.now().getTime()}` });
    await this.deps.progress?.queued(realmId, 'sync');
    return id;
  }

  /** How far the company's latest sync and daily run have got. */
  async progress(realmId: string): Promise<CompanyProgress> {
    return (await this.deps.progress?.of(realmId)) ?? { active: false };
  }

  /** Runs a sync in this process and waits for it (the CLI's `ardesk sync`). */
  runNow(realmId: string, mode: SyncMode): Promise<SyncReport> {
    return this.deps.sync.run(realmId, mode);
  }
}
