import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisCall } from './redis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A Redis lock shared by every process on every machine: SET NX PX with a random owner token,
 * released only by its owner. Waits (polling) up to `waitMs` for the lock. With `renew`, the
 * owner keeps extending it every third of `ttlMs` while working, so a short TTL only bites when
 * the owner has died. While Redis is away, taking the lock fails at once (RedisUnavailableError).
 */
export async function withLock<T>(redis: Redis, key: string, options: { ttlMs: number; waitMs: number; renew?: boolean }, work: () => Promise<T>): Promise<T> {
  const owner = randomBytes(16).toString('hex');
  const deadline = Date.now() + options.waitMs;
  let delay = 25;
  while ((await redisCall(() => redis.set(key, owner, 'PX', options.ttlMs, 'NX'))) !== 'OK') {
    if (Date.now() > deadline) throw new Error(`Timed out after ${options.waitMs} ms waiting for lock ${key}`);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 250);
  }
  const renewal = options.renew ? setInterval(() => void redis.eval(EXTEND, 1, key, owner, options.ttlMs).catch(() => undefined), Math.max(100, options.ttlMs / 3)) : undefined;
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
  }
}

/**
 * Leaves the request (ARGV[3], unless empty) in the set KEYS[2], then takes the lock KEYS[1] for
 * ARGV[1] unless someone holds it: taken, it hands back (and clears) every request left so far;
 * held by another, nil; held under ARGV[1] itself (an earlier attempt of the same job, whose
 * worker died or stalled), 1.
 */
const TAKE_OR_LEAVE = `
if ARGV[3] ~= '' then redis.call('sadd', KEYS[2], ARGV[3]) end
redis.call('pexpire', KEYS[2], ARGV[4])
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder then return false end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
local requests = redis.call('smembers', KEYS[2])
redis.call('del', KEYS[2])
return requests`;

/**
 * Puts back the requests ARGV[3..] (a run that failed), lets go of the lock KEYS[1] if ARGV[1]
 * still holds it, and answers the requests left meanwhile. In one step: a request left just
 * before is seen here, one left just after finds the lock free.
 */
const RELEASE_AND_PEEK = `
for i = 3, #ARGV do redis.call('sadd', KEYS[2], ARGV[i]) end
if #ARGV >= 3 then redis.call('pexpire', KEYS[2], ARGV[2]) end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return redis.call('smembers', KEYS[2])`;

/**
 * The lock is held by an earlier attempt of this very job (its worker died, or stalled long
 * enough for the job to be handed out again): not taken over, since that attempt may still be
 * running. The job fails and is retried with backoff; once the lock expires, a retry takes it
 * with every request left. Never waited for in a slot.
 */
export class EarlierAttemptHoldsLockError extends Error {
  constructor(lock: string) {
    super(`An earlier attempt of this job still holds ${lock}; retrying once it is released or expires`);
    this.name = 'EarlierAttemptHoldsLockError';
  }
}

export interface CoalescingOptions {
  /** Who takes the lock: the job's id, stable across its retries. */
  owner: string;
  /** What this caller asks for; none for a follow-up, which runs only what others left. */
  request?: string;
  /** The lock's lifetime, renewed every third of it while the work runs. */
  ttlMs: number;
  /** How long requests nobody ran are kept (a holder that died, then every retry failed). */
  requestsTtlMs: number;
}

/**
 * A lock that is never waited for. The caller leaves its request; if nobody holds the lock it
 * takes it and runs `work` with every request left so far (its own included). If somebody does,
 * it returns at once ({ ran: false }): the holder sees the request when it lets go and hands
 * what was left during its work to `followUp` (which queues one more run). So any number of
 * requests during one run become exactly one run after it, and none is lost. A run that fails
 * puts its requests back for its own retry. A job whose earlier attempt still holds the lock
 * fails at once (EarlierAttemptHoldsLockError) to be retried later.
 */
export async function withLockOrLeave<T>(
  redis: Redis,
  keys: { lock: string; requests: string },
  options: CoalescingOptions,
  work: (requests: string[]) => Promise<T>,
  followUp: (requests: string[]) => Promise<void>,
): Promise<{ ran: false } | { ran: true; result: T }> {
  const { owner, ttlMs } = options;
  const taken = (await redisCall(() => redis.eval(TAKE_OR_LEAVE, 2, keys.lock, keys.requests, owner, ttlMs, options.request ?? '', options.requestsTtlMs))) as string[] | 1 | null;
  if (taken === 1) throw new EarlierAttemptHoldsLockError(keys.lock);
  if (!taken) return { ran: false };
  const renewal = setInterval(() => void redis.eval(EXTEND, 1, keys.lock, owner, ttlMs).catch(() => undefined), Math.max(100, ttlMs / 3));
  let result: T;
  try {
    result = await work(taken);
  } catch (error) {
    clearInterval(renewal);
    await redis.eval(RELEASE_AND_PEEK, 2, keys.lock, keys.requests, owner, options.requestsTtlMs, ...taken).catch(() => undefined);
    throw error;
  }
  clearInterval(renewal);
  const left = (await redisCall(() => redis.eval(RELEASE_AND_PEEK, 2, keys.lock, keys.requests, owner, options.requestsTtlMs))) as string[];
  if (left.length) await followUp(left);
  return { ran: true, result };
}
