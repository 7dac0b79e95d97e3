import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RateLimits {
  maxInFlight: number;
  perMinute: number;
  batchPerMinute: number;
}

/** Intuit's limits per company, a little under the per-minute ones so clock skew cannot tip us over. */
export const INTUIT_RATE_LIMITS: RateLimits = { maxInFlight: 10, perMinute: 495, batchPerMinute: 39 };

/**
 * A slot held by a crashed process frees itself after this long; a live holder keeps pushing its
 * slot's expiry forward while its call runs, so a slow call never loses its slot.
 */
const SLOT_TTL_MS = 10_000;

// Every time in these sets is Redis' own clock (TIME), the one clock all processes on all machines
// share: a process whose clock is off (a drifting machine, faketime) neither frees the slots of
// others early nor keeps its own for ever.
const REDIS_NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

// KEYS: inflight zset, minute zset, batch zset. ARGV: slot, ttl, maxInFlight, perMinute, batchPerMinute, isBatch.
// Returns 0 when the slot is granted, else how many ms to wait before asking again.
const ACQUIRE = `${REDIS_NOW}
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
redis.call('zremrangebyscore', KEYS[2], '-inf', now - 60000)
redis.call('zremrangebyscore', KEYS[3], '-inf', now - 60000)
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then return 25 end
if redis.call('zcard', KEYS[2]) >= tonumber(ARGV[4]) then
  local oldest = redis.call('zrange', KEYS[2], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + 60000 - now)
end
if ARGV[6] == '1' and redis.call('zcard', KEYS[3]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('zrange', KEYS[3], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + 60000 - now)
end
redis.call('zadd', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('zadd', KEYS[2], now, ARGV[1])
if ARGV[6] == '1' then redis.call('zadd', KEYS[3], now, ARGV[1]) end
redis.call('pexpire', KEYS[1], 120000)
redis.call('pexpire', KEYS[2], 61000)
redis.call('pexpire', KEYS[3], 61000)
return 0
`;

// KEYS: inflight zset. ARGV: slot, ttl. Pushes a held slot's expiry forward (never re-adds a freed one).
const EXTEND = `${REDIS_NOW}
redis.call('zadd', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 0
`;

/**
 * QuickBooks' per-company limits, enforced for every process on every machine at once through
 * Redis: at most `maxInFlight` calls running, `perMinute` started in any 60 s, and
 * `batchPerMinute` batch calls in any 60 s, all on Redis' clock. `acquire` waits for a slot;
 * `release` frees it.
 */
export class RealmRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: RateLimits = INTUIT_RATE_LIMITS,
  ) {}

  async acquire(realmId: string, isBatch: boolean): Promise<() => Promise<void>> {
    const slot = randomBytes(8).toString('hex');
    const keys = ['inflight', 'minute', 'batch'].map((k) => `${this.prefix}:qbo-limit:${realmId}:${k}`);
    for (;;) {
      const wait = Number(
        await this.redis.eval(ACQUIRE, 3, ...keys, slot, SLOT_TTL_MS, this.limits.maxInFlight, this.limits.perMinute, this.limits.batchPerMinute, isBatch ? '1' : '0'),
      );
      if (wait === 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * 20));
    }
    const heartbeat = setInterval(() => void this.redis.eval(EXTEND, 1, keys[0]!, slot, SLOT_TTL_MS).catch(() => undefined), SLOT_TTL_MS / 3);
    heartbeat.unref();
    return async () => {
      clearInterval(heartbeat);
      await this.redis.zrem(keys[0]!, slot).catch(() => undefined);
    };
  }
}
