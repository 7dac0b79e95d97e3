import type { AppContext } from '../../app-context';
import type { JobHandlers } from '../worker-host';
import { pruneSessions } from './prune-sessions';
import { retention } from './retention';
import { syncRealm } from './sync-realm';
import { cadenceRealm } from './cadence-realm';
import { dispatchMail, sendMail } from './mail';
import { dispatchNotes, writeRealmNotes } from './notes';
import { scheduleEverything, schedulesMissing } from '../schedules';

/** Every job's handler, bound to this process's context. The worker refuses to start if one is missing. */
export function createJobHandlers(context: AppContext): JobHandlers {
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

/** Every repeating job: the global ones and every connected company's, from the database. */
export async function scheduleHousekeeping(context: AppContext): Promise<void> {
  await scheduleEverything(context.queues, await context.repos.companies.listByStatus('connected'));
}

/** What a worker gives its schedule keeper: notice that Redis lost the schedules, and put them back. */
export function housekeepingSchedules(context: AppContext) {
  return { missing: () => schedulesMissing(context.queues), restore: () => scheduleHousekeeping(context) };
}
