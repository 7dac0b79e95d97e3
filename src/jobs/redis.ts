import { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../errors';

/**
 * Redis connections. Workers block on Redis and must ride out a restart, so they queue commands
 * and retry forever. Producers (web requests, and what handlers queue or lock) answer to a person
 * or to Intuit, so while Redis is away they fail at once instead of waiting for it;
 * readiness asks through the producers' connection.
 */
export function createQueueConnection(url: string, connectionName?: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (times) => Math.min(times * 200, 2000), connectionName });
}

/**
 * The connection producers share. No offline queue: a command given while the connection is not
 * ready is refused at once; and one in flight when the connection drops is refused at the first
 * reconnect attempt rather than re-sent later. It keeps reconnecting in the background.
 */
export function createProducerConnection(url: string, connectionName?: string): Redis {
  // The name shows in Redis' CLIENT LIST, so an operator can tell Ardesk's connections apart.
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, enableReadyCheck: true, retryStrategy: (times) => Math.min(times * 200, 2000), connectionName });
}

/** Resolves once `redis` is ready, or after `ms` (false) so a process can start while Redis is away. */
export function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    timer.unref();
    redis.on('ready', onReady);
  });
}

export class RedisUnavailableError extends ServiceUnavailableError {
  constructor(cause?: unknown) {
    super('redis_unavailable', 'The job queue (Redis) cannot be reached right now, so nothing was queued or recorded. Try again in a minute.', { retryAfterSeconds: 30, cause });
  }
}

/** What ioredis says when a command could not reach Redis (as opposed to Redis refusing it). */
const UNREACHABLE = /^(Stream isn't writeable|Connection is closed|Command timed out)/;

/** Whether `error` means Redis was unreachable, whoever ran the command. */
export function isRedisUnreachable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === 'MaxRetriesPerRequestError' || UNREACHABLE.test(error.message);
}

/** Runs a Redis command (or several); a connection fault comes out as RedisUnavailableError (503). */
export async function redisCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isRedisUnreachable(error) ? new RedisUnavailableError(error) : error;
  }
}

/** Readiness: this process's own connection is up and Redis answers PING through it. */
export async function checkRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`the connection is ${redis.status === 'wait' ? 'not started' : redis.status}`);
  const reply = await redis.ping();
  if (reply !== 'PONG') throw new Error(`Redis answered PING with ${reply}`);
}
