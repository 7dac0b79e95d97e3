import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341702';
const TOKEN = 'operator-token-for-letter-sandbox-0123456789';
const NOW = '2026-11-20T15:00:00Z';

/** Every directive of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string> {
  return new Map((header ?? '').split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0]!, d.slice(d.indexOf(' ') + 1)]));
}

describe('template output never runs as a page of Ardesk', () => {
  let app: ConnectedApp;
  let browser: Browser;
  let outside: http.Server;
  let outsideUrl: string;
  const outsideHits: string[] = [];
  const get = (path: string) => fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    outside = http.createServer((req, res) => {
      outsideHits.push(req.url ?? '');
      res.end('<h1>Somewhere else</h1>');
    });
    await new Promise<void>((resolve) => outside.listen(0, '127.0.0.1', resolve));
    outsideUrl = `http://127.0.0.1:${(outside.address() as AddressInfo).port}`;
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Basalt Supply', customers: 12, invoices: 60 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await new Promise((resolve) => outside?.close(resolve));
  });

  it('shows a letter whose template redirects and rebases in a sandbox that goes nowhere, and prints all of it', async () => {
    const hostile = [
      `<meta http-equiv="refresh" content="0;url=${outsideUrl}/refresh">`,
      `<base href="${outsideUrl}/base/">`,
      `<link rel="stylesheet" href="${outsideUrl}/style.css">`,
      '<img src="logo.png" alt="">',
      `<object data="${outsideUrl}/object"></object>`,
      `<form action="${outsideUrl}/form"><button id="send">Send</button></form>`,
      '<p id="body">Dear {{contact.name}}, is everything as you ordered?</p>',
      '{{> invoiceTable}}',
      ...Array.from({ length: 40 }, (_, i) => `<p>Paragraph ${i + 1} of a long letter.</p>`),
      '<p id="last">The last line of the letter.</p>',
    ].join('\n');
    const saved = await fetch(`${app.web.url}/api/realms/${REALM}/templates/verification`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ html: hostile }) });
    expect(saved.status).toBe(200);
    const message = await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();

    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` } });
    const tab = await context.newPage();
    const letterUrl = `${app.web.url}/companies/${REALM}/letters/${message.id}`;
    expect((await tab.goto(letterUrl))!.status()).toBe(200);
    await tab.waitForTimeout(1500);
    expect(tab.url()).toBe(letterUrl);
    expect(outsideHits).toEqual([]);

    // The letter is there, in a frame of its own, as tall as its text, so printing carries all of it.
    const frame = tab.frames().find((f) => f !== tab.mainFrame());
    expect(frame).toBeDefined();
    await frame!.click('#send', { timeout: 2000 }).catch(() => undefined);
    await tab.waitForTimeout(300);
    expect(tab.url()).toBe(letterUrl);
    expect(await frame!.locator('#body').innerText()).toMatch(/^Dear .+, is everything as you ordered\?$/);
    const fits = await tab.evaluate(`(() => {
      const iframe = document.querySelector('iframe');
      return { sandbox: iframe.getAttribute('sandbox'), frameHeight: iframe.getBoundingClientRect().height, contentHeight: iframe.contentDocument.documentElement.scrollHeight };
    })()`) as { sandbox: string; frameHeight: number; contentHeight: number };
    expect(fits.sandbox.split(/\s+/)).not.toContain('allow-scripts');
    expect(fits.frameHeight).toBeGreaterThanOrEqual(fits.contentHeight - 1);
    expect(fits.contentHeight).toBeGreaterThan(1000);
    await screenshot(tab, 'letter-sandboxed');
    await context.close();
    expect(outsideHits).toEqual([]);
  });

  it('locks base-uri, form-action and object-src on every page, those that show templates included', async () => {
    const message = await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('kind', '=', 'verification').orderBy('id').executeTakeFirstOrThrow();
    const paths = ['/', `/companies/${REALM}`, `/companies/${REALM}/outbox`, `/companies/${REALM}/outbox/${message.id}`, `/companies/${REALM}/letters/${message.id}`, `/companies/${REALM}/templates/reminder`];
    for (const path of paths) {
      const policy = directives((await get(path)).headers.get('content-security-policy'));
      expect({ path, base: policy.get('base-uri'), object: policy.get('object-src') }).toEqual({ path, base: expect.stringMatching(/^'(none|self)'$/), object: "'none'" });
      expect({ path, form: policy.get('form-action') }).toEqual({ path, form: expect.stringMatching(/^'self'/) });
    }
    // The preview is a POST; its page shows template output too.
    const preview = await fetch(`${app.web.url}/companies/${REALM}/templates/reminder/preview`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ html: '<p>Hi</p>' }).toString() });
    expect(preview.status).toBe(200);
    const policy = directives(preview.headers.get('content-security-policy'));
    expect([policy.get('base-uri'), policy.get('object-src'), policy.get('form-action')]).toEqual(["'none'", "'none'", "'self'"]);
  });
});
