import type { Clock } from '../clock';
import type { RetentionRepository } from '../db/retention-repository';
import type { Company } from '../db/schema';
import type { Logger } from '../logger';
import { copyDeletedOn, deleteCopyNow, deleteExpiredCopies } from './retention';

export interface DataRetentionDeps {
  retention: RetentionRepository;
  clock: Clock;
  /** config.retentionDays: how long a disconnected company's copy of QuickBooks is kept. */
  retentionDays: number;
}

/** The retention rules of src/services/retention.ts, bound to this deployment's retention period. */
export class DataRetentionService {
  constructor(private readonly deps: DataRetentionDeps) {}

  /** The daily pass: every disconnected company past the retention period loses its copy. */
  deleteExpired(logger: Logger): Promise<{ deleted: string[] }> {
    return deleteExpiredCopies({ ...this.deps, logger });
  }

  /** "Delete now" on the page of a disconnected company; false when it is not disconnected. */
  deleteNow(realmId: string, by: string, logger: Logger): Promise<boolean> {
    return deleteCopyNow({ retention: this.deps.retention, clock: this.deps.clock, logger }, realmId, by);
  }

  /** Where a disconnected company's copy stands: deleted when, or deleted on which day. */
  copyOf(company: Pick<Company, 'copy_deleted_at' | 'disconnected_at'>): { deletedAt: Date | null; deletesOn: Date | null; days: number } {
    const days = this.deps.retentionDays;
    return { deletedAt: company.copy_deleted_at, deletesOn: company.disconnected_at ? copyDeletedOn(company.disconnected_at, days) : null, days };
  }
}
