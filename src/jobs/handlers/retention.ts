import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** The daily retention pass (SPEC: a disconnected company's copy is not kept forever). */
export function retention({ services }: Uses<'retention'>): JobHandler<'maintenance.retention'> {
  return async (_payload, { logger }) => services.retention.deleteExpired(logger);
}
