import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../paths';
import { TemplateError } from './render-error';
import type { MergeData, TemplateName, TemplatePart } from './templates';

/**
 * Render threads with a time budget. A template may loop as long as its author wrote it to, and a
 * JavaScript loop cannot be interrupted from inside its own thread, so every check and render
 * runs in a worker thread; one that takes longer than its budget has its thread terminated and
 * fails with a TemplateError saying so, while the process's own event loop (its /healthz, its
 * other jobs) never waits on it. A thread also has a memory ceiling, for templates that build
 * huge output. Threads start on first use and end after a while idle.
 */

export const DEFAULT_RENDER_BUDGET_MS = 5000;
const IDLE_MS = 30_000;
const START_MS = 30_000;
const MEMORY = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

export type RenderRequest =
  | { op: 'check'; name: TemplateName; part: TemplatePart; source: string }
  | { op: 'render' | 'renderLetter'; name: TemplateName; data: MergeData; overrides: Partial<Record<TemplatePart, string>> };

export type RenderFailure = { template: string; part: TemplatePart; line: number | null; reason: string } | { message: string };

export type RenderReply =
  | { type: 'ready' }
  | { type: 'part'; id: number; part: TemplatePart }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: RenderFailure };

// Under ts-jest the app runs from src/, where Node cannot start a .ts thread: the build's copy runs.
const THREAD_FILE = __filename.endsWith('.ts') ? path.join(PROJECT_ROOT, 'dist', 'src', 'mail', 'render-worker.js') : path.join(__dirname, 'render-worker.js');

interface Job {
  id: number;
  request: RenderRequest;
  /** The part being rendered now, for the error when the budget runs out. */
  part: TemplatePart;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function seconds(ms: number): string {
  const value = Math.round(ms / 100) / 10;
  return `${value} second${value === 1 ? '' : 's'}`;
}

/** One worker thread, one job at a time. */
class RenderThread {
  private readonly worker: Worker;
  private job: Job | undefined;
  private budget: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private gone = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly budgetMs: number,
    private readonly onFree: (thread: RenderThread) => void,
  ) {
    this.worker = new Worker(THREAD_FILE, { resourceLimits: MEMORY });
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a render thread did not start within ${seconds(START_MS)}`)), START_MS);
      this.worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.once('error', (error) => reject(new Error(`a render thread could not start: ${error.message}`)));
      this.worker.once('exit', () => reject(new Error('a render thread stopped while starting')));
    });
    this.ready.catch(() => this.stop());
    this.worker.on('message', (reply: RenderReply) => this.answer(reply));
    this.worker.on('error', (error: Error & { code?: string }) => {
      const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'needed more memory than a template may use and was stopped' : `could not be rendered: ${error.message}`;
      this.fail((job) => new TemplateError(job.request.name, job.part, null, reason));
    });
    this.worker.on('exit', () => {
      this.gone = true;
      this.fail((job) => new TemplateError(job.request.name, job.part, null, 'could not be rendered: the render thread stopped'));
    });
  }

  get alive(): boolean {
    return !this.gone;
  }

  run(job: Job): void {
    this.job = job;
    clearTimeout(this.idle);
    this.worker.ref();
    this.budget = setTimeout(() => {
      void this.stop();
      this.fail((running) => new TemplateError(running.request.name, running.part, null, `took longer than ${seconds(this.budgetMs)} to render and was stopped (loops inside loops over the invoices multiply the work)`));
    }, this.budgetMs);
    this.worker.postMessage({ id: job.id, request: job.request });
  }

  stop(): Promise<number> {
    this.gone = true;
    clearTimeout(this.idle);
    return this.worker.terminate();
  }

  private answer(reply: RenderReply): void {
    const job = this.job;
    if (reply.type === 'ready' || !job || reply.id !== job.id) return;
    if (reply.type === 'part') job.part = reply.part;
    else if (reply.type === 'done') this.settle(() => job.resolve(reply.value));
    else this.settle(() => job.reject('template' in reply.error ? new TemplateError(reply.error.template, reply.error.part, reply.error.line, reply.error.reason) : new Error(reply.error.message)));
  }

  private fail(error: (job: Job) => Error): void {
    const job = this.job;
    if (job) this.settle(() => job.reject(error(job)));
  }

  private settle(finish: () => void): void {
    clearTimeout(this.budget);
    this.job = undefined;
    finish();
    if (this.gone) return this.onFree(this);
    this.worker.unref();
    this.idle = setTimeout(() => void this.stop(), IDLE_MS);
    this.idle.unref();
    this.onFree(this);
  }
}

export class RenderPool {
  private readonly queue: Job[] = [];
  private readonly idle: RenderThread[] = [];
  private running = 0;
  private nextId = 1;

  constructor(private readonly options: { budgetMs: number; threads: number }) {}

  run(request: RenderRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, part: request.op === 'check' ? request.part : 'subject', resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((thread) => thread.stop()));
  }

  private pump(): void {
    while (this.queue.length && this.running < this.options.threads) {
      const job = this.queue.shift()!;
      this.running++;
      void this.start(job);
    }
  }

  private async start(job: Job): Promise<void> {
    let thread = this.idle.pop();
    while (thread && !thread.alive) thread = this.idle.pop();
    thread ??= new RenderThread(this.options.budgetMs, (free) => this.freed(free));
    try {
      await thread.ready;
    } catch (error) {
      this.running--;
      job.reject(error as Error);
      this.pump();
      return;
    }
    thread.run(job);
  }

  private freed(thread: RenderThread): void {
    this.running--;
    if (thread.alive) this.idle.push(thread);
    this.pump();
  }
}
