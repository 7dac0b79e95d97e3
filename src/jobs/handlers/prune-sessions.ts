import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** Deletes expired web sessions so the table does not grow without bound. */
export function pruneSessions({ services }: Uses<'housekeeping'>): JobHandler<'maintenance.prune-sessions'> {
  return async (_payload, { logger }) => {
    const { deleted, states } = await services.housekeeping.pruneExpired();
    if (deleted || states) logger.info({ deleted, states }, 'expired sessions and OAuth states pruned');
    return { deleted, states };
  };
}
