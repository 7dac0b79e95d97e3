import type { AppContext } from '../../app-context';
import { deleteExpiredCopies } from '../../services/retention';
import type { JobHandler } from '../worker-host';

/** The daily retention pass (SPEC: a disconnected company's copy is not kept forever). */
export function retention(context: Pick<AppContext, 'repos' | 'clock' | 'config'>): JobHandler<'maintenance.retention'> {
  return async (_payload, { logger }) =>
    deleteExpiredCopies({ retention: context.repos.retention, clock: context.clock, logger, retentionDays: context.config.retentionDays });
}
