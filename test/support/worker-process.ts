import { spawn, type ChildProcess } from 'node:child_process';
import { ARDESK_BIN, CLEAN_CWD } from './cli';
import type { ConnectedApp } from './connected-app';
import { testEnv } from './env';
import { processClockEnv } from './process-clock';

/**
 * Real `ardesk worker` processes for a connected app, on its database and queue prefix, so tests
 * can SIGKILL them, on the test process's clock (under faketime too). `TEST_WORKER_LOG=debug`
 * shows their logs.
 */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly app: () => ConnectedApp,
    private readonly env: Record<string, string> = {},
  ) {}

  start(extraEnv: Record<string, string> = {}): ChildProcess {
    const app = this.app();
    const env = testEnv({ ...app.env, DATABASE_URL: app.test.database.url!, QUEUE_PREFIX: app.test.context.queues.prefix, ...this.env, ...extraEnv, LOG_LEVEL: process.env.TEST_WORKER_LOG ?? 'silent' });
    const child = spawn(process.execPath, [ARDESK_BIN, 'worker'], { env: { PATH: process.env.PATH, ...processClockEnv(), ...env }, stdio: ['ignore', 'inherit', 'inherit'], cwd: CLEAN_CWD });
    this.children.push(child);
    return child;
  }

  /** The workers still running. */
  get alive(): ChildProcess[] {
    return this.children.filter((child) => child.exitCode === null && child.signalCode === null);
  }

  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.children.map((child) => this.kill(child)));
  }
}
