import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** The daily playbook run of one company; one at a time per company across all workers. */
export function cadenceRealm({ services }: Uses<'cadence'>): JobHandler<'cadence.realm'> {
  return ({ realmId, asOf }) => services.cadence.runScheduled(realmId, asOf);
}
