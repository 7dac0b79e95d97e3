import type { LocalDate } from '../collections/calendar';
import type { PlaybookSettings } from '../collections/settings';
import type { Uses } from '../services';

// The cadence lives in src/services/cadence.ts (context.services.cadence) and a company's
// settings in src/services/company-settings.ts (context.services.settings). These wrappers stay
// only until the modules still importing them call the services: src/jobs/call-outcomes.ts
// (settingsFor), src/jobs/reports.ts (todayFor) and src/web/routes/report-pages.ts (all three).

/** @deprecated Use `context.services.settings.settingsOf(realmId, timezone)`. */
export function settingsFor(context: Uses<'settings'>, realmId: string, timezone: string): Promise<PlaybookSettings> {
  return context.services.settings.settingsOf(realmId, timezone);
}

/** @deprecated Use `context.services.settings.todayOf(realmId)` (or `todayIn(settings)`). */
export async function todayFor(context: Uses<'settings'>, realmId: string, timezone: string): Promise<LocalDate> {
  const { settings } = context.services;
  return settings.todayIn(await settings.settingsOf(realmId, timezone));
}

/** @deprecated Use `context.services.settings.change(realmId, changes)`. */
export function changeSettings(context: Uses<'settings'>, realmId: string, _timezone: string, changes: Partial<PlaybookSettings>): Promise<PlaybookSettings> {
  return context.services.settings.change(realmId, changes);
}
