import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A Redis lock shared by every process on every machine: SET NX PX with a random owner token,
 * released only by its owner. Waits (polling) up to `waitMs` for the lock.
 */
export async function withLock<T>(redis: Redis, key: string, options: { ttlMs: number; waitMs: number }, work: () => Promise<T>): Promise<T> {
  const owner = randomBytes(16).toString('hex');
  const deadline = Date.now() + options.waitMs;
  let delay = 25;
  while ((await redis.set(key, owner, 'PX', options.ttlMs, 'NX')) !== 'OK') {
    if (Date.now() > deadline) throw new Error(`Timed out after ${options.waitMs} ms waiting for lock ${key}`);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 250);
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
  }
}
