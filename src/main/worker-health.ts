import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { AppContext } from '../app-context';
import { healthRoutes } from '../web/routes/health';
import { metricsRoutes } from '../web/routes/metrics';

export interface RunningHealth {
  url: string;
  stop(): Promise<void>;
}

/**
 * What a worker process answers on WORKER_HEALTH_PORT: /healthz (liveness), /readyz (the
 * database and Redis answer, and it is not stopping) and /metrics (its job and QuickBooks
 * counters, and the shared gauges). Nothing else: it serves no pages and holds no sessions.
 */
export async function startWorkerHealth(context: AppContext, port = context.config.workerHealthPort): Promise<RunningHealth> {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(healthRoutes(context));
  app.use(metricsRoutes(context));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'This is a worker: /healthz, /readyz and /metrics only' } });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, '0.0.0.0', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  const { port: actual } = server.address() as AddressInfo;
  context.logger.info({ port: actual }, 'worker health listening');
  return {
    url: `http://127.0.0.1:${actual}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
