import { UnrecoverableError } from 'bullmq';
import { ReconnectRequiredError } from '../../quickbooks/errors';
import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/**
 * Runs one company's sync (skipped, and its schedule stopped, when it is not connected); a
 * connection that needs reconnecting has its schedule stopped and is not retried.
 */
export function syncRealm({ services }: Uses<'sync'>): JobHandler<'sync.realm'> {
  return async ({ realmId, mode }, { job, logger }) => {
    try {
      return await services.sync.runScheduled(realmId, mode, String(job.id));
    } catch (error) {
      if (error instanceof ReconnectRequiredError) {
        logger.warn({ realmId }, 'sync stopped: the company needs to be reconnected');
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}
