import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, reloadUntil, screenshot } from '../support/browser';
import { ARDESK_BIN } from '../support/cli';
import { freePort } from '../support/connected-app';
import { TEST_REDIS_URL } from '../support/env';
import { eventually } from '../support/until';

const REALM = '9341452000000001';
// Tuesday 2026-11-24, 10:00 in New York: no call window opens on a Tuesday by default, yet a
// collector opening the demo must find the calls that are due.
const TUESDAY = '2026-11-24T15:00:00Z';

describe('the demo on a Tuesday, in the browser', () => {
  let demo: ChildProcess | undefined;
  let browser: Browser | undefined;
  let dataDir: string;
  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects, syncs and shows work to do, grouped by the best day to call', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-demo-tuesday-'));
    const [port, sandboxPort] = [await freePort(), await freePort()];
    demo = spawn(process.execPath, [ARDESK_BIN, 'demo', '--data-dir', dataDir, '--port', String(port), '--sandbox-port', String(sandboxPort)], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `ardesk-demo-tuesday-${process.pid}`, LOG_LEVEL: 'warn', ARDESK_NOW: TUESDAY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout!.on('data', (chunk) => (output += chunk));
    demo.stderr!.on('data', (chunk) => (output += chunk));
    const url = await eventually('the demo to be ready', async () => /Ardesk demo ready: (http:\/\/\S+)/.exec(output)?.[1], 90_000);

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.getByRole('link', { name: /Connect to QuickBooks/ }).first().click();
    await page.getByLabel(/Harbor & Pine Supply/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(`${url}/companies/${REALM}`);
    await page.goto(`${url}/companies/${REALM}/worklist`);
    await reloadUntil(page, 'the day\'s calls', async () => (await page.locator('table.worklist tbody tr[data-task]').count()) > 0, 90_000);
    expect(await page.locator('h1').innerText()).toContain('2026-11-24');
    // No call window opens on Tuesday: every due account is listed with the day it is best called.
    const bestDays = await page.locator('table.worklist tbody tr[data-task] td[data-label="Best day"]').allInnerTexts();
    expect(bestDays.length).toBeGreaterThan(0);
    for (const day of bestDays) expect(day.trim()).toMatch(/^2026-11-2[67]|^2026-11-30$/);
    // Level calls, not only addresses to find: "start early" puts them on the day they arise.
    const api = (await (await page.request.get(`${url}/api/realms/${REALM}/worklist?limit=100`, { headers: { accept: 'application/json' } })).json()) as { items: Array<{ level: number; flags: string[] }> };
    expect(api.items.filter((i) => i.level >= 1 && !i.flags.includes('find_email')).length).toBeGreaterThan(0);
    await screenshot(page, 'demo-tuesday-worklist');
  }, 240_000);
});
