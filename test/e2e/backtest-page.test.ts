import fs from 'node:fs';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import type { BacktestReport } from '../../src/collections/backtest';
import { DUNNING_KINDS } from '../../src/collections/message-kinds';
import { formatMoney } from '../../src/mail/templates';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const REALM = '9342501';
const OTHER = '9342502';
// Tuesday 2026-11-24, 10:00 in New York.
const NOW = '2026-11-24T15:00:00Z';
const TODAY = '2026-11-24';
const YEAR_BEFORE = '2025-11-25';

const days = (n: number | null) => (n === null ? '–' : `${n} ${n === 1 ? 'day' : 'days'}`);
const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 1000) / 10}%`);
const money = (cents: number) => formatMoney(cents, { locale: 'en-US', currency: 'USD' });
const dunning = (r: BacktestReport) => Object.entries(r.totals.messages).reduce((n, [kind, count]) => n + (DUNNING_KINDS.has(kind) ? count ?? 0 : 0), 0);

/** What the page must show for a report, figure by figure, as the service computed it. */
function figures(r: BacktestReport): Record<string, string> {
  return {
    levels: r.settings.levelDays.join(', '),
    sentMessages: String(r.totals.sentMessages),
    dunningMessages: String(dunning(r)),
    callsOpened: String(r.totals.callsOpened),
    lateInvoices: String(r.totals.lateInvoices),
    lateDollars: money(r.totals.lateDollars),
    medianDaysDueToFirstReminder: days(r.totals.medianDaysDueToFirstReminder),
    paidAfterFirstContactShare: `${percent(r.totals.paidAfterFirstContactShare)} ${money(r.totals.paidAfterFirstContact)}`,
    medianDaysFirstContactToPaid: days(r.totals.medianDaysFirstContactToPaid),
    escalations: String(r.escalations.length),
  };
}

/**
 * Issue 25's page in real Chromium: *Try the playbook on your history* is offered in the
 * company's navigation, its form starts from the last twelve months and the company's settings,
 * a run shows a progress bar while it reads and replays the history and then the report, whose
 * figures are the back-test service's for the same window; other level days are shown side by
 * side with the company's; and a run is its company's only.
 */
describe('try the playbook on your history', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;
  let otherPage: Page;
  const consoleLines: string[] = [];
  const url = (path: string) => `${app.web.url}${path}`;
  const column = (name: string) => page.locator(`[data-figure="${name}"]`).allInnerTexts();
  const shown = async (index: number) => {
    const out: Record<string, string> = {};
    for (const name of Object.keys(figures({ settings: { levelDays: [0, 0, 0, 0] }, totals: { messages: {} }, escalations: [] } as unknown as BacktestReport))) out[name] = (await column(name))[index]!.replace(/\s+/g, ' ').trim();
    return out;
  };

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Hindsight Hardware', customers: 25, invoices: 160 }, { realmId: OTHER, name: 'Elsewhere Electric', customers: 4, invoices: 10 }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => void consoleLines.push(message.text()));
    // Each company is connected by its own owner, in a browser of their own.
    otherPage = await browser.newPage();
    for (const [tab, realm, name] of [[page, REALM, /Hindsight Hardware/], [otherPage, OTHER, /Elsewhere Electric/]] as const) {
      await tab.goto(url('/'));
      await tab.getByRole('link', { name: 'Connect to QuickBooks' }).first().click();
      await tab.getByLabel(name).check();
      await tab.getByRole('button', { name: 'Connect' }).click();
      await tab.waitForURL(url(`/companies/${realm}`));
      await app.test.context.sync.run(realm, 'full');
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  let runUrl = '';

  it('offers the page, starts from the last twelve months and the company\'s settings, and shows a progress bar, then the service\'s report', async () => {
    await page.goto(url(`/companies/${REALM}/worklist`));
    await page.locator('.company-nav').getByRole('link', { name: 'Try the playbook on your history' }).click();
    await page.waitForURL(url(`/companies/${REALM}/backtest`));
    expect(await page.getByLabel('First day').inputValue()).toBe(YEAR_BEFORE);
    expect(await page.getByLabel('Last day').inputValue()).toBe(TODAY);
    const own = await app.test.context.services.settings.settingsOf(REALM);
    expect(await Promise.all([1, 2, 3, 4].map((n) => page.getByLabel(new RegExp(`^Level ${n}`)).inputValue()))).toEqual(own.levelDays.map(String));
    expect(await page.getByLabel('Days between emails to a customer').inputValue()).toBe(String(own.dunningGapDays));
    expect(await page.getByLabel('Fewest days between two levels').inputValue()).toBe(String(own.minDaysBetweenLevels));

    // The history is held back (its payments locked) until the page has shown its progress bar.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = app.test.context.db.transaction().execute(async (trx) => {
      await sql`lock table qbo_payments in access exclusive mode`.execute(trx);
      locked();
      await released;
    });
    try {
      await isLocked;
      await page.getByRole('button', { name: 'Run the back-test' }).click();
      await page.waitForURL(new RegExp(`/companies/${REALM}/backtest/[0-9a-f-]{36}$`));
      runUrl = page.url();
      expect(await page.locator('progress').count()).toBe(1);
      expect(await page.locator('main').innerText()).toContain('Reading your history');
      expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('1');
      // While it runs, the form leads back to it rather than starting another.
      await page.getByRole('button', { name: 'Run the back-test' }).click();
      await page.waitForURL(runUrl);
      expect(await page.locator('progress').count()).toBe(1);
    } finally {
      release();
      await holding;
    }
    // The page refreshes itself until the report is there.
    await page.locator('.backtest-report').waitFor({ timeout: 60_000 });
    expect(page.url()).toBe(runUrl);
    expect(await page.locator('progress').count()).toBe(0);

    const report = await app.test.context.services.backtest.run({ realmId: REALM, from: YEAR_BEFORE, to: TODAY });
    expect(report.totals.lateInvoices).toBeGreaterThan(3);
    expect(report.totals.sentMessages).toBeGreaterThan(3);
    expect(await shown(0)).toEqual(figures(report));
    // One column only: nothing was changed.
    expect(await column('sentMessages')).toHaveLength(1);
    // The weekly chart: a bar for each week, its parts adding up to the week's messages.
    expect(await page.locator('svg.backtest-chart > g').count()).toBe(report.weeks.length);
    expect(await page.locator('svg.backtest-chart rect').count()).toBe(report.weeks.reduce((n, w) => n + Object.values(w.messages).filter(Boolean).length, 0));
    // Each late invoice: its due date, first reminder and paid day as the service has them.
    await page.getByText('Each late invoice: due date, first reminder, later steps, paid').click();
    const rows = page.locator('table.backtest-late tbody tr');
    expect(await rows.count()).toBe(Math.min(200, report.lateInvoices.length));
    const first = report.lateInvoices[0]!;
    const cells = await rows.first().locator('td').allInnerTexts();
    expect(cells[1]).toBe(first.dueDate);
    expect(cells[3]).toContain(first.firstReminderOn ?? 'none');
    expect(cells.at(-1)).toBe(first.paidOn ?? 'not paid');
    // Plain words: no internal names of message kinds.
    expect(await page.locator('main').innerText()).not.toMatch(/second_notice|demand_letter|final_notice|thank_you|levelDays/);
  }, 180_000);

  it('shows other level days side by side with the company\'s: no more messages, no earlier first contact', async () => {
    await page.getByLabel(/^Level 1/).fill('5');
    await page.getByLabel(/^Level 2/).fill('15');
    await page.getByLabel(/^Level 3/).fill('30');
    await page.getByLabel(/^Level 4/).fill('60');
    await page.getByRole('button', { name: 'Run the back-test' }).click();
    await page.waitForURL(new RegExp(`/companies/${REALM}/backtest/[0-9a-f-]{36}$`));
    expect(page.url()).not.toBe(runUrl);
    await page.locator('.backtest-report').waitFor({ timeout: 60_000 });

    const { baseline, variant } = await app.test.context.services.backtest.compare({ realmId: REALM, from: YEAR_BEFORE, to: TODAY, variant: { levelDays: [5, 15, 30, 60] } });
    expect(await page.locator('.backtest-summary thead').innerText()).toMatch(/Your settings\s+Tried/);
    expect(await shown(0)).toEqual(figures(baseline));
    expect(await shown(1)).toEqual(figures(variant));
    expect(await column('levels')).toEqual([baseline.settings.levelDays.join(', '), '5, 15, 30, 60']);
    expect(Number((await column('dunningMessages'))[1])).toBeLessThanOrEqual(Number((await column('dunningMessages'))[0]));
    expect(variant.totals.medianDaysDueToFirstReminder!).toBeGreaterThanOrEqual(baseline.totals.medianDaysDueToFirstReminder!);
    // The tried column of the late invoices is each invoice's first reminder with the tried settings.
    const triedFirst = new Map(variant.lateInvoices.map((i) => [i.invoiceId, i.firstReminderOn]));
    await page.getByText('Each late invoice: due date, first reminder, later steps, paid').click();
    const firstRow = await page.locator('table.backtest-late tbody tr').first().locator('td').allInnerTexts();
    expect(firstRow[4]).toBe(triedFirst.get(baseline.lateInvoices[0]!.invoiceId) ?? 'none');
    expect(await page.locator('svg.backtest-chart').count()).toBe(2);
    // The screenshot shows the figures side by side, the late invoices folded away.
    await page.getByText('Each late invoice: due date, first reminder, later steps, paid').click();
    await screenshot(page, 'backtest');
  }, 180_000);

  it('keeps a run to its company, and says plainly what is wrong with a form', async () => {
    const runId = runUrl.split('/').pop()!;
    // The other company's owner asks for this company's run under their own company: not there.
    expect((await otherPage.request.get(url(`/companies/${OTHER}/backtest/${runId}`))).status()).toBe(404);
    expect((await otherPage.request.get(runUrl)).status()).toBe(404);
    expect((await page.request.get(runUrl)).status()).toBe(200);

    await page.goto(url(`/companies/${REALM}/backtest`));
    await page.getByLabel(/^Level 3/).fill('2');
    await page.getByLabel('First day').fill('2026-12-01');
    await page.getByRole('button', { name: 'Run the back-test' }).click();
    expect(await page.locator('#bt-level3-error').innerText()).toBe('Level 3 must come later than level 2 (more days overdue).');
    expect(await page.locator('#bt-to-error').innerText()).toBe('The last day must be on or after the first day.');
    expect(await page.getByLabel(/^Level 3/).inputValue()).toBe('2');
  }, 60_000);

  it('breaks no rule of the page policy, and axe finds nothing serious on the form or the report', async () => {
    // Every page above was seen under the app's strict policy: nothing inline was refused.
    expect(consoleLines.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    await context.addCookies(await page.context().cookies());
    const axePage = await context.newPage();
    const found: string[] = [];
    for (const path of [url(`/companies/${REALM}/backtest`), runUrl]) {
      await axePage.goto(path);
      await axePage.evaluate(AXE);
      const violations = await axePage.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> }> } }).axe;
        return (await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] })).violations;
      });
      found.push(...violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${path}: ${v.id} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
    }
    await context.close();
    expect(found).toEqual([]);
  }, 60_000);
});
