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
