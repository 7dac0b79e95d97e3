import net from 'node:net';
import type { Logger } from '../../src/logger';
import type { RetryPolicy } from '../../src/quickbooks/client';
import { startWeb, type RunningWeb } from '../../src/main/web';
import { generateCompany, type GenerateOptions } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed, type SeedFile } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { createTestContext, type TestContext } from './context';
import type { Engine } from './database';
import { HttpClient } from './http';

export const CLIENT_ID = 'ardesk-test-client';
export const CLIENT_SECRET = 'ardesk-test-client-secret';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ConnectedApp {
  sandbox: RunningSandbox;
  test: TestContext;
  web: RunningWeb;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The app and the local sandbox wired by configuration alone, as in production with Intuit. */
export async function startConnectedApp(options: { realms: Array<{ realmId: string; name: string; customers?: number; invoices?: number; generate?: Pick<GenerateOptions, 'historyDays' | 'openInvoices'>; edit?: (seed: SeedFile) => void }>; env?: Record<string, string>; databaseUrl?: string; engine?: Engine; logger?: Logger; quickbooksRetry?: RetryPolicy }): Promise<ConnectedApp> {
  const sandboxState = new Sandbox({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
  for (const realm of options.realms) {
    const seed = generateCompany({ realmId: realm.realmId, customers: realm.customers ?? 20, invoices: realm.invoices ?? 60, asOf: '2026-11-20', companyName: realm.name, ...realm.generate });
    realm.edit?.(seed);
    loadSeed(sandboxState, seed);
  }
  const sandbox = await startSandbox({ sandbox: sandboxState });
  const port = await freePort();
  const env = {
    INTUIT_CLIENT_ID: CLIENT_ID,
    INTUIT_CLIENT_SECRET: CLIENT_SECRET,
    INTUIT_ENVIRONMENT: 'local',
    QBO_LOCAL_URL: sandbox.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    ...options.env,
  };
  const test = await createTestContext({ env, databaseUrl: options.databaseUrl, engine: options.engine, logger: options.logger, quickbooksRetry: options.quickbooksRetry });
  const web = await startWeb(test.context, port);
  return {
    sandbox,
    test,
    web,
    env,
    stop: async () => {
      await web.stop();
      await test.destroy();
      await sandbox.stop();
    },
  };
}

/** Clicks "Connect to QuickBooks", approves `realmId` on the sandbox consent page, and lands back. */
export async function connect(_app: ConnectedApp, http: HttpClient, realmId: string): Promise<Response> {
  return connectThroughConsent(http, realmId);
}

/** The same clicks against any running Ardesk, e.g. the demo in a child process. */
export async function connectThroughConsent(http: HttpClient, realmId: string): Promise<Response> {
  const start = await http.get(realmId ? `/connect?realmId=${realmId}` : '/connect');
  if (start.status !== 302) throw new Error(`/connect answered ${start.status}`);
  const authorize = start.headers.get('location')!;
  const consent = await fetch(authorize);
  const html = await consent.text();
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  const approved = await fetch(new URL('/connect/oauth2', authorize), { method: 'POST', body: new URLSearchParams({ ...fields, realmId, decision: 'approve' }), redirect: 'manual' });
  const callback = approved.headers.get('location')!;
  return http.get(callback);
}
