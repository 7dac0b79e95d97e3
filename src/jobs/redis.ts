import { Redis } from 'ioredis';

/**
 * Redis connections. Queues and workers block on Redis and must ride out a restart, so they
 * retry forever; probes (readiness) must fail fast instead.
 */
export function createQueueConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (times) => Math.min(times * 200, 2000) });
}

export function createProbeConnection(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
}

/** Answers whether Redis at `url` replies to PING within a second. */
export async function pingRedis(url: string): Promise<void> {
  const probe = createProbeConnection(url);
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    const reply = await Promise.race([
      probe.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Redis did not answer PING within 1 s')), 1000).unref()),
    ]);
    if (reply !== 'PONG') throw new Error(`Redis answered PING with ${reply}`);
  } finally {
    probe.disconnect();
  }
}
