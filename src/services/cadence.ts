import { randomBytes } from 'node:crypto';
import { localMoment, zonedInstant, type LocalDate } from '../collections/calendar';
import { runPlaybook } from '../collections/playbook';
import type { Clock } from '../clock';
import type { AppliedCounts, CollectionsRepository } from '../db/collections-repository';
import type { CompaniesRepository } from '../db/companies-repository';
import type { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import type { CompanySettingsService } from './company-settings';
import type { Locks } from './locks';
import type { NotesService } from './notes';
import type { WorkProgressService } from './work-progress';

export interface CadenceSummary {
  realmId: string;
  day: LocalDate;
  /** Accounts the playbook decided (those with invoices owed or just paid). */
  accounts: number;
  proposed: number;
  applied: AppliedCounts;
  /** Where the run's time went, in milliseconds. */
  timings: { loadMs: number; decideMs: number; recordMs: number };
}

export interface CadenceDeps {
  settings: CompanySettingsService;
  companies: Pick<CompaniesRepository, 'find'>;
  collections: Pick<CollectionsRepository, 'loadInput' | 'apply'>;
  locks: Locks;
  queues: Pick<JobQueues, 'enqueue'>;
  notes: Pick<NotesService, 'queue'>;
  /** The company page's progress: each step of the run as it starts. */
  progress?: Pick<WorkProgressService, 'track' | 'step'>;
  clock: Clock;
  logger: Logger;
}

/** The id of a job that runs the days asked for while a company's playbook ran (and only those). */
const FOLLOW_UP = 'cadence-again-';
/** A request for the business clock's day, as left for a running playbook. */
const TODAY = 'today';

/** The daily playbook run of a company: load the facts, let the playbook decide, record. */
export class CadenceService {
  constructor(private readonly deps: CadenceDeps) {}

  /**
   * One day of the playbook for one company: load, decide (pure), record. `asOf` replays a day at
   * 07:00 company time; otherwise the business clock decides. Recording is keyed, so running the
   * same day twice records nothing the second time.
   */
  async runDay(realmId: string, asOf?: LocalDate): Promise<CadenceSummary> {
    const { progress } = this.deps;
    if (!progress) return this.day(realmId, asOf);
    return progress.track(realmId, 'cadence', 'loading', () => this.day(realmId, asOf), (summary) => ({
      accounts: summary.accounts,
      messages: summary.applied.send_message ?? 0,
      tasks: summary.applied.open_task ?? 0,
    }));
  }

  private async day(realmId: string, asOf?: LocalDate): Promise<CadenceSummary> {
    const company = await this.deps.settings.company(realmId);
    const settings = await this.deps.settings.settingsOf(realmId, company.timezone);
    const now = asOf ? zonedInstant(asOf, 7 * 60, settings.timezone) : this.deps.clock.businessNow();
    const day = localMoment(now, settings.timezone).date;
    const connectedOn = company.connected_at ? localMoment(company.connected_at, settings.timezone).date : day;
    const started = performance.now();
    const input = await this.deps.collections.loadInput(realmId, now, day, connectedOn);
    const loaded = performance.now();
    // The accounts with something owed (or just paid): each one is decided.
    const accounts = new Set(input.invoices.map((invoice) => invoice.customerId)).size;
    await this.deps.progress?.step(realmId, 'cadence', 'deciding', { accounts });
    const actions = runPlaybook(input, settings);
    const decided = performance.now();
    await this.deps.progress?.step(realmId, 'cadence', 'recording', { accounts });
    const applied = await this.deps.collections.apply(realmId, day, actions);
    const timings = { loadMs: Math.round(loaded - started), decideMs: Math.round(decided - loaded), recordMs: Math.round(performance.now() - decided) };
    this.deps.logger.info({ realmId, day, proposed: actions.length, applied, timings }, 'cadence run');
    return { realmId, day, accounts, proposed: actions.length, applied, timings };
  }

  /**
   * The scheduled run (the `cadence.realm` job `jobId`, or a direct call): a connected company
   * only, one run at a time per company across all workers, never waited for: a request while a
   * run is under way is left for it, and the job ends at once; the run then queues one follow-up for every day asked
   * for meanwhile. What the day queued and is already due goes out now rather than at the next
   * minute, and its notes are queued for QuickBooks. The days run (none when another run took
   * the requests).
   */
  async runScheduled(realmId: string, asOf?: LocalDate, jobId = `direct-${randomBytes(6).toString('hex')}`): Promise<{ skipped: string } | { runs: CadenceSummary[] }> {
    const company = await this.deps.companies.find(realmId);
    if (!company || company.status !== 'connected') return { skipped: `company is ${company?.status ?? 'unknown'}` };
    const outcome = await this.deps.locks.runOrLeave(
      `cadence:${realmId}`,
      { owner: jobId, request: jobId.startsWith(FOLLOW_UP) ? undefined : (asOf ?? TODAY), ttlMs: 30_000, requestsTtlMs: 24 * 3600_000 },
      async (days) => {
        const runs: CadenceSummary[] = [];
        for (const day of [...days].sort()) runs.push(await this.runDay(realmId, day === TODAY ? undefined : day));
        return runs;
      },
      async () => {
        await this.deps.queues.enqueue('cadence.realm', { realmId }, { jobId: `${FOLLOW_UP}${realmId}-${this.deps.clock.now().getTime()}-${randomBytes(3).toString('hex')}` });
      },
    );
    if (!outcome.ran) return { skipped: 'a playbook run of this company is under way: it runs this request next' };
    if (outcome.result.length) {
      await this.deps.queues.enqueue('mail.dispatch', {});
      await this.deps.notes.queue(realmId);
    }
    return { runs: outcome.result };
  }
}
