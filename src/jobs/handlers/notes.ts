import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** Every 30 seconds: a notes run queued for each company with notes waiting. */
export function dispatchNotes({ services }: Uses<'notes'>): JobHandler<'notes.dispatch'> {
  return () => services.notes.queueAllPending();
}

/** One company's notes written; while another run writes them, the job ends at once (see NotesService.writePending). */
export function writeRealmNotes({ services }: Uses<'notes'>): JobHandler<'notes.realm'> {
  return ({ realmId }, { job }) => services.notes.writeForJob(realmId, String(job.id));
}
