import type { AppContext } from '../../app-context';
import type { JobHandler } from '../worker-host';

/** Deletes expired web sessions so the table does not grow without bound. */
export function pruneSessions(context: Pick<AppContext, 'repos' | 'clock'>): JobHandler<'maintenance.prune-sessions'> {
  return async (_payload, { logger }) => {
    const deleted = await context.repos.sessions.prune(context.clock.now());
    const states = await context.repos.oauthStates.prune(context.clock.now());
    if (deleted || states) logger.info({ deleted, states }, 'expired sessions and OAuth states pruned');
    return { deleted, states };
  };
}
