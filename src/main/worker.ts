import type { AppContext } from '../app-context';
import { createJobHandlers, housekeepingSchedules } from '../jobs/handlers';
import { createQueueConnection } from '../jobs/redis';
import { WorkerHost } from '../jobs/worker-host';

/** Runs every queue's handlers in this process; stop() drains gracefully. */
export async function startWorker(context: AppContext, options: { shutdownGraceMs?: number } = {}): Promise<WorkerHost> {
  // Workers block on Redis; they get their own connection so producers are never stuck behind them.
  const connection = createQueueConnection(context.config.redisUrl, `${context.queues.prefix}:worker`);
  connection.on('error', (error) => context.logger.warn({ err: error.message }, 'worker redis connection error'));
  const host = new WorkerHost({
    connection,
    handlers: createJobHandlers(context),
    logger: context.logger.child({ module: 'worker' }),
    prefix: context.queues.prefix,
    shutdownGraceMs: options.shutdownGraceMs,
    concurrency: context.config.concurrency,
    ownsConnection: true,
    metrics: context.metrics,
    // Registered at start, and again whenever Redis comes back without them (restarted empty).
    schedules: housekeepingSchedules(context),
  });
  host.start();
  await host.schedulesRegistered();
  return host;
}
