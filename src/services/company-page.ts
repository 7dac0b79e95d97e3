import type { Clock } from '../clock';
import type { OutboxRepository } from '../db/outbox-repository';

export type RecentFailures = Awaited<ReturnType<OutboxRepository['failedSince']>>;

/** What a company's own page shows besides its sync: the messages that failed lately. */
export class CompanyPageService {
  constructor(private readonly deps: { outbox: Pick<OutboxRepository, 'failedSince'>; clock: Clock }) {}

  /** The messages that failed in the last `days` days: how many, and the latest few. */
  recentFailures(realmId: string, days: number): Promise<RecentFailures> {
    // Failures are found by `send_at`, an instant of the business clock: the window is on it too.
    const since = new Date(this.deps.clock.businessNow().getTime() - days * 24 * 3600 * 1000);
    return this.deps.outbox.failedSince(realmId, since);
  }
}
