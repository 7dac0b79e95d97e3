import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import * as newestMigration from '../../src/db/migrations/0033-more-company-checks-per-statement';
import { runArdesk } from '../support/cli';
import { freePort } from '../support/connected-app';
import { createPostgresDatabase } from '../support/database';
import { testEnv, TEST_REDIS_URL } from '../support/env';

const COMMANDS = ['web', 'worker', 'start', 'migrate', 'sandbox', 'sync', 'cadence', 'worklist', 'demo', 'help'];

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * `--help` and `-h` print the command's help and exit 0, and do nothing else: no migration, no
 * port, no file, no Redis key, whatever else is on the command line.
 */
describe('ardesk <command> --help', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-help-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every command\'s --help and -h with its help, exit 0, and touches nothing', async () => {
    const [port, healthPort] = [await freePort(), await freePort()];
    const prefix = `ardesk-help-${randomBytes(4).toString('hex')}`;
    const env = testEnv({ DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(port), WORKER_HEALTH_PORT: String(healthPort), QUEUE_PREFIX: prefix });
    const runs = COMMANDS.flatMap((command) => [[command, '--help'], [command, '-h']]);
    runs.push(['sync', '--realm', '123', '--full', '--help'], ['worklist', '--json', '-h', '--realm', '1'], ['demo', '--reset', '--help'], ['sandbox', '--port', String(port), '-h']);
    // Four at a time: each loads the whole program, and the machine has two cores.
    const results: Array<Awaited<ReturnType<typeof runArdesk>>> = [];
    for (let at = 0; at < runs.length; at += 4) results.push(...(await Promise.all(runs.slice(at, at + 4).map((args) => runArdesk(args, env, 60_000)))));
    for (const [index, result] of results.entries()) {
      const args = runs[index]!;
      const heading = args[0] === 'help' ? 'Usage: ardesk <command>' : `Usage: ardesk ${args[0]}`;
      expect({ args, code: result.code, stderr: result.stderr, heading: result.stdout.startsWith(heading) }).toEqual({ args, code: 0, stderr: '', heading: true });
    }
    expect(results.find((_, index) => runs[index]![0] === 'worker')!.stdout).toContain('WORKER_HEALTH_PORT');

    // Nothing happened: no table in the database, no file, no Redis key, nothing listening.
    expect(await query(database.url, "select table_name from information_schema.tables where table_schema = 'public'")).toEqual([]);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    expect(await listening(port)).toBe(false);
    expect(await listening(healthPort)).toBe(false);
  }, 240_000);

  it('leaves the migration table as it is with migrate --help, one migration behind; migrate then applies it', async () => {
    const env = testEnv({ DATABASE_URL: database.url });
    expect((await runArdesk(['migrate'], env)).code).toBe(0);
    // One migration behind: the newest is undone and forgotten.
    const [newest] = await query<{ name: string }>(database.url, 'select name from kysely_migration order by name desc limit 1');
    expect(newest!.name).toBe('0033-more-company-checks-per-statement');
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
    try {
      await newestMigration.down(db);
    } finally {
      await db.destroy();
    }
    await query(database.url, `delete from kysely_migration where name = '${newest!.name}'`);
    const before = await query(database.url, 'select name, timestamp from kysely_migration order by name');

    for (const flag of ['--help', '-h']) {
      const result = await runArdesk(['migrate', flag], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: ardesk migrate/);
    }
    expect(await query(database.url, 'select name, timestamp from kysely_migration order by name')).toEqual(before);

    const migrated = await runArdesk(['migrate'], env);
    expect(migrated.stdout).toBe(`Applied 1 migration(s): ${newest!.name}\n`);
  });

  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v', 'version']) {
      const result = await runArdesk([flag], {});
      expect({ flag, code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ flag, code: 0, stdout: `ardesk ${version}\n`, stderr: '' });
    }
  });

  it('refuses an unknown option with the command\'s help and exit code 2, before reading any configuration', async () => {
    const result = await runArdesk(['web', '--prot', '3000'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ardesk web: Unknown option '--prot'");
    expect(result.stderr).toContain('Usage: ardesk web');
  });
});
