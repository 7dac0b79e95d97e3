'use strict';
// `npm run screenshots`: every page of the demo, desktop and phone, in real Chromium, written to
// docs/screenshots/<page>-desktop.png and <page>-phone.png (the README shows them). It starts the
// demo (sandbox, web app and worker in this process) in a fresh data folder with the business
// clock frozen, connects the demo company through the sandbox's consent page, records a promise
// and a found contact on a call sheet, and visits each page. Needs `npm run build` first (the npm
// script does it), Redis (or redis-server installed), and Chromium at /usr/bin/chromium
// (CHROMIUM_PATH to change it).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// A Tuesday, 10:00 in New York: inside the send window, with calls to make.
const NOW = process.env.ARDESK_NOW || '2026-11-24T15:00:00Z';
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function log(line) {
  process.stdout.write(`${line}\n`);
}

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main() {
  const started = Date.now();
  const entry = path.join(root, 'dist', 'src', 'main', 'demo.js');
  if (!fs.existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` first (or `npm run screenshots`, which does).');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  const { chromium } = require('playwright-core');
  const { startDemo, DEMO_REALM } = require(entry);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-screenshots-'));
  Object.assign(process.env, { ARDESK_NOW: NOW, LOG_LEVEL: process.env.LOG_LEVEL || 'warn', QUEUE_PREFIX: `ardesk-screenshots-${process.pid}` });
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const demo = await startDemo(['--data-dir', dataDir, '--port', String(port), '--sandbox-port', String(sandboxPort)], (line) => log(`  demo: ${line}`));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  fs.mkdirSync(OUT, { recursive: true });
  const shots = [];
  try {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    const url = (p) => `${demo.url}${p}`;
    const company = (p = '') => url(`/companies/${DEMO_REALM}${p}`);

    // Home before connecting, then connect through the sandbox's consent page.
    await page.goto(url('/'));
    const pages = [];
    await page.getByRole('link', { name: 'Connect to QuickBooks' }).first().click();
    await page.getByLabel(/Harbor & Pine Supply/).check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(company());
    log('Connected; waiting for the first sync and the day\'s run…');
    await until('the work list', async () => {
      const answer = await (await page.request.get(url(`/api/realms/${DEMO_REALM}/worklist`))).json();
      return answer.total > 0;
    }, 90_000);
    await until('the first run to wait for review', async () => {
      const answer = await (await page.request.get(url(`/api/realms/${DEMO_REALM}/review`))).json();
      return answer.messages > 0;
    }, 60_000);

    // Links to one of each: a call, a customer, an invoice, a message, a letter.
    await page.goto(company('/worklist'));
    const task = await page.locator('a[href*="/tasks/"]').first().getAttribute('href');
    await page.goto(url(task));
    const customer = await page.locator('a[href*="/customers/"]').first().getAttribute('href');
    const invoice = await page.locator('a[href*="/invoices/"]').first().getAttribute('href');
    const callSheet = url(task);
    pages.push(['call-sheet', callSheet]);
    // A promise on that call, so the promises page has one (the sheet goes on to the next call).
    try {
      await page.getByLabel('Reached: promised to pay').check();
      const today = NOW.slice(0, 10);
      const due = new Date(Date.parse(today) + 7 * 86_400_000).toISOString().slice(0, 10);
      await page.locator('input[name="promiseAmount"]').fill('250.00');
      await page.locator('input[name="promiseDueOn"]').fill(due);
      await page.getByRole('button', { name: 'Save and go to the next call' }).click();
      await page.waitForLoadState('load');
    } catch (error) {
      log(`  (could not record a promise: ${error.message.split('\n')[0]})`);
    }
    pages.push(['customer', url(customer)], ['invoice', url(invoice)]);

    await page.goto(company('/outbox'));
    const message = await page.locator('a[href*="/outbox/"]').first().getAttribute('href').catch(() => null);
    const letter = await page.locator('a[href*="/letters/"]').first().getAttribute('href').catch(() => null);
    // The customer's own pages, from the links the outbox's messages carry (no sign-in needed).
    const customerPages = [];
    const messages = await page.locator('a[href*="/outbox/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')).slice(0, 40));
    for (const href of messages) {
      if (customerPages.length >= 2) break;
      await page.goto(url(href));
      for (const [name, part] of [['customer-statement', '/c/statement/'], ['customer-answer', '/c/answer/']]) {
        if (customerPages.some(([taken]) => taken === name)) continue;
        const link = await page.locator(`a[href*="${part}"]`).first().getAttribute('href', { timeout: 500 }).catch(() => null);
        if (link) customerPages.push([name, link]);
      }
    }
    await page.goto(company('/templates'));
    const template = await page.locator('a[href*="/templates/"]').first().getAttribute('href').catch(() => null);

    pages.push(
      ['company', company()],
      ['worklist', company('/worklist')],
      ['review', company('/review')],
      ['outbox', company('/outbox')],
      ...(message ? [['message', url(message)]] : []),
      ...(letter ? [['letter', url(letter)]] : []),
      ['promises', company('/promises')],
      ['disputes', company('/disputes')],
      ['results', company('/results')],
      ['difficult-customers', company('/difficult-customers')],
      ['activities', company('/activities')],
      ['escalation', url(`${customer}/escalation`)],
      ['settings', company('/settings')],
      ['templates', company('/templates')],
      ...(template ? [['template-edit', url(template)]] : []),
      ['backtest', company('/backtest')],
      ['disconnect-confirm', company('/disconnect')],
      ...customerPages,
      ['home', url('/')],
      ['privacy', url('/privacy')],
    );

    const phone = await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true, deviceScaleFactor: 1, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    for (const [name, address] of pages) {
      for (const [kind, tab] of [['desktop', page], ['phone', phonePage]]) {
        const answer = await tab.goto(address);
        if (!answer || answer.status() >= 400) throw new Error(`${address} answered ${answer ? answer.status() : 'nothing'}`);
        // A page that refreshes itself (the company page while work runs) is shot as it stands.
        await tab.waitForLoadState('load');
        const file = path.join(OUT, `${name}-${kind}.png`);
        await tab.screenshot({ path: file, fullPage: false });
        shots.push(path.relative(root, file));
      }
      log(`  ${name}`);
    }
    await phone.close();
    await context.close();
  } finally {
    await browser.close().catch(() => undefined);
    await demo.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  log(`Wrote ${shots.length} screenshots to ${path.relative(root, OUT)}/ in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
