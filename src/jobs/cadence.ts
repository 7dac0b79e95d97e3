import type { AppContext } from '../app-context';
import { localMoment, zonedInstant, type LocalDate } from '../collections/calendar';
import { runPlaybook } from '../collections/playbook';
import { playbookSettings, type PlaybookSettings } from '../collections/settings';
import type { AppliedCounts } from '../db/collections-repository';
import { NotFoundError } from '../errors';

export interface CadenceSummary {
  realmId: string;
  day: LocalDate;
  proposed: number;
  applied: AppliedCounts;
  /** Where the run's time went, in milliseconds. */
  timings: { loadMs: number; decideMs: number; recordMs: number };
}

/** A company's playbook settings: its stored overrides over the defaults, in its time zone. */
export async function settingsFor(context: AppContext, realmId: string, timezone: string): Promise<PlaybookSettings> {
  return playbookSettings({ timezone, ...((await context.repos.collections.settingsOf(realmId)) ?? {}) });
}

/** Today by the business clock, in the company's time zone (its playbook setting). */
export async function todayFor(context: AppContext, realmId: string, timezone: string): Promise<LocalDate> {
  return localMoment(context.clock.businessNow(), (await settingsFor(context, realmId, timezone)).timezone).date;
}

/** Replaces the settings given in `changes`, keeps the rest, and saves only a valid whole. */
export async function changeSettings(context: AppContext, realmId: string, timezone: string, changes: Partial<PlaybookSettings>): Promise<PlaybookSettings> {
  const merged = playbookSettings({ ...(await settingsFor(context, realmId, timezone)), ...changes });
  await context.repos.collections.saveSettings(realmId, merged);
  return merged;
}

/**
 * One day of the playbook for one company: load, decide (pure), record. `asOf` replays a day at
 * 07:00 company time; otherwise the business clock decides. Recording is keyed, so running the
 * same day twice records nothing the second time.
 */
export async function runCadence(context: AppContext, realmId: string, asOf?: LocalDate): Promise<CadenceSummary> {
  const company = await context.repos.companies.find(realmId);
  if (!company) throw new NotFoundError('No such company');
  const settings = await settingsFor(context, realmId, company.timezone);
  const now = asOf ? zonedInstant(asOf, 7 * 60, settings.timezone) : context.clock.businessNow();
  const day = localMoment(now, settings.timezone).date;
  const connectedOn = company.connected_at ? localMoment(company.connected_at, settings.timezone).date : day;
  const started = performance.now();
  const input = await context.repos.collections.loadInput(realmId, now, day, connectedOn);
  const loaded = performance.now();
  const actions = runPlaybook(input, settings);
  const decided = performance.now();
  const applied = await context.repos.collections.apply(realmId, day, actions);
  const timings = { loadMs: Math.round(loaded - started), decideMs: Math.round(decided - loaded), recordMs: Math.round(performance.now() - decided) };
  context.logger.info({ realmId, day, proposed: actions.length, applied, timings }, 'cadence run');
  return { realmId, day, proposed: actions.length, applied, timings };
}
