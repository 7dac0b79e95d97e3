import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/**
 * The daily playbook run of one company; one at a time per company across all workers, never
 * waited for (a request during a run is run after it). The month's first run also fixes the
 * month's difficult customers (later runs find them stored).
 */
export function cadenceRealm({ services }: Uses<'cadence' | 'reports'>): JobHandler<'cadence.realm'> {
  return async ({ realmId, asOf }, { job }) => {
    const outcome = await services.cadence.runScheduled(realmId, asOf, String(job.id));
    if ('runs' in outcome) for (const run of outcome.runs) await services.reports.difficultCustomers(realmId, run.day);
    return outcome;
  };
}
