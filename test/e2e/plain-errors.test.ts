import type { Browser, Page, Response } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { startConnectedApp, type ConnectedApp } from '../support/connected-app';

const REALM = '9341624';
// Monday 2026-11-23, 10:00 in New York.
const NOW = '2026-11-23T15:00:00Z';

/** What a developer reads and a collector should never see. */
const DEVELOPER_WORDS = /Invalid input|expected number|received NaN|promise\.amount|plan\.installments|levelDays|OPEN_INVERSE_CHAIN|OPEN_ENDBLOCK|Expecting '|Parse error|must be increasing|YYYY-MM-DD/;

/**
 * Each form given bad input in Chromium: the same page again (400), what is wrong in a collector's
 * words next to the field it is about, and everything typed still in the form.
 */
describe('forms answer bad input in plain words, next to the field, keeping what was typed', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let page: Page;
  const base = () => `${app.web.url}/companies/${REALM}`;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Birch Hardware', customers: 12, invoices: 50 }], env: { ARDESK_NOW: NOW } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.web.url}/connect?realmId=${REALM}`);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(base());
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Clicks `button` and waits for the page its form answers with. */
  const submit = async (button: string): Promise<Response> => {
    const answer = page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() !== 'OPTIONS');
    await page.getByRole('button', { name: button, exact: true }).click();
    const response = await answer;
    await page.waitForLoadState('domcontentloaded');
    return response;
  };

  /** The message shown for the field named `name`: the element its aria-describedby names, visible. */
  const messageFor = async (selector: string): Promise<string> => {
    const field = page.locator(selector).first();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    const id = await field.getAttribute('aria-describedby');
    expect(id).toBeTruthy();
    const message = page.locator(`#${id}`);
    expect(await message.isVisible()).toBe(true);
    return (await message.innerText()).trim();
  };

  const noDeveloperWords = async () => expect(await page.locator('main').innerText()).not.toMatch(DEVELOPER_WORDS);

  const openTask = async () => {
    const task = await app.test.context.db.selectFrom('call_tasks').select(['id']).where('realm_id', '=', REALM).where('status', '=', 'open').orderBy('id').executeTakeFirstOrThrow();
    await page.goto(`${base()}/tasks/${task.id}`);
    return task.id;
  };

  const nothingRecorded = async () => {
    const db = app.test.context.db;
    expect(await db.selectFrom('promises').select('id').where('realm_id', '=', REALM).execute()).toEqual([]);
    expect(await db.selectFrom('payment_plans').select('id').where('realm_id', '=', REALM).execute()).toEqual([]);
    expect(await db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('status', '!=', 'open').execute()).toEqual([]);
  };

  it('the call sheet: an empty or non-numeric promised amount', async () => {
    await openTask();
    await page.getByLabel('Reached: promised to pay').check();
    await page.locator('input[name=promiseDueOn]').fill('2026-11-30');
    await page.locator('textarea[name=notes]').fill('Spoke to Dana in accounts');
    let answer = await submit('Save and go to the next call');
    expect(answer.status()).toBe(400);
    expect(await messageFor('input[name=promiseAmount]')).toBe('Enter the amount promised, like 125.50');
    expect(await page.locator('input[name=promiseDueOn]').inputValue()).toBe('2026-11-30');
    expect(await page.locator('textarea[name=notes]').inputValue()).toBe('Spoke to Dana in accounts');
    expect(await page.getByLabel('Reached: promised to pay').isChecked()).toBe(true);
    await noDeveloperWords();

    await page.locator('input[name=promiseAmount]').fill('twelve hundred');
    answer = await submit('Save and go to the next call');
    expect(answer.status()).toBe(400);
    expect(await messageFor('input[name=promiseAmount]')).toMatch(/^The amount must be a number, like 125\.50/);
    expect(await page.locator('input[name=promiseAmount]').inputValue()).toBe('twelve hundred');
    expect(await page.locator('input[name=promiseDueOn]').inputValue()).toBe('2026-11-30');
    expect(await page.locator('textarea[name=notes]').inputValue()).toBe('Spoke to Dana in accounts');
    await noDeveloperWords();
    await screenshot(page, 'plain-errors-call-amount');
    await nothingRecorded();
  });

  it('the call sheet: an installment whose date is not a date names its line', async () => {
    await openTask();
    await page.getByLabel('Reached: cannot pay now (payment plan)').check();
    const typed = '2026-12-01 500.00\n12/15/2026 500';
    await page.locator('textarea[name=installments]').fill(typed);
    const answer = await submit('Save and go to the next call');
    expect(answer.status()).toBe(400);
    expect(await messageFor('textarea[name=installments]')).toBe('Line 2: the date must be written like 2026-12-01 (year-month-day), then the amount');
    expect(await page.locator('textarea[name=installments]').inputValue()).toBe(typed);
    expect(await page.getByLabel('Reached: cannot pay now (payment plan)').isChecked()).toBe(true);
    await noDeveloperWords();
    await nothingRecorded();
  });

  it('the template editor: a block never closed, and a {{ never closed, name the part and the line', async () => {
    await page.goto(`${base()}/templates/reminder`);
    const text = page.locator('#part-text');
    const typed = 'Hello {{customer.name}},\n\nYou owe us.\n{{#if invoices}}\nSee the invoices.\n';
    await text.fill(typed);
    const html = await page.locator('#part-html').inputValue();
    let answer = await submit('Save');
    expect(answer.status()).toBe(400);
    expect(await messageFor('#part-text')).toBe('The text part has a {{#if}} that is never closed (line 4); add {{/if}} where it ends');
    expect(await text.inputValue()).toBe(typed);
    expect(await page.locator('#part-html').inputValue()).toBe(html);
    expect(await page.locator('#part-html').getAttribute('aria-invalid')).toBeNull();
    await noDeveloperWords();

    await text.fill('Hello');
    const brokenHtml = '<p>Dear customer,</p>\n<p>Thank you.</p>\n<p>{{ customer.name</p>\n';
    await page.locator('#part-html').fill(brokenHtml);
    answer = await submit('Preview with sample data');
    expect(answer.status()).toBe(400);
    expect(await messageFor('#part-html')).toBe('The HTML part could not be read at line 3: a {{ … }} is not closed or has a stray character');
    expect(await page.locator('#part-html').inputValue()).toBe(brokenHtml);
    await noDeveloperWords();
    await screenshot(page, 'plain-errors-template');
    expect(await app.test.context.db.selectFrom('template_overrides').select('name').where('realm_id', '=', REALM).execute()).toEqual([]);
  });

  it('the settings: levels out of order, and a window that ends before it starts', async () => {
    await page.goto(`${base()}/settings`);
    await page.locator('input[name=level2]').fill('2');
    await page.locator('input[name=dunningGapDays]').fill('5');
    await page.locator('input[name=sendStart]').fill('18');
    await page.locator('input[name=sendEnd]').fill('9');
    const answer = await submit('Save settings');
    expect(answer.status()).toBe(400);
    expect(await messageFor('input[name=level2]')).toBe('Each level must start later than the one before (e.g. 3, 13, 23, 45 days)');
    expect(await messageFor('input[name=sendEnd]')).toBe('The From hour must be before the To hour');
    expect(await page.locator('input[name=level1]').inputValue()).toBe('3');
    expect(await page.locator('input[name=level2]').inputValue()).toBe('2');
    expect(await page.locator('input[name=dunningGapDays]').inputValue()).toBe('5');
    expect(await page.locator('input[name=sendStart]').inputValue()).toBe('18');
    expect(await page.locator('input[name=sendEnd]').inputValue()).toBe('9');
    await noDeveloperWords();
    await screenshot(page, 'plain-errors-settings');
    expect(await app.test.context.db.selectFrom('playbook_settings').select('realm_id').where('realm_id', '=', REALM).execute()).toEqual([]);
  });

  it('the results: a start date after the end date shows the form again', async () => {
    await page.goto(`${base()}/results`);
    await page.locator('input[name=from]').fill('2026-11-20');
    await page.locator('input[name=to]').fill('2026-11-02');
    const answer = await submit('Show');
    expect(answer.status()).toBe(400);
    expect(await messageFor('input[name=from]')).toBe('The start date must be on or before the end date');
    expect(await page.locator('input[name=from]').inputValue()).toBe('2026-11-20');
    expect(await page.locator('input[name=to]').inputValue()).toBe('2026-11-02');
    await noDeveloperWords();
  });
});
