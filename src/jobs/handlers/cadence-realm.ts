import type { AppContext } from '../../app-context';
import { runCadence } from '../cadence';
import { withLock } from '../locks';
import type { JobHandler } from '../worker-host';
import { queueNotes } from './notes';

/** The daily playbook run of one company; one at a time per company across all workers. */
export function cadenceRealm(context: AppContext): JobHandler<'cadence.realm'> {
  return async ({ realmId, asOf }) => {
    const company = await context.repos.companies.find(realmId);
    if (!company || company.status !== 'connected') return { skipped: `company is ${company?.status ?? 'unknown'}` };
    const summary = await withLock(context.redis, `${context.queues.prefix}:lock:cadence:${realmId}`, { ttlMs: 30_000, waitMs: 10 * 60_000, renew: true }, () => runCadence(context, realmId, asOf));
    // What the day queued and is already due goes out now rather than at the next minute.
    await context.queues.enqueue('mail.dispatch', {});
    await queueNotes(context, realmId);
    return summary;
  };
}
