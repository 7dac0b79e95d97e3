import { Router } from 'express';
import type { Uses } from '../../services';
import type { WebDeps } from '../deps';

/**
 * `/healthz`: the process is up. `/readyz`: it can do its work: it is not stopping, and the
 * database and Redis answer (services/readiness.ts). Probes use the process's own connections: a
 * probe opens none. Both answer before sessions exist, so a probe never creates one.
 */
export function healthRoutes(context: Pick<WebDeps, 'lifecycle'> & Uses<'readiness'>): Router {
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
    const checks: Record<string, string> = await context.services.readiness.check();
    const failing = Object.keys(checks).filter((part) => checks[part] !== 'ok').sort();
    res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'unavailable' : 'ready', failing, checks });
  });
  return router;
}
