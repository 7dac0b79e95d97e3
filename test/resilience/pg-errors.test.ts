import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createPostgresDatabase } from '../support/database';
import { TEST_POSTGRES_URL } from '../support/env';

/** The fixture process, its output so far, and its exit. */
function startFixture(databaseUrl: string) {
  const child: ChildProcess = spawn(process.execPath, [path.resolve(__dirname, '../fixtures/pg-terminated.js')], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const output = () => `${stdout}${stderr}`;
  return {
    child,
    exited,
    stdout: () => stdout,
    output,
    /** Waits for a line of the fixture, or fails (with what it printed) if it dies first. */
    async said(line: string): Promise<void> {
      const deadline = Date.now() + 15_000;
      while (!stdout.split('\n').includes(line)) {
        if (child.exitCode !== null) throw new Error(`the process exited ${child.exitCode} before "${line}":\n${output()}`);
        if (Date.now() > deadline) throw new Error(`no "${line}" in 15 s:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    go: () => child.stdin!.write('go\n'),
  };
}

/**
 * A PostgreSQL connection that its server ends (a restart, a failover, pg_terminate_backend)
 * makes its pg client emit 'error'. Unheard, that event ends the process. Ardesk hears it on
 * every client, idle in the pool or held by a transaction, and carries on with new connections.
 */
describe('database connections terminated by the server', () => {
  let database: { url: string; drop(): Promise<void> };
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  const name = () => new URL(database.url).pathname.slice(1);
  /** Terminates every backend of the test database and waits until they are gone. */
  async function terminateAll(): Promise<number> {
    const { rowCount } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name()]);
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name()]);
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return rowCount ?? 0;
  }

  it('survives its connections being terminated while idle and while a transaction holds one, and its next query works', async () => {
    const fixture = startFixture(database.url);
    try {
      await fixture.said('idle');
      expect(await terminateAll()).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the termination notices arrive
      fixture.go();
      await fixture.said('after idle: 42');

      await fixture.said('holding');
      expect(await terminateAll()).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      fixture.go();
      await fixture.said('after held: 43');
      expect(fixture.stdout()).toMatch(/transaction failed: .*(terminat|not queryable|Connection)/i);
      expect(await fixture.exited).toBe(0);
      expect(fixture.output()).not.toContain("Unhandled 'error' event");
      // Each lost connection is reported as a warning, not thrown.
      expect(fixture.output()).toContain('database connection lost; the pool replaces it');
    } finally {
      if (fixture.child.exitCode === null) fixture.child.kill('SIGKILL');
    }
  });
});
