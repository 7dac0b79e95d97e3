import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { WebDeps } from '../deps';

/**
 * `GET /metrics` in Prometheus' text format. With METRICS_TOKEN set, only a scraper sending
 * `Authorization: Bearer <METRICS_TOKEN>` is answered; without it, anyone who can reach the port
 * is (keep it off the public internet, README "Metrics").
 */
export function metricsRoutes(context: Pick<WebDeps, 'metrics' | 'config'>): Router {
  const router = Router();
  const expected = context.config.metricsToken ? Buffer.from(`Bearer ${context.config.metricsToken}`) : undefined;
  router.get('/metrics', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (expected) {
      const given = Buffer.from(req.get('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('Send Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
    }
    res.type(context.metrics.contentType).send(await context.metrics.render());
  });
  return router;
}
