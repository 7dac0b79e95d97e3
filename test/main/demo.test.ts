import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARDESK_BIN } from '../support/cli';
import { connectThroughConsent, freePort } from '../support/connected-app';
import { TEST_REDIS_URL } from '../support/env';
import { HttpClient } from '../support/http';

const REALM = '9341452000000001';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('npm run demo', () => {
  let demo: ChildProcess | undefined;
  let dataDir: string;
  afterAll(() => {
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, connects through the sandbox consent page, syncs, runs the day, fills the work list and the outbox, and stops cleanly', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-demo-'));
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const started = Date.now();
    demo = spawn(process.execPath, [ARDESK_BIN, 'demo', '--data-dir', dataDir, '--port', String(port), '--sandbox-port', String(sandboxPort)], {
      // A Monday in business hours, so the day has calls to make and letters to send.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `ardesk-demo-test-${process.pid}`, LOG_LEVEL: 'warn', ARDESK_NOW: '2026-11-23T15:00:00Z' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout!.on('data', (chunk) => (output += chunk));
    demo.stderr!.on('data', (chunk) => (output += chunk));
    const url = await until('"ready"', async () => /Ardesk demo ready: (http:\/\/\S+)/.exec(output)?.[1], 60_000);
    expect(Date.now() - started).toBeLessThan(60_000);

    const http = new HttpClient(url);
    const landed = await connectThroughConsent(http, REALM);
    expect(landed.status).toBe(303);
    const worklist = await until('a non-empty work list', async () => {
      const answer = (await (await http.get(`/api/realms/${REALM}/worklist`)).json()) as { total: number; items: unknown[] };
      return answer.total > 0 ? answer : undefined;
    }, 60_000);
    expect(worklist.items.length).toBeGreaterThan(0);
    const outbox = await until('a verification letter and a reminder in the outbox', async () => {
      const page = await (await http.get(`/companies/${REALM}/outbox`)).text();
      return page.includes('Customer satisfaction verification letter') && page.includes('Friendly reminder') ? page : undefined;
    }, 60_000);
    expect(outbox).toContain(`/companies/${REALM}/letters/`);

    // The outbox's messages link the customer's own pages, which open without signing in.
    const messagePage = async (name: string) => {
      const id = new RegExp(`/companies/${REALM}/outbox/([0-9a-f-]{36})">${name}<`).exec(outbox)?.[1];
      expect(id).toBeDefined();
      return (await http.get(`/companies/${REALM}/outbox/${id}`)).text();
    };
    const linkOf = (html: string, label: string) => new RegExp(`<a href="([^"]+)"[^>]*>${label}</a>`).exec(html)?.[1]?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const letter = await messagePage('Customer satisfaction verification letter');
    const customer = new HttpClient(url);
    const problem = await customer.get(new URL(linkOf(letter, 'There is a problem')!).pathname + '?answer=problem');
    expect(problem.status).toBe(200);
    expect(await problem.text()).toContain('What is the problem?');
    const statement = await customer.get(new URL(linkOf(await messagePage('Friendly reminder'), "The customer's statement")!).pathname);
    expect(statement.status).toBe(200);
    expect(await statement.text()).toContain('Promise a payment');
    // Each step is printed as it starts: the start-up's, then the sync's and the day's run's.
    const before = output.slice(0, output.indexOf('Ardesk demo ready'));
    const startup = ['Finding Redis…', 'Starting the local QuickBooks sandbox…', 'Opening the database', 'Making the demo company', 'Starting the worker', 'Starting the web app'];
    expect(startup.map((line) => before.indexOf(line))).toEqual([...startup.map((line) => before.indexOf(line))].sort((a, b) => a - b));
    expect(startup.every((line) => before.includes(line))).toBe(true);
    await until('the day\'s run to be printed as done', async () => (/Day's run of \d+: done \(\d+ accounts decided, \d+ messages queued/.test(output) ? true : undefined), 30_000);
    expect(output).toContain(`Sync of ${REALM}: reading QuickBooks…`);
    expect(output).toContain(`Day's run of ${REALM}: deciding`);

    demo.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => demo!.once('exit', resolve));
    expect(code).toBe(0);
    // Nothing it started is left: its ports are closed.
    await expect(fetch(url)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${sandboxPort}/`)).rejects.toThrow();
  }, 150_000);
});
