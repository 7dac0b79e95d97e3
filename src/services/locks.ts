import type { Redis } from 'ioredis';
import { withLockOrLeave, type CoalescingOptions } from '../jobs/locks';

export type { CoalescingOptions };

/**
 * Named locks shared by every process (one wrapper over Redis), so services can be given a fake.
 * None is waited for: a job holding a worker slot while it waits for a company's lock starves
 * every other company of that slot.
 */
export interface Locks {
  /**
   * Runs `work` holding `name` (e.g. `sync:<realmId>`) with every request left for it, or, while
   * another holds it, leaves this request for the holder and returns at once; what is left during
   * a run goes to `followUp` once it is done (see withLockOrLeave).
   */
  runOrLeave<T>(name: string, options: CoalescingOptions, work: (requests: string[]) => Promise<T>, followUp: (requests: string[]) => Promise<void>): Promise<{ ran: false } | { ran: true; result: T }>;
}

/** Redis locks under `<prefix>:lock:<name>` (requests left under `<prefix>:requests:<name>`), the keys every worker of this deployment shares. */
export function redisLocks(redis: Redis, prefix: string): Locks {
  return {
    runOrLeave: (name, options, work, followUp) => withLockOrLeave(redis, { lock: `${prefix}:lock:${name}`, requests: `${prefix}:requests:${name}` }, options, work, followUp),
  };
}
