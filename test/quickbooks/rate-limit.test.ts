import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RealmRateLimiter } from '../../src/quickbooks/rate-limit';
import { TEST_REDIS_URL } from '../support/env';

const REALM = '9342401';
const DAYS_400 = 400 * 24 * 3600_000;

/**
 * The per-company limits are shared by every process through Redis. Processes whose clocks
 * disagree (a drifting machine; a worker under faketime next to one that is not) still share
 * them: the limiter keeps its times on Redis' clock, not on the caller's.
 */
describe('the QuickBooks rate limiter across processes whose clocks disagree', () => {
  let redis: Redis;
  const prefix = `ardesk-test-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  /** Runs `work` as a process whose clock is `offsetMs` away from Redis' would. */
  async function onMovedClock<T>(offsetMs: number, work: () => Promise<T>): Promise<T> {
    const realNow = Date.now;
    Date.now = () => realNow() + offsetMs;
    try {
      return await work();
    } finally {
      Date.now = realNow;
    }
  }

  /** Whether `pending` settles within `ms`. */
  async function settlesWithin(pending: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([pending.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('keeps to the calls in flight of a process on another clock, in both directions', async () => {
    for (const [realm, holderOffset, newcomerOffset] of [[`${REALM}-a`, 0, DAYS_400], [`${REALM}-b`, 0, -DAYS_400], [`${REALM}-c`, DAYS_400, 0]] as const) {
      const limiter = new RealmRateLimiter(redis, prefix, { maxInFlight: 2, perMinute: 100, batchPerMinute: 10 });
      const held = await onMovedClock(holderOffset, () => Promise.all([limiter.acquire(realm, false), limiter.acquire(realm, false)]));
      await onMovedClock(newcomerOffset, async () => {
        const third = limiter.acquire(realm, false);
        expect({ realm, admittedWhileFull: await settlesWithin(third, 300) }).toEqual({ realm, admittedWhileFull: false });
        await held[0]!();
        expect({ realm, admittedOnceFreed: await settlesWithin(third, 2_000) }).toEqual({ realm, admittedOnceFreed: true });
        await (await third)();
      });
      await held[1]!();
    }
  });

  it('counts the calls of the last minute on Redis\' clock, whatever the caller\'s', async () => {
    const limiter = new RealmRateLimiter(redis, prefix, { maxInFlight: 10, perMinute: 3, batchPerMinute: 10 });
    // Three calls started 59 s ago by Redis' clock: a fourth may start when the first leaves the
    // minute, 1 s later by Redis' clock, not at once, however long this machine took to get here.
    const redisMs = async () => {
      const [seconds, micros] = await redis.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    const redisNow = await redisMs();
    const minute = `${prefix}:qbo-limit:${REALM}:minute`;
    await redis.zadd(minute, redisNow - 59_000, 'a', redisNow - 59_000, 'b', redisNow - 59_000, 'c');
    await onMovedClock(DAYS_400, async () => {
      const started = performance.now();
      const release = await limiter.acquire(REALM, false);
      const waited = performance.now() - started;
      const admittedAt = await redisMs();
      await release();
      expect(admittedAt - redisNow).toBeGreaterThanOrEqual(999);
      expect(waited).toBeLessThan(5_000);
    });
  });
});
