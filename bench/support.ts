import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { AppContext } from '../src/app-context';
import { loadConfig, type Config } from '../src/config';
import { PROJECT_ROOT } from '../src/paths';

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

/** A production-shaped environment with throw-away secrets, pointed at `overrides` (also for a bench's worker processes). */
export function benchEnv(overrides: Record<string, string>): Record<string, string> {
  return {
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
  };
}

/** A production-shaped configuration with throw-away secrets, pointed at `overrides`. */
export function benchConfig(overrides: Record<string, string>): Config {
  return loadConfig({ ...process.env, ...benchEnv(overrides) });
}

export interface SandboxLogEntry {
  kind: string;
  status: number;
  detail?: string;
  batchItems?: number;
  /** How long QuickBooks took to answer, in ms. */
  ms?: number;
  replay?: boolean;
}

/** The local QuickBooks sandbox in a process of its own, with one generated company. */
export async function startSandboxProcess(options: { realmId: string; customers: number; invoices: number; latencyMs?: number; openInvoices?: number; historyDays?: number }): Promise<{ url: string; child: ChildProcess }> {
  const shape = `${options.openInvoices !== undefined ? `,open=${options.openInvoices}` : ''}${options.historyDays !== undefined ? `,days=${options.historyDays}` : ''}`;
  const args = ['sandbox', '--port', '0', '--generate', `customers=${options.customers},invoices=${options.invoices}${shape}`, '--realm', options.realmId, '--latency', String(options.latencyMs ?? 0)];
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/ardesk'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${out}`)));
  });
  return { url, child };
}

export async function sandboxLog(url: string, realmId: string): Promise<SandboxLogEntry[]> {
  return (await (await fetch(`${url}/_sandbox/requests?realmId=${realmId}`)).json()) as SandboxLogEntry[];
}

export async function clearSandboxLog(url: string): Promise<void> {
  await fetch(`${url}/_sandbox/requests`, { method: 'DELETE' });
}

/** Tokens for `realmId` minted by the sandbox and stored as a connection would store them. */
export async function connectToSandbox(context: AppContext, sandboxUrl: string, realmId: string, name: string): Promise<{ accessToken: string }> {
  const tokens = (await (await fetch(`${sandboxUrl}/_sandbox/realms/${realmId}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'bench' }) })).json()) as { access_token: string; refresh_token: string };
  // A company already collecting: its first run was approved long ago (review before sending).
  await context.repos.companies.upsert({ realm_id: realmId, name, status: 'connected', connected_at: new Date(), collecting_since: new Date('2020-01-01T00:00:00Z') });
  await context.quickbooks.vault.storeNew(realmId, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: 3600, refreshExpiresIn: 8_640_000 }, new Date());
  return { accessToken: tokens.access_token };
}
