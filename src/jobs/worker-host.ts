import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { NO_METRICS, type JobMetrics } from '../metrics';
import { JOB_NAMES, JOBS, QUEUES, jobsOfQueue, type JobName, type JobPayload, type QueueName } from './names';
import { QUEUE_PREFIX } from './queues';
import { ScheduleKeeper, type KeptSchedules } from './schedule-keeper';

export interface JobContext {
  job: Job;
  logger: Logger;
  /** Aborted when the worker is told to stop; long handlers check it between steps. */
  signal: AbortSignal;
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, context: JobContext) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export interface WorkerHostOptions {
  connection: Redis;
  handlers: JobHandlers;
  logger: Logger;
  prefix?: string;
  concurrency?: Partial<Record<QueueName, number>>;
  /** How long a stop waits for in-flight jobs before leaving them to be picked up again. */
  shutdownGraceMs?: number;
  /** Disconnect `connection` once stopped (when the host was given a connection of its own). */
  ownsConnection?: boolean;
  /** The repeating jobs to put back whenever Redis comes back without them. */
  schedules?: KeptSchedules;
  /** Counts every job run by queue, job and outcome. */
  metrics?: JobMetrics;
}

const DEFAULT_CONCURRENCY: Record<QueueName, number> = { sync: 4, cadence: 2, mail: 8, notes: 2, maintenance: 1 };

/**
 * Runs every queue's jobs in this process. Checks at start that each job name has a handler,
 * validates payloads before a handler sees them, and stops gracefully: in-flight jobs finish
 * within the grace period; past it they are released and another worker retries them. With
 * `schedules`, it registers the repeating jobs again when Redis comes back without them.
 */
export class WorkerHost {
  private readonly workers: Worker[] = [];
  private readonly abort = new AbortController();
  private stopping?: Promise<void>;
  private keeper?: ScheduleKeeper;
  private registered?: Promise<void>;

  constructor(private readonly options: WorkerHostOptions) {
    const missing = JOB_NAMES.filter((name) => typeof options.handlers[name] !== 'function');
    if (missing.length) throw new Error(`No handler registered for job(s): ${missing.join(', ')}`);
  }

  start(queues: readonly QueueName[] = QUEUES): void {
    for (const queue of queues) {
      if (jobsOfQueue(queue).length === 0) continue;
      const worker = new Worker(queue, (job) => this.process(job), {
        connection: this.options.connection,
        prefix: this.options.prefix ?? QUEUE_PREFIX,
        concurrency: this.options.concurrency?.[queue] ?? DEFAULT_CONCURRENCY[queue],
        // A job whose worker died is retried (not failed) a few times before being given up.
        maxStalledCount: 3,
        // Mail is quick: notice a dead sender within seconds, so what it left is held (uncertain) soon.
        ...(queue === 'mail' ? { lockDuration: 10_000, stalledInterval: 5_000 } : {}),
      });
      worker.on('failed', (job, error) => {
        this.options.logger.warn({ queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed');
      });
      worker.on('error', (error) => this.options.logger.error({ queue, err: error }, 'worker error'));
      this.workers.push(worker);
    }
    if (this.options.schedules && !this.keeper) {
      this.keeper = new ScheduleKeeper(this.options.connection, this.options.schedules, this.options.logger);
      this.registered = this.keeper.register();
    }
    this.options.logger.info({ queues: this.workers.map((w) => w.name) }, 'worker started');
  }

  /**
   * Resolves once start() first tried to register the repeating jobs (`schedules`); while Redis
   * is away it keeps trying in the background rather than holding the worker back.
   */
  schedulesRegistered(): Promise<void> {
    return this.registered ?? Promise.resolve();
  }

  /** Jobs running now, by id: what a stop waits for. */
  private readonly active = new Map<string, JobName>();

  private async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    const definition = JOBS[name];
    if (!definition) throw new UnrecoverableError(`Unknown job "${job.name}"`);
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid payload for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const logger = this.options.logger.child({ job: name, jobId: job.id });
    const handler = this.options.handlers[name] as JobHandler<typeof name>;
    const started = Date.now();
    const metrics = this.options.metrics ?? NO_METRICS;
    this.active.set(String(job.id), name);
    try {
      const result = await handler(parsed.data as JobPayload<typeof name>, { job, logger, signal: this.abort.signal });
      metrics.jobFinished(definition.queue, name, 'completed', (Date.now() - started) / 1000);
      // One line per job at info, as for requests: what ran, how long, on which attempt.
      logger.info({ ms: Date.now() - started, attempt: job.attemptsMade + 1 }, 'job done');
      return result;
    } catch (error) {
      metrics.jobFinished(definition.queue, name, 'failed', (Date.now() - started) / 1000);
      throw error;
    } finally {
      this.active.delete(String(job.id));
      if (this.active.size === 0) for (const waiter of [...this.idleWaiters]) waiter();
    }
  }

  /** Stops taking jobs; waits up to the grace period for in-flight ones. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.keeper?.stop();
      const grace = this.options.shutdownGraceMs ?? 25_000;
      this.options.logger.info({ graceMs: grace, inFlight: this.active.size }, 'worker stopping');
      // Take no new job, and give the running ones the grace period. Not Worker.close(): it waits
      // for the running jobs, and a later close(true) only hands back that same pending promise.
      await Promise.all(this.workers.map((worker) => worker.pause(true)));
      const finished = await this.idleWithin(grace);
      if (!finished) {
        this.abort.abort();
        this.options.logger.warn({ inFlight: Object.fromEntries(this.active) }, 'grace period over: releasing in-flight jobs for another worker');
      }
      await Promise.all(this.workers.map((worker) => worker.close(!finished)));
      if (this.options.ownsConnection) this.options.connection.disconnect();
      this.options.logger.info('worker stopped');
    })();
    return this.stopping;
  }

  private readonly idleWaiters = new Set<() => void>();

  /** True once no job of this host is running, false if one still is after `ms`. */
  private idleWithin(ms: number): Promise<boolean> {
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      timer.unref();
      this.idleWaiters.add(onIdle);
    });
  }
}
