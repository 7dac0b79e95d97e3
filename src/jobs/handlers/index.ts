import type { Uses } from '../../services';
import type { JobHandlers } from '../worker-host';
import { pruneSessions } from './prune-sessions';
import { retention } from './retention';
import { syncRealm } from './sync-realm';
import { cadenceRealm } from './cadence-realm';
import { dispatchMail, sendMail } from './mail';
import { dispatchNotes, writeRealmNotes } from './notes';

/** What the job handlers call: only these services. */
export type JobServices = Uses<'housekeeping' | 'retention' | 'sync' | 'cadence' | 'mailDispatch' | 'messages' | 'notes' | 'reports'>;

/** Every job's handler, bound to this process's services. The worker refuses to start if one is missing. */
export function createJobHandlers(context: JobServices): JobHandlers {
  return {
    'maintenance.prune-sessions': pruneSessions(context),
    'maintenance.retention': retention(context),
    'sync.realm': syncRealm(context),
    'cadence.realm': cadenceRealm(context),
    'mail.dispatch': dispatchMail(context),
    'mail.send': sendMail(context),
    'notes.dispatch': dispatchNotes(context),
    'notes.realm': writeRealmNotes(context),
  };
}

/**
 * What a worker gives its schedule keeper: notice that Redis lost the schedules, and put them
 * all back (the global ones and every connected company's, from the database).
 */
export function housekeepingSchedules({ services }: Uses<'housekeeping'>) {
  return { missing: () => services.housekeeping.schedulesMissing(), restore: () => services.housekeeping.schedule() };
}
