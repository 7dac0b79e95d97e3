import { localMoment, type LocalDate } from '../collections/calendar';
import { playbookSettings, type PlaybookSettings } from '../collections/settings';
import type { Clock } from '../clock';
import type { CollectionsRepository } from '../db/collections-repository';
import type { CompaniesRepository } from '../db/companies-repository';
import type { Company } from '../db/schema';
import { NotFoundError } from '../errors';

export interface CompanySettingsDeps {
  companies: Pick<CompaniesRepository, 'find'>;
  collections: Pick<CollectionsRepository, 'settingsOf' | 'saveSettings'>;
  clock: Clock;
}

/** A company, its playbook settings (stored overrides over the defaults) and its today. */
export class CompanySettingsService {
  constructor(private readonly deps: CompanySettingsDeps) {}

  async company(realmId: string): Promise<Company> {
    const company = await this.deps.companies.find(realmId);
    if (!company) throw new NotFoundError('No such company');
    return company;
  }

  async settingsOf(realmId: string, timezone?: string): Promise<PlaybookSettings> {
    const zone = timezone ?? (await this.company(realmId)).timezone;
    return playbookSettings({ timezone: zone, ...((await this.deps.collections.settingsOf(realmId)) ?? {}) });
  }

  /** Today by the business clock, in the company's time zone (its playbook setting). */
  todayIn(settings: Pick<PlaybookSettings, 'timezone'>): LocalDate {
    return localMoment(this.deps.clock.businessNow(), settings.timezone).date;
  }

  async todayOf(realmId: string): Promise<LocalDate> {
    return this.todayIn(await this.settingsOf(realmId));
  }

  /** Replaces the settings given in `changes`, keeps the rest, and saves only a valid whole. */
  async change(realmId: string, changes: Partial<PlaybookSettings>): Promise<PlaybookSettings> {
    const merged = playbookSettings({ ...(await this.settingsOf(realmId)), ...changes });
    await this.deps.collections.saveSettings(realmId, merged);
    return merged;
  }
}
