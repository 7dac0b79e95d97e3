import type { Logger } from '../../logger';
import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** @deprecated Use `context.services.notes.queue(realmId)`. */
export function queueNotes(context: Uses<'notes'>, realmId: string): Promise<void> {
  return context.services.notes.queue(realmId);
}

/** @deprecated Use `context.services.notes.queueSoon(realmId, log)`. */
export function queueNotesSoon(context: Uses<'notes'>, realmId: string, log: Logger): Promise<void> {
  return context.services.notes.queueSoon(realmId, log);
}

/** Every 30 seconds: a notes run queued for each company with notes waiting. */
export function dispatchNotes({ services }: Uses<'notes'>): JobHandler<'notes.dispatch'> {
  return () => services.notes.queueAllPending();
}

export function writeRealmNotes({ services }: Uses<'notes'>): JobHandler<'notes.realm'> {
  return ({ realmId }) => services.notes.writeForJob(realmId);
}
