import type { DisputeRow, DisputesRepository } from '../db/disputes-repository';
import { NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { CompanySettingsService } from './company-settings';
import type { NotesService } from './notes';

export interface DisputesDeps {
  settings: Pick<CompanySettingsService, 'todayOf'>;
  disputes: Pick<DisputesRepository, 'list' | 'resolve'>;
  notes: Pick<NotesService, 'queueSoon'>;
}

/** The disputes a company's customers raised: listed, and resolved by a collector. */
export class DisputesService {
  constructor(private readonly deps: DisputesDeps) {}

  /** Open ones first, newest first within each status (at most `limit`). */
  list(realmId: string, limit: number): Promise<DisputeRow[]> {
    return this.deps.disputes.list(realmId, limit);
  }

  /** Resolves an open dispute on the company's today, and queues its QuickBooks note. */
  async resolve(realmId: string, disputeId: string, resolution: string, log: Logger): Promise<void> {
    const today = await this.deps.settings.todayOf(realmId);
    if (!(await this.deps.disputes.resolve(realmId, disputeId, resolution, today))) throw new NotFoundError('No such open dispute');
    await this.deps.notes.queueSoon(realmId, log);
  }
}
