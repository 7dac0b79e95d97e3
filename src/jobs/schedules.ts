import type { SyncSchedule } from '../config';
import type { JobName } from './names';
import type { JobQueues } from './queues';
import { spreadDaily } from './spread';

/** What decides a company's repeating jobs (config.syncSchedule): polling or webhooks, and the daily jobs' windows. */
export type SyncPlan = Pick<SyncSchedule, 'webhooks' | 'pollMinutes' | 'windows'>;

/** The repeating jobs every deployment needs, whatever companies it has. */
const GLOBAL_SCHEDULES: ReadonlyArray<{ id: string; name: Extract<JobName, 'maintenance.prune-sessions' | 'maintenance.retention' | 'mail.dispatch' | 'notes.dispatch'>; every: number }> = [
  { id: 'prune-sessions', name: 'maintenance.prune-sessions', every: 3600_000 },
  // Once a day: disconnected companies' copies of QuickBooks past RETENTION_DAYS are deleted.
  { id: 'retention', name: 'maintenance.retention', every: 24 * 3600_000 },
  // Due messages go out within a minute; the same pass holds messages a dead worker left mid-send.
  { id: 'mail-dispatch', name: 'mail.dispatch', every: 60_000 },
  // Notes of every activity reach QuickBooks within half a minute, whatever recorded them.
  { id: 'notes-dispatch', name: 'notes.dispatch', every: 30_000 },
];

/**
 * Registers every repeating job from what the database says: each connected company's, then the
 * global ones. The global ones come last, so their presence means a registration finished (see
 * `schedulesMissing`). Registering again is harmless.
 */
export async function scheduleEverything(queues: JobQueues, companies: ReadonlyArray<{ realm_id: string; timezone: string }>, plan: SyncPlan): Promise<void> {
  for (const company of companies) await scheduleCompany(queues, company.realm_id, company.timezone, plan);
  for (const schedule of GLOBAL_SCHEDULES) await queues.schedule(schedule.id, schedule.name, {}, { every: schedule.every });
}

/** Whether Redis lost the schedules (restarted empty, or flushed): a global one is not there. */
export async function schedulesMissing(queues: JobQueues): Promise<boolean> {
  for (const schedule of GLOBAL_SCHEDULES) if (!(await queues.isScheduled(schedule.name, schedule.id))) return true;
  return false;
}

/**
 * The repeating work of one connected company, in its time zone, each daily job at the
 * company's own moment of its window (plan.windows: RECONCILE_WINDOW and CADENCE_WINDOW): the
 * daily sync run (a CDC reconcile and the drift check, or the periodic full re-read; see
 * SyncService), by default from 03:30, and the playbook, by default from 07:00. With webhooks
 * nothing polls: each change notification brings its own CDC. Without, a CDC every
 * `pollMinutes`. Registering again is harmless: it moves a daily job to a changed window, and it
 * drops a poll left from before webhooks were configured.
 */
export async function scheduleCompany(queues: JobQueues, realmId: string, timezone: string, plan: SyncPlan): Promise<void> {
  const { reconcile, cadence } = plan.windows;
  if (plan.webhooks) await queues.unschedule('sync.realm', `sync:${realmId}`);
  else await queues.schedule(`sync:${realmId}`, 'sync.realm', { realmId, mode: 'auto' }, { every: plan.pollMinutes * 60_000 });
  await queues.schedule(`reconcile:${realmId}`, 'sync.realm', { realmId, mode: 'daily' }, { pattern: spreadDaily(realmId, reconcile.startMinute, reconcile.windowMinutes), tz: timezone });
  // The day's playbook after the night's reconciliation and the morning syncs.
  await queues.schedule(`cadence:${realmId}`, 'cadence.realm', { realmId }, { pattern: spreadDaily(realmId, cadence.startMinute, cadence.windowMinutes), tz: timezone });
}

/** Stops every repeating job of a company (disconnected, or waiting for a reconnect). */
export async function unscheduleCompany(queues: JobQueues, realmId: string): Promise<void> {
  await queues.unschedule('sync.realm', `sync:${realmId}`);
  await queues.unschedule('sync.realm', `reconcile:${realmId}`);
  await queues.unschedule('cadence.realm', `cadence:${realmId}`);
}

/**
 * The first sync right after a connect, open part first (its history follows in a job of its
 * own); one per connect, even if the callback races.
 */
export async function queueFirstSync(queues: JobQueues, realmId: string, connectedAt: Date): Promise<string> {
  return queues.enqueue('sync.realm', { realmId, mode: 'open-first' }, { jobId: `sync-first-${realmId}-${connectedAt.getTime()}` });
}
