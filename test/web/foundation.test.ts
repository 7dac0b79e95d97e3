import express from 'express';
import { createWebApp } from '../../src/web/app';
import { startWeb, type RunningWeb } from '../../src/main/web';
import { createTestContext, type TestContext } from '../support/context';
import { HttpClient, csrfTokenIn, jsonOf } from '../support/http';

describe('web foundation', () => {
  let test: TestContext;
  let web: RunningWeb;
  let http: HttpClient;

  beforeAll(async () => {
    test = await createTestContext();
    web = await startWeb(test.context, 0);
    http = new HttpClient(web.url);
  });
  afterAll(async () => {
    await web.stop();
    await test.destroy();
  });

  it('answers /healthz without a session', async () => {
    const response = await http.get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('answers /readyz 200 when the database and Redis answer', async () => {
    const response = await http.get('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', failing: [], checks: { database: 'ok', redis: 'ok' } });
  });

  it('answers /readyz 503 naming Redis when Redis is unreachable', async () => {
    const broken = await createTestContext({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const brokenWeb = await startWeb(broken.context, 0);
    try {
      const response = await fetch(`${brokenWeb.url}/readyz`);
      expect(response.status).toBe(503);
      const body = await jsonOf(response);
      expect(body.failing).toEqual(['redis']);
      expect(body.checks.database).toBe('ok');
      expect(body.checks.redis).toMatch(/^unreachable/);
    } finally {
      await brokenWeb.stop();
      await broken.destroy();
    }
  });

  it('answers /readyz 503 naming the database when it is gone', async () => {
    const broken = await createTestContext();
    const brokenWeb = await startWeb(broken.context, 0);
    try {
      await broken.database.db.destroy();
      const response = await fetch(`${brokenWeb.url}/readyz`);
      expect(response.status).toBe(503);
      expect((await jsonOf(response)).failing).toEqual(['database']);
    } finally {
      await brokenWeb.stop();
      await broken.context.close();
    }
  });

  it('serves the front page with security headers and an HttpOnly, SameSite session cookie', async () => {
    const response = await http.get('/');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Connect to QuickBooks');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ardesk\.sid=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('asks anonymous API callers to sign in, and answers unknown pages with an HTML 404', async () => {
    const anonymous = await http.get('/api/nothing-here', { headers: { accept: 'application/json' } });
    expect(anonymous.status).toBe(401);
    expect((await jsonOf(anonymous)).error.code).toBe('unauthorized');
    const page = await http.get('/nothing-here', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('There is nothing at this address.');
  });
});

describe('web request handling', () => {
  let test: TestContext;
  let web: RunningWeb;

  beforeAll(async () => {
    test = await createTestContext();
    // A probe route mounted on the real app's stack, to exercise body parsing, CSRF and errors.
    const app = createWebApp(test.context);
    const probe = express.Router();
    probe.post('/api/probe', (req, res) => {
      res.json({ received: req.body });
    });
    probe.get('/probe/form', (_req, res) => {
      res.type('html').send(`<form method="post"><input type="hidden" name="_csrf" value="${res.locals.csrfToken}"></form>`);
    });
    probe.post('/probe/form', (_req, res) => {
      res.send('saved');
    });
    probe.get('/probe/boom', () => {
      throw new Error('secret internals');
    });
    // Insert before the 404 and error handlers (the last two layers).
    app.router.stack.splice(app.router.stack.length - 2, 0, ...(probe.stack as typeof app.router.stack));
    web = await new Promise<RunningWeb>((resolve) => {
      const server = app.listen(0, () => {
        const port = (server.address() as { port: number }).port;
        resolve({ server, url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(() => r())) });
      });
    });
  });
  afterAll(async () => {
    await web.stop();
    await test.destroy();
  });

  it('refuses a form post without the CSRF token and accepts it with the token', async () => {
    const http = new HttpClient(web.url);
    const page = await http.get('/probe/form');
    const token = csrfTokenIn(await page.text());
    const forged = await http.postForm('/probe/form', { name: 'x' }, { headers: { accept: 'text/html' } });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('did not come from Ardesk');
    const wrong = await http.postForm('/probe/form', { _csrf: `${token}x` });
    expect(wrong.status).toBe(403);
    const good = await http.postForm('/probe/form', { _csrf: token });
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('saved');
  });

  it('answers malformed JSON with 400 and oversized bodies with 413', async () => {
    const http = new HttpClient(web.url);
    const headers = { authorization: 'Bearer not-checked-here' };
    const malformed = await http.postJson('/api/probe', '{"amount": 12,', headers);
    expect(malformed.status).toBe(400);
    expect((await jsonOf(malformed)).error.code).toBe('malformed_json');
    const oversized = await http.postJson('/api/probe', { blob: 'x'.repeat(1_100_000) }, headers);
    expect(oversized.status).toBe(413);
    expect((await jsonOf(oversized)).error.code).toBe('body_too_large');
  });

  it('hides the internals of an unexpected error', async () => {
    const response = await fetch(`${web.url}/probe/boom`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain('Something went wrong on our side');
    expect(html).not.toContain('secret internals');
  });
});
