import { Router } from 'express';
import type { AppContext } from '../../app-context';
import { pingDatabase } from '../../db/database';
import { checkRedis } from '../../jobs/redis';

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);
}

/**
 * `/healthz`: the process is up. `/readyz`: it can do its work: it is not stopping, the database
 * answers, and so does Redis through the connection this process queues with (down, or still
 * reconnecting after a restart, is not ready). Probes use the process's own connections: a probe
 * opens none. Both answer before sessions exist, so a probe never creates one.
 */
export function healthRoutes(context: Pick<AppContext, 'db' | 'redis' | 'lifecycle'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // From the first moment of a stop: the load balancer must send nothing new while we drain.
    if (context.lifecycle.stopping) {
      res.status(503).json({ status: 'unavailable', failing: ['shutting_down'], checks: { process: 'shutting down' } });
      return;
    }
    const checks: Record<string, string> = {};
    const probes = {
      database: () => withTimeout(pingDatabase(context.db), 2000, 'the database'),
      redis: () => withTimeout(checkRedis(context.redis), 1000, 'Redis'),
    };
    await Promise.all(
      Object.entries(probes).map(async ([part, probe]) => {
        try {
          await probe();
          checks[part] = 'ok';
        } catch (error) {
          checks[part] = `unreachable: ${(error as Error).message || 'no answer'}`;
        }
      }),
    );
    const failing = Object.keys(checks).filter((part) => checks[part] !== 'ok').sort();
    res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'unavailable' : 'ready', failing, checks });
  });
  return router;
}
