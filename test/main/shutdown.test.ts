import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { generateCompany } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { ARDESK_BIN, CLEAN_CWD } from '../support/cli';
import { CLIENT_ID, CLIENT_SECRET, connectThroughConsent, freePort } from '../support/connected-app';
import { createPostgresDatabase } from '../support/database';
import { testEnv } from '../support/env';
import { csrfTokenIn, HttpClient } from '../support/http';
import { samplesOf } from '../support/prometheus';
import { eventually, until } from '../support/until';

const REALM = '9341452000001001';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `ardesk <command>` in a child process, once it has logged `ready`. */
async function startArdesk(command: string, env: NodeJS.ProcessEnv, ready: string): Promise<Running> {
  const child = spawn(process.execPath, [ARDESK_BIN, command], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: CLEAN_CWD });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(`ardesk ${command} to log "${ready}"`, () => {
    if (child.exitCode !== null) throw new Error(`ardesk ${command} exited ${child.exitCode}:\n${output}`);
    return output.includes(ready);
  }, 60_000);
  return { child, output: () => output, exited };
}

const closed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

describe('stopping', () => {
  let database: { url: string; drop(): Promise<void> };
  let sandbox: RunningSandbox;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const state = new Sandbox({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    loadSeed(state, generateCompany({ realmId: REALM, customers: 40, invoices: 150, asOf: '2026-11-20', companyName: 'Brake & Bearing Co' }));
    sandbox = await startSandbox({ sandbox: state });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sandbox.stop();
    await database.drop();
  });

  const envFor = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    return {
      port,
      env: testEnv({
        DATABASE_URL: database.url,
        INTUIT_CLIENT_ID: CLIENT_ID,
        INTUIT_CLIENT_SECRET: CLIENT_SECRET,
        QBO_LOCAL_URL: sandbox.url,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        QUEUE_PREFIX: `ardesk-stop-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'info',
        ...extra,
      }),
    };
  };

  it('fails readiness at the first moment of a SIGTERM, keeps serving through the drain, then exits 0', async () => {
    const { port, env } = await envFor({ SHUTDOWN_DRAIN_MS: '3000' });
    const web = await startArdesk('web', env, 'web listening');
    children.push(web.child);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const signalled = Date.now();
    web.child.kill('SIGTERM');
    const ready = await eventually('/readyz to fail', async () => {
      const answer = await fetch(`${url}/readyz`);
      return answer.status === 503 ? answer.json() : undefined;
    }, 2_000);
    expect(Date.now() - signalled).toBeLessThan(1_000);
    expect(ready).toEqual({ status: 'unavailable', failing: ['shutting_down'], checks: { process: 'shutting down' } });
    // Still answering during the drain: the load balancer takes it out, nothing is refused.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect(await web.exited).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(3_000);
    expect(took).toBeLessThan(8_000);
    expect(await closed(port)).toBe(true);
  }, 60_000);

  it('answers health and metrics on the worker\'s own port, and stops at once when idle', async () => {
    const healthPort = await freePort();
    const { env } = await envFor({ WORKER_HEALTH_PORT: String(healthPort) });
    const worker = await startArdesk('worker', env, 'worker started');
    children.push(worker.child);
    const url = `http://127.0.0.1:${healthPort}`;
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', failing: [], checks: { database: 'ok', redis: 'ok' } });
    // The housekeeping schedules run at once: their jobs show on the worker's own counters.
    await until('a housekeeping job on the worker\'s metrics', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return samplesOf(text).some((sample) => sample.name === 'ardesk_jobs_processed_total' && sample.labels.outcome === 'completed');
    }, 30_000);
    expect((await fetch(`${url}/companies`)).status).toBe(404);
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(await closed(healthPort)).toBe(true);
  }, 60_000);

  it('stops `ardesk start` within 25 s with a sync hanging on QuickBooks and requests in flight', async () => {
    const { port, env } = await envFor({ SHUTDOWN_DRAIN_MS: '5000' });
    const start = await startArdesk('start', env, 'web listening');
    children.push(start.child);
    const url = `http://127.0.0.1:${port}`;
    const browser = new HttpClient(url);
    expect((await connectThroughConsent(browser, REALM)).status).toBe(303);
    await until('the first sync', async () => (await (await browser.get(`/companies/${REALM}`)).text()).includes('Last synced'), 60_000);

    // From now on QuickBooks takes a minute to answer anything; a sync starts and hangs on it.
    sandbox.sandbox.setKnobs({ latencyMs: 60_000 });
    const page = await (await browser.get(`/companies/${REALM}`)).text();
    expect((await browser.postForm(`/companies/${REALM}/sync`, { _csrf: csrfTokenIn(page) })).status).toBe(303);
    await until('the sync to be running', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return samplesOf(text).some((sample) => sample.name === 'ardesk_jobs' && sample.labels.queue === 'sync' && sample.labels.state === 'active' && sample.value >= 1);
    }, 20_000);

    // Requests in flight: pages asking QuickBooks (held by the latency), keep-alive clients, and
    // clients that send half a request and wait.
    const cookie = `ardesk.sid=${browser.cookie('ardesk.sid')}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const inFlight = Array.from({ length: 6 }, () => new Promise<void>((resolve) => http.get(`${url}/disconnected`, { headers: { cookie } }, (res) => (res.resume(), res.on('end', resolve))).on('error', () => resolve())));
    let hammering = true;
    const hammer = Array.from({ length: 4 }, async () => {
      while (hammering) await new Promise<void>((resolve) => http.get(`${url}/healthz`, { agent }, (res) => (res.resume(), res.on('end', resolve))).on('error', () => resolve()));
    });
    const halfRequests = Array.from({ length: 3 }, () => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
      socket.on('error', () => undefined);
      return socket;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));

    const signalled = Date.now();
    start.child.kill('SIGTERM');
    const code = await start.exited;
    const took = Date.now() - signalled;
    hammering = false;
    agent.destroy();
    for (const socket of halfRequests) socket.destroy();
    await Promise.all([...inFlight, ...hammer]);
    sandbox.sandbox.setKnobs({ latencyMs: 0 });

    expect({ code, took: took < 25_000 }).toEqual({ code: 0, took: true });
    expect(took).toBeGreaterThanOrEqual(5_000); // the drain was honoured
    expect(start.output()).toContain('grace period over: releasing in-flight jobs for another worker');
    expect(await closed(port)).toBe(true);
  }, 180_000);
});
