import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseInUseError, lockEmbeddedDatabase, lockFileOf } from '../../src/db/pglite-lock';
import { ARDESK_BIN, runArdesk } from '../support/cli';
import { freePort } from '../support/connected-app';
import { testEnv } from '../support/env';

/** Starts `ardesk start` on the embedded database in `dataDir` and waits until it serves. */
async function startArdesk(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [ARDESK_BIN, 'start'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!output.includes('web listening')) {
    if (child.exitCode !== null) throw new Error(`ardesk start exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`ardesk start did not serve in 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, exited };
}

/**
 * The embedded database (PGlite) is one Postgres backend in a folder: two processes opening it
 * see different states and can corrupt it. A second process is refused, naming the holder and
 * what to run instead; a lock left by a process that died is taken over.
 */
describe('the embedded database in two processes', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let holder: { child: ChildProcess; exited: Promise<unknown> } | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-lock-'));
    env = testEnv({ DATA_DIR: dataDir, PORT: String(await freePort()), QUEUE_PREFIX: `ardesk-lock-${randomBytes(4).toString('hex')}`, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    if (holder && holder.child.exitCode === null && holder.child.signalCode === null) {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses sync, cadence, worklist, migrate and web while `ardesk start` holds it, naming its pid and what to run instead', async () => {
    holder = await startArdesk(env);
    const pid = holder.child.pid!;
    const cases: Array<[string[], RegExp]> = [
      [['sync', '--realm', '123'], /POST \/api\/realms\/123\/sync/],
      [['cadence', '--realm', '123'], /POST \/api\/realms\/123\/cadence\/run/],
      [['worklist', '--realm', '123', '--json'], /GET \/api\/realms\/123\/worklist/],
      [['migrate'], /stop it first, then run ardesk migrate/],
      [['web'], /Stop process \d+ first, or run web and worker as one process \(ardesk start\)/],
    ];
    const results = await Promise.all(cases.map(([args]) => runArdesk(args, env)));
    for (const [index, result] of results.entries()) {
      const [args, advice] = cases[index]!;
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.stderr).toContain(`The embedded database in ${path.join(dataDir, 'pglite')} is in use by process ${pid} (ardesk start, since `);
      expect(result.stderr).toMatch(advice);
      expect(result.stderr).toContain('set DATABASE_URL');
      expect(result.stdout).toBe('');
    }
    // The holder is unharmed and still holds the lock.
    expect(holder.child.exitCode).toBeNull();
    expect(JSON.parse(fs.readFileSync(lockFileOf(path.join(dataDir, 'pglite')), 'utf8'))).toMatchObject({ pid, command: 'ardesk start' });
  }, 120_000);

  it('takes over the lock of a process that was killed, and lets go of its own when it stops', async () => {
    holder!.child.kill('SIGKILL');
    await holder!.exited;
    const lock = lockFileOf(path.join(dataDir, 'pglite'));
    expect(fs.existsSync(lock)).toBe(true); // a SIGKILL leaves it behind

    const migrated = await runArdesk(['migrate'], env);
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toBe('Database is up to date.\n');
    expect(fs.existsSync(lock)).toBe(false);

    holder = await startArdesk(env);
    holder.child.kill('SIGTERM');
    await holder.exited;
    expect(fs.existsSync(lock)).toBe(false);
  }, 120_000);

  it('in one process: refuses a second open of a held folder; takes over a dead pid, or its own pid from an earlier run', () => {
    const folder = path.join(dataDir, 'direct');
    const release = lockEmbeddedDatabase(folder);
    expect(() => lockEmbeddedDatabase(folder)).toThrow(DatabaseInUseError);
    release();

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    for (const pid of [Number(dead), process.pid]) {
      fs.writeFileSync(lockFileOf(folder), JSON.stringify({ pid, command: 'ardesk start', since: '2026-01-01T00:00:00.000Z' }));
      const again = lockEmbeddedDatabase(folder);
      expect(JSON.parse(fs.readFileSync(lockFileOf(folder), 'utf8'))).toMatchObject({ pid: process.pid });
      again();
      expect(fs.existsSync(lockFileOf(folder))).toBe(false);
    }
  });
});
