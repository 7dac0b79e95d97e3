import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createAppContext, type AppContext } from '../app-context';
import { loadConfig } from '../config';
import { pgliteDataDirFor } from '../db/database';
import { lockEmbeddedDatabase } from '../db/pglite-lock';
import { generateCompany } from '../sandbox/generator';
import { Sandbox } from '../sandbox/sandbox';
import { loadSeed } from '../sandbox/seed';
import { startSandbox, type RunningSandbox } from '../sandbox/server';
import { startWeb, type RunningWeb } from './web';
import { startWorker } from './worker';
import type { WorkEvent } from '../services/work-progress';

/**
 * `npm run demo`: the whole product on one machine. The local QuickBooks sandbox with a demo
 * company dated relative to today, the web app and a worker in this process, the embedded
 * database and the mail outbox in ./var, and Redis (a private one if none answers). Secrets are
 * made once and kept in ./var, so a second run finds its data; `--reset` starts over.
 */

export const DEMO_REALM = '9341452000000001';
const DEMO_CLIENT_ID = 'ardesk-demo';

interface DemoSecrets {
  sessionSecret: string;
  tokenKey: string;
  clientSecret: string;
}

export interface RunningDemo {
  url: string;
  sandboxUrl: string;
  stop(): Promise<void>;
}

function secretsIn(dataDir: string): DemoSecrets {
  const file = path.join(dataDir, 'demo-secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as DemoSecrets;
  const secrets = { sessionSecret: randomBytes(32).toString('hex'), tokenKey: randomBytes(32).toString('hex'), clientSecret: randomBytes(24).toString('hex') };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Redis at `url`, or a private redis-server on a free port when none answers and one is installed. */
async function ensureRedis(url: string, dataDir: string, log: (line: string) => void): Promise<{ url: string; child?: ChildProcess }> {
  if (await answers(url)) return { url };
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`Redis does not answer at ${url}, and redis-server is not installed.\nStart Redis (e.g. \`sudo apt install redis-server\` or \`docker run -p 6379:6379 redis:7\`), or set REDIS_URL, then run the demo again.`);
  }
  const port = 6390 + Math.floor(Math.random() * 500);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir], { stdio: 'ignore' });
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await answers(privateUrl)) {
      log(`Started a private Redis at ${privateUrl}`);
      return { url: privateUrl, child };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('redis-server did not start');
}

export async function startDemo(argv: string[], log: (line: string) => void): Promise<RunningDemo> {
  const { values } = parseArgs({
    args: argv,
    options: { reset: { type: 'boolean', default: false }, port: { type: 'string' }, 'sandbox-port': { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './var');
  // Never delete the database from under a running Ardesk: the lock refuses while one holds it.
  if (values.reset) {
    lockEmbeddedDatabase(pgliteDataDirFor({ dataDir }))();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets = secretsIn(dataDir);
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  const sandboxPort = Number(values['sandbox-port'] ?? 4010);

  log('Finding Redis…');
  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', dataDir, log);
  let sandbox: RunningSandbox | undefined;
  let context: AppContext | undefined;
  let web: RunningWeb | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  const stop = async () => {
    await web?.stop().catch(() => undefined);
    await worker?.stop().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await sandbox?.stop().catch(() => undefined);
    if (redis.child && redis.child.exitCode === null) {
      redis.child.kill('SIGTERM');
      await new Promise((resolve) => redis.child!.once('exit', resolve));
    }
  };
  try {
    log('Starting the local QuickBooks sandbox…');
    const state = new Sandbox({ clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: secrets.clientSecret }] });
    sandbox = await startSandbox({ sandbox: state, port: sandboxPort });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      INTUIT_CLIENT_ID: DEMO_CLIENT_ID,
      INTUIT_CLIENT_SECRET: secrets.clientSecret,
      INTUIT_ENVIRONMENT: 'local',
      QBO_LOCAL_URL: sandbox.url,
      PUBLIC_URL: process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
      PORT: String(port),
      SESSION_SECRET: secrets.sessionSecret,
      TOKEN_ENCRYPTION_KEY: secrets.tokenKey,
      DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: process.env.QUEUE_PREFIX ?? 'ardesk-demo',
    };
    delete env.DATABASE_URL; // the embedded database in ./var
    delete env.SMTP_URL; // mail goes to the outbox folder, viewable in the app
    const config = loadConfig(env);
    log(`Opening the database in ${dataDir} (and bringing it up to date)…`);
    context = await createAppContext(config);
    const today = context.clock.businessNow().toISOString().slice(0, 10);
    log('Making the demo company "Harbor & Pine Supply" (60 customers, 300 invoices)…');
    loadSeed(state, generateCompany({ realmId: DEMO_REALM, customers: 60, invoices: 300, asOf: today, companyName: 'Harbor & Pine Supply', generatedAt: state.now() }));
    log('Starting the worker (syncs, daily runs, mail)…');
    worker = await startWorker(context);
    context.services.progress.onStep((event) => log(describeStep(event)));
    log(`Starting the web app on port ${port}…`);
    web = await startWeb(context, port);
    const url = config.publicUrl;
    log(`QuickBooks sandbox: ${sandbox.url} (demo company "Harbor & Pine Supply", realm ${DEMO_REALM})`);
    log(`Data: ${dataDir} (database, and emails and letters in ${path.join(dataDir, 'outbox')})`);
    log(`Ardesk demo ready: ${url}  (open it and click "Connect to QuickBooks"; Ctrl-C stops everything)`);
    return { url, sandboxUrl: sandbox.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A step of the long work, as the demo prints it when it starts. */
export function describeStep(event: WorkEvent): string {
  const what = event.kind === 'sync' ? 'Sync' : "Day's run";
  const figures = event.figures ?? {};
  if (event.state === 'queued') return `${what} of ${event.realmId}: queued`;
  if (event.state === 'failed') return `${what} of ${event.realmId}: failed (${event.error ?? 'unknown error'})`;
  if (event.state === 'done') {
    if (event.kind === 'sync') return `${what} of ${event.realmId}: done (${event.step === 'full' ? 'everything read' : 'changes read'})`;
    return `${what} of ${event.realmId}: done (${figures.accounts ?? 0} accounts decided, ${figures.messages ?? 0} messages queued, ${figures.tasks ?? 0} new calls)`;
  }
  const steps: Record<string, string> = { reading: 'reading QuickBooks', loading: 'reading the accounts', deciding: `deciding ${figures.accounts ?? 0} accounts`, recording: 'queuing messages and calls' };
  return `${what} of ${event.realmId}: ${steps[event.step] ?? event.step}…`;
}
