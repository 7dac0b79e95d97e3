import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, loadDotEnv } from '../../src/config';
import { runArdesk } from '../support/cli';
import { createPostgresDatabase } from '../support/database';

async function migrated(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("select 1 from information_schema.tables where table_name = 'kysely_migration'");
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

describe('.env', () => {
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-dotenv-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('sets what the environment does not; the environment wins, even with an empty value', () => {
    const file = path.join(folder, '.env');
    fs.writeFileSync(file, ['# Ardesk', 'PORT=4100', 'export LOG_LEVEL=debug', 'MAIL_FROM="Ardesk <billing@example.com>" # quoted', "QUEUE_PREFIX='from-file'", 'DATA_DIR=/srv/ardesk', 'API_TOKEN='].join('\n'));
    const env: NodeJS.ProcessEnv = { PORT: '5000', DATA_DIR: '' };
    const set = loadDotEnv(file, env);
    expect(set.sort()).toEqual(['API_TOKEN', 'LOG_LEVEL', 'MAIL_FROM', 'QUEUE_PREFIX']);
    expect(env).toEqual({ PORT: '5000', DATA_DIR: '', LOG_LEVEL: 'debug', MAIL_FROM: 'Ardesk <billing@example.com>', QUEUE_PREFIX: 'from-file', API_TOKEN: '' });
  });

  it('is optional, but one that cannot be read stops the start', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(path.join(folder, '.env'), env)).toEqual([]);
    expect(env).toEqual({});
    fs.mkdirSync(path.join(folder, 'dir.env'));
    expect(() => loadDotEnv(path.join(folder, 'dir.env'), env)).toThrow(ConfigError);
  });

  it('configures the ardesk command from the current folder, below the environment', async () => {
    const fromFile = await createPostgresDatabase();
    const fromEnvironment = await createPostgresDatabase();
    try {
      fs.writeFileSync(path.join(folder, '.env'), `DATABASE_URL=${fromFile.url}\n`);
      const first = await runArdesk(['migrate'], {}, 60_000, { cwd: folder });
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(/^Applied \d+ migration\(s\)/);
      expect(await migrated(fromFile.url)).toBe(true);

      const second = await runArdesk(['migrate'], { DATABASE_URL: fromEnvironment.url }, 60_000, { cwd: folder });
      expect(second.stdout).toMatch(/^Applied \d+ migration\(s\)/);
      expect(await migrated(fromEnvironment.url)).toBe(true);

      // Its values are checked like the environment's: named, never echoed.
      fs.writeFileSync(path.join(folder, '.env'), 'SESSION_SECRET=too-short-secret\n');
      const refused = await runArdesk(['web'], { TOKEN_ENCRYPTION_KEY: 'a'.repeat(64), INTUIT_CLIENT_ID: 'x', INTUIT_CLIENT_SECRET: 'y', INTUIT_ENVIRONMENT: 'local', QBO_LOCAL_URL: 'http://127.0.0.1:1' }, 30_000, { cwd: folder });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('SESSION_SECRET must be at least 32 characters long');
      expect(refused.stderr).not.toContain('too-short-secret');
    } finally {
      await fromFile.drop();
      await fromEnvironment.drop();
    }
  }, 120_000);
});
