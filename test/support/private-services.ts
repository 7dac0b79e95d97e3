import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './connected-app';
import { isFakedClockVariable } from './process-clock';
import { until } from './until';
import net from 'node:net';

/**
 * Redis and PostgreSQL servers of a test's own, so it can restart them mid-run without touching
 * the servers every other test file shares.
 */

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The servers run on the machine's real clock, as the shared ones do: a suite run under
 * `faketime` (to prove no test depends on the real date) must not hand its moved clock to them
 * (redis-server does not start under libfaketime).
 */
export function realTimeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (isFakedClockVariable(key)) delete env[key];
  return env;
}

export interface PrivateServer {
  url: string;
  /** Stops the server abruptly and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A redis-server of its own. `persist` (as production should run it) keeps every write in an
 * append-only file synced at once, so a restart, even after SIGKILL, comes back with the queues;
 * without it a restart comes back empty.
 */
export async function startPrivateRedis(options: { persist?: boolean } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-redis-'));
  const persistence = options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistence], { stdio: 'ignore', env: realTimeEnv() });
    await until(`redis-server on ${port}`, () => answers(port), 10_000);
  };
  const kill = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async (downMs = 1_000) => {
      await kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    stop: async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql');
  return path.join(root, version, 'bin');
}

/** Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root). */
function asPostgres(tool: string, args: string[]): void {
  const file = path.join(binDir(), tool);
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { stdio: 'ignore', env: realTimeEnv() });
  else execFileSync(file, args, { stdio: 'ignore', env: realTimeEnv() });
}

/** A throwaway PostgreSQL cluster (trust auth) on a free port, with one database `ardesk`. */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-w', '-l', path.join(dir, 'log'), 'start']);
  start();
  execFileSync(path.join(binDir(), 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'ardesk'], { stdio: 'ignore', env: realTimeEnv() });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/ardesk`,
    restart: async (downMs = 1_000) => {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
    },
    stop: async () => {
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
