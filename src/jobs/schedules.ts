import type { JobQueues } from './queues';

const EVERY_15_MINUTES = 15 * 60 * 1000;

/**
 * The repeating work of one connected company: an incremental sync every 15 minutes, a full
 * reconciliation every night at 03:30 and the playbook at 07:00, in its time zone. Registering
 * again is harmless.
 */
export async function scheduleCompany(queues: JobQueues, realmId: string, timezone: string): Promise<void> {
  await queues.schedule(`sync:${realmId}`, 'sync.realm', { realmId, mode: 'auto' }, { every: EVERY_15_MINUTES });
  await queues.schedule(`reconcile:${realmId}`, 'sync.realm', { realmId, mode: 'full' }, { pattern: '30 3 * * *', tz: timezone });
  // The day's playbook after the night's reconciliation and the morning syncs.
  await queues.schedule(`cadence:${realmId}`, 'cadence.realm', { realmId }, { pattern: '0 7 * * *', tz: timezone });
}

/** Stops every repeating job of a company (disconnected, or waiting for a reconnect). */
export async function unscheduleCompany(queues: JobQueues, realmId: string): Promise<void> {
  await queues.unschedule('sync.realm', `sync:${realmId}`);
  await queues.unschedule('sync.realm', `reconcile:${realmId}`);
  await queues.unschedule('cadence.realm', `cadence:${realmId}`);
}

/** The first sync right after a connect; one per connect, even if the callback races. */
export async function queueFirstSync(queues: JobQueues, realmId: string, connectedAt: Date): Promise<string> {
  return queues.enqueue('sync.realm', { realmId, mode: 'full' }, { jobId: `sync-first-${realmId}-${connectedAt.getTime()}` });
}
