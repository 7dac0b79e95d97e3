import type { AppContext } from '../app-context';
import { createJobHandlers, scheduleHousekeeping } from '../jobs/handlers';
import { createQueueConnection } from '../jobs/redis';
import { WorkerHost } from '../jobs/worker-host';

/** Runs every queue's handlers in this process; stop() drains gracefully. */
export async function startWorker(context: AppContext, options: { shutdownGraceMs?: number } = {}): Promise<WorkerHost> {
  // Workers block on Redis; they get their own connection so producers are never stuck behind them.
  const connection = createQueueConnection(context.config.redisUrl);
  connection.on('error', (error) => context.logger.warn({ err: error.message }, 'worker redis connection error'));
  const host = new WorkerHost({
    connection,
    handlers: createJobHandlers(context),
    logger: context.logger.child({ module: 'worker' }),
    prefix: context.queues.prefix,
    shutdownGraceMs: options.shutdownGraceMs,
    concurrency: { mail: context.config.mailConcurrency },
    ownsConnection: true,
  });
  await scheduleHousekeeping(context);
  // A Redis that comes back empty (restarted without persistence) has lost the schedules: put
  // them back whenever the connection is ready again. Registering twice is harmless.
  let connectedBefore = false;
  connection.on('ready', () => {
    if (!connectedBefore) return void (connectedBefore = true);
    scheduleHousekeeping(context).catch((error) => context.logger.warn({ err: error }, 'could not restore the schedules after Redis came back'));
  });
  host.start();
  return host;
}
