import type { AppContext } from '../../app-context';
import { writeNotes } from '../notes';
import type { JobHandler } from '../worker-host';

/** Queues a notes run for a company unless one is already waiting (one job id per company). */
export async function queueNotes(context: AppContext, realmId: string): Promise<void> {
  await context.queues.enqueueAgain('notes.realm', { realmId }, `notes-${realmId}`);
}

/**
 * Queues a notes run now for something a person just did. The notes pass every 30 seconds finds
 * them anyway, so a queue that cannot be reached is logged, not an error for the person.
 */
export async function queueNotesSoon(context: AppContext, realmId: string, log: AppContext['logger']): Promise<void> {
  await queueNotes(context, realmId).catch((error) => log.warn({ err: error, realmId }, 'could not queue notes now; the next notes pass writes them'));
}

export function dispatchNotes(context: AppContext): JobHandler<'notes.dispatch'> {
  return async () => {
    const realms = await context.repos.notes.realmsWithPending();
    for (const realmId of realms) await queueNotes(context, realmId);
    return { realms: realms.length };
  };
}

export function writeRealmNotes(context: AppContext): JobHandler<'notes.realm'> {
  return async ({ realmId }) => {
    const run = await writeNotes(context, realmId);
    // A run stops after its share of batches; the rest follow at once (retries wait for the next pass).
    if (run.more && run.retried === 0) {
      await context.queues.enqueue('notes.realm', { realmId }, { jobId: `notes-${realmId}-${Date.now()}` });
    }
    return run;
  };
}
