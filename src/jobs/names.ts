import { z } from 'zod';

/**
 * Every job the worker runs: its queue and its payload. Jobs carry ids, never state; handlers
 * reload what they need and are safe to run twice.
 */
export const QUEUES = ['sync', 'cadence', 'mail', 'notes', 'maintenance'] as const;
export type QueueName = (typeof QUEUES)[number];

export const JOBS = {
  /** Deletes expired web sessions (and, later, expired OAuth states and webhook dedup keys). */
  'maintenance.prune-sessions': { queue: 'maintenance', payload: z.object({}).strict() },
  /** Deletes the copy of QuickBooks of companies disconnected more than RETENTION_DAYS ago. */
  'maintenance.retention': { queue: 'maintenance', payload: z.object({}).strict() },
  /** Runs one day of the collection playbook for one company. */
  'cadence.realm': {
    queue: 'cadence',
    payload: z.object({ realmId: z.string().regex(/^\d{1,32}$/), asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).strict(),
  },
  /** Hands due outbox messages to `mail.send` (and holds those a dead worker left mid-send). */
  'mail.dispatch': { queue: 'mail', payload: z.object({}).strict() },
  /** Sends one outbox message, at most once. */
  'mail.send': { queue: 'mail', payload: z.object({ messageId: z.string().uuid() }).strict() },
  /** Hands each company with notes waiting a `notes.realm` run. */
  'notes.dispatch': { queue: 'notes', payload: z.object({}).strict() },
  /** Writes one company's pending notes to QuickBooks, 30 to a batch request. */
  'notes.realm': { queue: 'notes', payload: z.object({ realmId: z.string().regex(/^\d{1,32}$/) }).strict() },
  /**
   * Brings Ardesk's copy of one company up to date with QuickBooks; `daily` is the once-a-day run
   * (a CDC reconcile and the drift check, or the periodic full re-read).
   */
  'sync.realm': {
    queue: 'sync',
    payload: z.object({ realmId: z.string().regex(/^\d{1,32}$/), mode: z.enum(['full', 'incremental', 'auto', 'daily', 'open-first', 'backfill']).default('auto') }).strict(),
  },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType }>;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

export function jobsOfQueue(queue: QueueName): JobName[] {
  return JOB_NAMES.filter((name) => JOBS[name].queue === queue);
}
