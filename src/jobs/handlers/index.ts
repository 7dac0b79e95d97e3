import type { AppContext } from '../../app-context';
import type { JobHandlers } from '../worker-host';
import { pruneSessions } from './prune-sessions';
import { syncRealm } from './sync-realm';
import { cadenceRealm } from './cadence-realm';
import { dispatchMail, sendMail } from './mail';
import { dispatchNotes, writeRealmNotes } from './notes';
import { scheduleCompany } from '../schedules';

/** Every job's handler, bound to this process's context. The worker refuses to start if one is missing. */
export function createJobHandlers(context: AppContext): JobHandlers {
  return {
    'maintenance.prune-sessions': pruneSessions(context),
    'sync.realm': syncRealm(context),
    'cadence.realm': cadenceRealm(context),
    'mail.dispatch': dispatchMail(context),
    'mail.send': sendMail(context),
    'notes.dispatch': dispatchNotes(context),
    'notes.realm': writeRealmNotes(context),
  };
}

/** Repeating jobs every deployment needs; registering them again is harmless. */
export async function scheduleHousekeeping(context: AppContext): Promise<void> {
  await context.queues.schedule('prune-sessions', 'maintenance.prune-sessions', {}, { every: 3600_000 });
  // Due messages go out within a minute; the same pass holds messages a dead worker left mid-send.
  await context.queues.schedule('mail-dispatch', 'mail.dispatch', {}, { every: 60_000 });
  // Notes of every activity reach QuickBooks within half a minute, whatever recorded them.
  await context.queues.schedule('notes-dispatch', 'notes.dispatch', {}, { every: 30_000 });
  // Every connected company keeps its sync schedule, even if Redis lost it.
  for (const company of await context.repos.companies.listByStatus('connected')) await scheduleCompany(context.queues, company.realm_id, company.timezone);
}
