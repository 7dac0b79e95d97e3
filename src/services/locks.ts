import type { Redis } from 'ioredis';
import { withLock } from '../jobs/locks';

export interface LockOptions {
  ttlMs: number;
  waitMs: number;
  renew?: boolean;
}

/** Named locks shared by every process (one wrapper over Redis), so services can be given a fake. */
export interface Locks {
  /** Runs `work` holding the lock `name` (e.g. `sync:<realmId>`), waiting for it as `options` say. */
  hold<T>(name: string, options: LockOptions, work: () => Promise<T>): Promise<T>;
}

/** Redis locks under `<prefix>:lock:<name>`, the keys every worker of this deployment shares. */
export function redisLocks(redis: Redis, prefix: string): Locks {
  return { hold: (name, options, work) => withLock(redis, `${prefix}:lock:${name}`, options, work) };
}
