import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config';

/** What the benchmarks share: percentiles, a throw-away database, and a complete configuration. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A fresh PostgreSQL database on the test server (TEST_DATABASE_URL), dropped by `drop`. */
export async function temporaryDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `ardesk_bench_${randomBytes(4).toString('hex')}`;
  const run = async (text: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(text);
    await client.end();
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  // BENCH_KEEP_DATABASE=1 keeps it for looking at query plans afterwards.
  const keep = Boolean(process.env.BENCH_KEEP_DATABASE);
  return { url: url.toString(), drop: async () => {
      if (keep) process.stderr.write(`kept database ${name}\n`);
      else await run(`drop database if exists ${name} with (force)`);
    },
  };
}

/** A production-shaped configuration with throw-away secrets, pointed at `overrides`. */
export function benchConfig(overrides: Record<string, string>): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    PUBLIC_URL: 'http://127.0.0.1:9',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    INTUIT_CLIENT_ID: 'bench',
    INTUIT_CLIENT_SECRET: 'bench',
    INTUIT_ENVIRONMENT: 'local',
    QBO_LOCAL_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}
