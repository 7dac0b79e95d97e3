import type { LocalDate } from '../collections/calendar';
import { dateOutOfRange, DATE_HORIZON_YEARS } from '../collections/collector-input';
import type { CollectionsRepository } from '../db/collections-repository';
import type { CustomerFileRepository } from '../db/customer-file-repository';
import { BadRequestError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { CompanySettingsService } from './company-settings';
import type { NotesService } from './notes';

export interface PausesDeps {
  settings: Pick<CompanySettingsService, 'todayOf'>;
  files: Pick<CustomerFileRepository, 'customerExists'>;
  collections: Pick<CollectionsRepository, 'pauseCustomer' | 'endPause'>;
  notes: Pick<NotesService, 'queueSoon'>;
}

/**
 * A customer's automatic collection paused until a date (or further notice) and resumed. Both
 * are activities on the customer's timeline, and a pause is noted in QuickBooks.
 */
export class PausesService {
  constructor(private readonly deps: PausesDeps) {}

  /** Pauses the customer from today (the company's, by the business clock); the pause's id. */
  async pause(realmId: string, customerId: string, pause: { until?: LocalDate; reason?: string }, log: Logger): Promise<string> {
    const today = await this.deps.settings.todayOf(realmId);
    const problem = pause.until && dateOutOfRange('until', pause.until, today, DATE_HORIZON_YEARS.pause, 'a pause cannot end in the past');
    if (problem) throw new BadRequestError(`${problem} (leave it empty to pause until further notice)`);
    if (!(await this.deps.files.customerExists(realmId, customerId))) throw new NotFoundError('No such customer');
    const pauseId = await this.deps.collections.pauseCustomer(realmId, customerId, today, pause);
    await this.deps.notes.queueSoon(realmId, log);
    return pauseId;
  }

  /** Ends one of the customer's pauses today; a pause that is not the customer's (or not in force) is not found. */
  async end(realmId: string, customerId: string, pauseId: string): Promise<void> {
    const ended = await this.deps.collections.endPause(realmId, customerId, pauseId, await this.deps.settings.todayOf(realmId));
    if (!ended) throw new NotFoundError('No such pause');
  }
}
