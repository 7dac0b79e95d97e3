import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/**
 * The daily playbook run of one company; one at a time per company across all workers. The
 * month's first run also fixes the month's difficult customers (later runs find them stored).
 */
export function cadenceRealm({ services }: Uses<'cadence' | 'reports'>): JobHandler<'cadence.realm'> {
  return async ({ realmId, asOf }) => {
    const summary = await services.cadence.runScheduled(realmId, asOf);
    if (!('skipped' in summary)) await services.reports.difficultCustomers(realmId, summary.day);
    return summary;
  };
}
