import { addDays, type LocalDate } from '../collections/calendar';
import type { PromiseRow, PromisesRepository } from '../db/promises-repository';
import type { CompanySettingsService } from './company-settings';

/** The promises to pay as the promises page shows them. */
export class PromisesService {
  constructor(private readonly deps: { settings: Pick<CompanySettingsService, 'todayOf'>; promises: Pick<PromisesRepository, 'openOrSettledSince'> }) {}

  /** The company's today, every open promise, and every one settled in the last `days` days, by due date. */
  async recent(realmId: string, days: number): Promise<{ today: LocalDate; promises: PromiseRow[] }> {
    const today = await this.deps.settings.todayOf(realmId);
    return { today, promises: await this.deps.promises.openOrSettledSince(realmId, addDays(today, -days)) };
  }
}
