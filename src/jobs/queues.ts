import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { JOBS, QUEUES, type JobName, type JobPayload, type QueueName } from './names';
import { redisCall } from './redis';

export const QUEUE_PREFIX = 'ardesk';

/**
 * How many finished jobs each queue keeps for inspection, and how long: Redis holds every kept
 * job, so both are capped (a thousand companies finish some 100,000 jobs a day). Failed jobs stay
 * longer, for an operator to read and retry.
 */
export const JOB_RETENTION: Readonly<JobRetention> = {
  completed: { age: 24 * 3600, count: 2000 },
  failed: { age: 7 * 24 * 3600, count: 5000 },
};

export interface JobRetention {
  /** Seconds a finished job is kept, and how many of them a queue keeps at most. */
  completed: { age: number; count: number };
  failed: { age: number; count: number };
}

const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
};

/**
 * The producer side of the queues: validated payloads, one Queue per area. Give it a producer
 * connection (no offline queue): while Redis is away every call fails at once with
 * RedisUnavailableError (503 on the web) instead of waiting for Redis to come back.
 */
export class JobQueues {
  private readonly queues: Map<QueueName, Queue>;

  constructor(connection: Redis, readonly prefix = QUEUE_PREFIX, logger?: Logger, retention: JobRetention = JOB_RETENTION) {
    const defaultJobOptions: JobsOptions = { ...DEFAULT_JOB_OPTIONS, removeOnComplete: { ...retention.completed }, removeOnFail: { ...retention.failed } };
    this.queues = new Map(
      QUEUES.map((name) => {
        const queue = new Queue(name, { connection, prefix, defaultJobOptions });
        // Connection trouble is reported by the connection's own listener; a queue must not crash the process over it.
        queue.on('error', (error) => logger?.debug({ queue: name, err: error.message }, 'queue error'));
        return [name, queue];
      }),
    );
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /**
   * Adds a job. Give `jobId` to make it idempotent: BullMQ ignores a second add with an id
   * that is still known.
   */
  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: JobsOptions = {}): Promise<string> {
    const data = JOBS[name].payload.parse(payload);
    const job = await redisCall(() => this.queue(JOBS[name].queue).add(name, data, options));
    return job.id!;
  }

  /** Whether a job of `jobId` is still known (waiting, running, or kept after it finished). */
  async has(name: JobName, jobId: string): Promise<boolean> {
    return Boolean(await redisCall(() => this.queue(JOBS[name].queue).getJob(jobId)));
  }

  /**
   * Adds many jobs of one name in one Redis transaction, each under its own id; an id whose job
   * still exists is left as it is.
   */
  async enqueueMany<N extends JobName>(name: N, jobs: ReadonlyArray<{ payload: JobPayload<N>; jobId: string }>): Promise<void> {
    if (jobs.length === 0) return;
    const definition = JOBS[name];
    const bulk = jobs.map((job) => ({ name, data: definition.payload.parse(job.payload), opts: { jobId: job.jobId } }));
    await redisCall(() => this.queue(definition.queue).addBulk(bulk));
  }

  /**
   * Adds a job under `jobId` unless one of that id is still waiting or running. A finished job
   * of that id (kept for a while for inspection) is removed first, so the id can serve again.
   */
  async enqueueAgain<N extends JobName>(name: N, payload: JobPayload<N>, jobId: string): Promise<string> {
    const previous = await redisCall(() => this.queue(JOBS[name].queue).getJob(jobId));
    const state = previous ? await redisCall(() => previous.getState()) : undefined;
    if (previous && (state === 'completed' || state === 'failed')) await previous.remove().catch(() => undefined);
    return this.enqueue(name, payload, { jobId });
  }

  /** Registers (or updates) a repeating job, keyed by `schedulerId`. */
  async schedule<N extends JobName>(schedulerId: string, name: N, payload: JobPayload<N>, repeat: { every?: number; pattern?: string; tz?: string }): Promise<void> {
    const data = JOBS[name].payload.parse(payload);
    await redisCall(() => this.queue(JOBS[name].queue).upsertJobScheduler(schedulerId, repeat, { name, data }));
  }

  async unschedule(name: JobName, schedulerId: string): Promise<void> {
    await redisCall(() => this.queue(JOBS[name].queue).removeJobScheduler(schedulerId));
  }

  /** Whether the repeating job `schedulerId` is registered (a Redis restarted empty has none). */
  async isScheduled(name: JobName, schedulerId: string): Promise<boolean> {
    return Boolean(await redisCall(() => this.queue(JOBS[name].queue).getJobScheduler(schedulerId)));
  }

  /** How many jobs each queue holds now, by state (for the metrics). */
  async jobCounts(): Promise<Array<{ queue: QueueName; counts: Record<string, number> }>> {
    return Promise.all(
      QUEUES.map(async (queue) => ({
        queue,
        counts: await redisCall(() => this.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed')),
      })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
