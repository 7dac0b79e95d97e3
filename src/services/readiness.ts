import type { Redis } from 'ioredis';
import { pingDatabase, type Db } from '../db/database';
import { checkRedis } from '../jobs/redis';

export type ReadinessPart = 'database' | 'redis';

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);
}

/**
 * Whether this process can do its work: the database answers, and so does Redis through the
 * connection this process queues with (down, or still reconnecting after a restart, is not
 * ready). The probes use the process's own connections: a probe opens none.
 */
export class ReadinessService {
  constructor(private readonly deps: { db: Db; redis: Redis }) {}

  /** Each part's answer: `ok`, or `unreachable: <why>`. */
  async check(): Promise<Record<ReadinessPart, string>> {
    const probes: Record<ReadinessPart, () => Promise<void>> = {
      database: () => withTimeout(pingDatabase(this.deps.db), 2000, 'the database'),
      redis: () => withTimeout(checkRedis(this.deps.redis), 1000, 'Redis'),
    };
    const checks = {} as Record<ReadinessPart, string>;
    await Promise.all(
      (Object.keys(probes) as ReadinessPart[]).map(async (part) => {
        try {
          await probes[part]();
          checks[part] = 'ok';
        } catch (error) {
          checks[part] = `unreachable: ${(error as Error).message || 'no answer'}`;
        }
      }),
    );
    return checks;
  }
}
