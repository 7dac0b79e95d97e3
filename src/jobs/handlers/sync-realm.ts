import { UnrecoverableError } from 'bullmq';
import type { AppContext } from '../../app-context';
import { ReconnectRequiredError } from '../../quickbooks/errors';
import { withLock } from '../locks';
import { unscheduleCompany } from '../schedules';
import type { JobHandler } from '../worker-host';

/**
 * Runs one company's sync. Skips a company that is not connected; one sync per company at a
 * time across all workers; a connection that needs reconnecting stops its schedule and is not
 * retried.
 */
export function syncRealm(context: AppContext): JobHandler<'sync.realm'> {
  return async ({ realmId, mode }, { logger }) => {
    const company = await context.repos.companies.find(realmId);
    if (!company || company.status !== 'connected') {
      await unscheduleCompany(context.queues, realmId);
      return { skipped: `company is ${company?.status ?? 'unknown'}` };
    }
    try {
      const report = await withLock(context.redis, `${context.queues.prefix}:lock:sync:${realmId}`, { ttlMs: 30_000, waitMs: 10 * 60_000, renew: true }, () => context.sync.run(realmId, mode));
      // After a full sync (the first one, or a nightly reconciliation) the day's playbook runs on
      // the fresh copy; a second run the same day records nothing new.
      if (report.mode === 'full') await context.queues.enqueue('cadence.realm', { realmId }, { jobId: `cadence-after-sync-${realmId}-${new Date().toISOString().slice(0, 13)}` });
      return { mode: report.mode, counts: report.counts, skipped: report.skipped.length };
    } catch (error) {
      if (error instanceof ReconnectRequiredError) {
        await unscheduleCompany(context.queues, realmId);
        logger.warn({ realmId }, 'sync stopped: the company needs to be reconnected');
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}
