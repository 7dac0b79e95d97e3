import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runArdesk } from '../support/cli';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { createPostgresDatabase } from '../support/database';
import { testEnv } from '../support/env';
import { HttpClient, jsonOf } from '../support/http';

describe('ardesk command', () => {
  it('refuses to start with a short TOKEN_ENCRYPTION_KEY, naming the variable and nothing secret', async () => {
    const env = testEnv({ TOKEN_ENCRYPTION_KEY: 'short' });
    const result = await runArdesk(['web'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TOKEN_ENCRYPTION_KEY must be 32 bytes/);
    expect(result.stderr.trim().split('\n')).toHaveLength(2); // the heading and one line
    for (const secret of [env.SESSION_SECRET!, env.INTUIT_CLIENT_SECRET!, 'short']) {
      expect(result.stderr + result.stdout).not.toContain(secret);
    }
  });

  it('refuses an unknown command with the usage', async () => {
    const result = await runArdesk(['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('migrate');
  });

  it('migrates the embedded database twice in a row: the second run is a no-op', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-migrate-'));
    try {
      // A first migration of a new embedded database is slow on a busy machine: give it room.
      const first = await runArdesk(['migrate'], { DATA_DIR: dataDir }, 90_000);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): 0001-companies-and-sessions/);
      expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(true);
      const second = await runArdesk(['migrate'], { DATA_DIR: dataDir }, 60_000);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe('Database is up to date.\n');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('migrates PostgreSQL twice in a row: the second run is a no-op', async () => {
    const database = await createPostgresDatabase();
    try {
      const first = await runArdesk(['migrate'], { DATABASE_URL: database.url });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Applied/);
      const second = await runArdesk(['migrate'], { DATABASE_URL: database.url });
      expect(second.code).toBe(0);
      expect(second.stdout).toBe('Database is up to date.\n');
    } finally {
      await database.drop();
    }
  });

  it('reports an unreachable database clearly', async () => {
    const result = await runArdesk(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ardesk migrate failed: .*(ECONNREFUSED|connect)/);
  });
});

describe('ardesk sync, cadence and worklist on a connected company', () => {
  const REALM = '9341671';
  const NOW = '2026-11-23T15:00:00Z';
  let database: { url: string; drop(): Promise<void> };
  let app: ConnectedApp;
  let env: NodeJS.ProcessEnv;
  let owner: HttpClient;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Command Line Co', customers: 12, invoices: 40 }], databaseUrl: database.url, env: { ARDESK_NOW: NOW } });
    owner = new HttpClient(app.web.url);
    await connect(app, owner, REALM);
    env = testEnv({ ...app.env, DATABASE_URL: database.url, QUEUE_PREFIX: `ardesk-cli-test-${process.pid}` });
  }, 120_000);
  afterAll(async () => {
    await app.stop();
    await database.drop();
  });

  it('syncs the company, runs its day of the playbook, and prints the work list as the API gives it', async () => {
    const sync = await runArdesk(['sync', '--realm', REALM, '--full'], env, 90_000);
    expect(sync).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(sync.stdout)).toMatchObject({ realmId: REALM, mode: 'full', counts: { Invoice: 40 } });

    const cadence = await runArdesk(['cadence', '--realm', REALM], env, 90_000);
    expect(cadence).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(cadence.stdout) as { realmId: string; day: string; proposed: number };
    expect(summary).toMatchObject({ realmId: REALM, day: '2026-11-23' });
    expect(summary.proposed).toBeGreaterThan(0);

    const printed = await runArdesk(['worklist', '--realm', REALM, '--json'], env, 60_000);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    const list = JSON.parse(printed.stdout) as { date: string; total: number; totalOverdue: number; items: Array<{ overdueBalance: number }> };
    const api = await jsonOf(await owner.get(`/api/realms/${REALM}/worklist?limit=1000`));
    expect(list.total).toBeGreaterThan(0);
    expect(list).toEqual(api);
  }, 240_000);
});
