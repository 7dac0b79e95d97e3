import type { Redis } from 'ioredis';
import type { Logger } from '../logger';

/** How a worker tells that Redis lost the repeating jobs, and how it puts them back. */
export interface KeptSchedules {
  missing(): Promise<boolean>;
  restore(): Promise<void>;
  /** How often to look even without a reconnect (a flushed Redis, a restore that failed). */
  auditEveryMs?: number;
}

const RETRY_MS = 1_000;

/**
 * Keeps the repeating jobs registered while a worker runs. It registers them at start; and since
 * a Redis restarted without persistence comes back empty without BullMQ noticing (nothing would
 * ever run again), each time the worker's connection is ready again after a loss, and every few
 * minutes besides, it checks and, if they are gone, registers them again from the database. An
 * attempt that fails (Redis away, or still coming back) is tried again a second later until it
 * gets through.
 */
export class ScheduleKeeper {
  private readonly audit: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lost = false;
  private stopped = false;

  constructor(
    private readonly connection: Redis,
    private readonly schedules: KeptSchedules,
    private readonly logger: Logger,
  ) {
    connection.on('close', this.onClose);
    connection.on('ready', this.onReady);
    this.audit = setInterval(() => void this.check('audit'), schedules.auditEveryMs ?? 5 * 60_000);
    this.audit.unref();
  }

  private readonly onClose = () => {
    this.lost = true;
  };

  private readonly onReady = () => {
    if (!this.lost) return;
    this.lost = false;
    void this.check('Redis is back');
  };

  /** Registers every repeating job now. Resolves after the first attempt; a failed one is retried. */
  register(): Promise<void> {
    return this.check('worker started', true);
  }

  /**
   * Checks now (one check at a time) and registers the repeating jobs if they are missing, or
   * anyway with `always`. Resolves after this attempt; a failed one is retried in the background.
   */
  check(reason: string, always = false): Promise<void> {
    this.running ??= this.attempt(reason, always).finally(() => (this.running = undefined));
    return this.running;
  }

  private async attempt(reason: string, always: boolean): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.retry);
    try {
      if (!always) {
        if (!(await this.schedules.missing())) return;
        this.logger.warn({ reason }, 'the repeating jobs are gone from Redis (restarted empty?): registering them again');
      }
      await this.schedules.restore();
      this.logger.info({ reason }, 'repeating jobs registered');
    } catch (error) {
      this.logger.warn({ reason, err: error }, 'could not register the repeating jobs; trying again in a second');
      this.retry = setTimeout(() => void this.check(reason, always), RETRY_MS);
      this.retry.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.audit);
    clearTimeout(this.retry);
    this.connection.off('close', this.onClose);
    this.connection.off('ready', this.onReady);
  }
}
