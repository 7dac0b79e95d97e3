import type { AppContext } from '../../src/app-context';
import { createJobHandlers } from '../../src/jobs/handlers';
import { QUEUES, type QueueName } from '../../src/jobs/names';
import { createQueueConnection } from '../../src/jobs/redis';
import { WorkerHost } from '../../src/jobs/worker-host';

const BUSY_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export interface SteppedWorker {
  host: WorkerHost;
  /**
   * Waits until every queue is idle (what the last step queued has run, and what that queued in
   * turn), then fails naming any job that failed meanwhile.
   */
  settle(what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real worker (every job's handler, BullMQ on Redis) for a test that drives the days itself:
 * it registers no repeating schedules, so nothing runs but what the test queues and what those
 * jobs queue.
 */
export async function startSteppedWorker(context: AppContext, options: { concurrency?: Partial<Record<QueueName, number>> } = {}): Promise<SteppedWorker> {
  const connection = createQueueConnection(context.config.redisUrl);
  connection.on('error', () => undefined);
  const host = new WorkerHost({
    connection,
    handlers: createJobHandlers(context),
    logger: context.logger.child({ module: 'worker' }),
    prefix: context.queues.prefix,
    shutdownGraceMs: 2_000,
    concurrency: options.concurrency,
    ownsConnection: true,
  });
  host.start();
  const reported = new Set<string>();

  const busy = async () => {
    const counts = await Promise.all(QUEUES.map((name) => context.queues.queue(name).getJobCounts(...BUSY_STATES)));
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, n) => a + n, 0), 0);
  };

  const newFailures = async () => {
    const failures: string[] = [];
    for (const name of QUEUES) {
      for (const job of await context.queues.queue(name).getFailed(0, 100)) {
        const key = `${name}:${job.id}`;
        if (reported.has(key)) continue;
        reported.add(key);
        failures.push(`${job.name} (${job.id}): ${job.failedReason}`);
      }
    }
    return failures;
  };

  return {
    host,
    async settle(what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      // Idle twice in a row: a job that finished between two queues' counts may have queued another.
      let idleSeen = 0;
      while (idleSeen < 2) {
        if (Date.now() > deadline) throw new Error(`the worker did not finish ${what} within ${timeoutMs} ms (${await busy()} jobs still busy)`);
        if ((await busy()) === 0) idleSeen++;
        else {
          idleSeen = 0;
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
      }
      const failures = await newFailures();
      if (failures.length) throw new Error(`jobs failed during ${what}:\n  ${failures.join('\n  ')}`);
    },
    stop: () => host.stop(),
  };
}
