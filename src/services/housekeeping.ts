import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { OAuthStatesRepository } from '../db/oauth-states-repository';
import type { SessionsRepository } from '../db/sessions-repository';
import type { JobQueues } from '../jobs/queues';
import { scheduleEverything, schedulesMissing, type SyncPlan } from '../jobs/schedules';

export interface HousekeepingDeps {
  sessions: Pick<SessionsRepository, 'prune'>;
  oauthStates: Pick<OAuthStatesRepository, 'prune'>;
  companies: Pick<CompaniesRepository, 'listByStatus'>;
  queues: JobQueues;
  clock: Clock;
  /** Webhooks or polling (config.syncSchedule). */
  syncPlan: SyncPlan;
}

/** What keeps a deployment tidy and running: expired sessions pruned, the repeating jobs in place. */
export class HousekeepingService {
  constructor(private readonly deps: HousekeepingDeps) {}

  /** Deletes expired web sessions and OAuth states so the tables do not grow without bound. */
  async pruneExpired(): Promise<{ deleted: number; states: number }> {
    const deleted = await this.deps.sessions.prune(this.deps.clock.now());
    const states = await this.deps.oauthStates.prune(this.deps.clock.now());
    return { deleted, states };
  }

  /** Every repeating job: the global ones and every connected company's, from the database. */
  async schedule(): Promise<void> {
    await scheduleEverything(this.deps.queues, await this.deps.companies.listByStatus('connected'), this.deps.syncPlan);
  }

  /** Whether Redis lost the schedules (restarted empty, or flushed). */
  schedulesMissing(): Promise<boolean> {
    return schedulesMissing(this.deps.queues);
  }
}
