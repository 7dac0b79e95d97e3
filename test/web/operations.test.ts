import { Writable } from 'node:stream';
import http from 'node:http';
import { createLogger } from '../../src/logger';
import { startWeb } from '../../src/main/web';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { createTestContext } from '../support/context';
import { csrfTokenIn, HttpClient, jsonOf } from '../support/http';
import { until } from '../support/until';

const REALM = '9341452000000701';
const OPERATOR_REALM = '9341452000000702';
/** The owner of OPERATOR_REALM in the sandbox (Intuit reports the address as verified). */
const OPERATOR_EMAIL = 'ops@ardesk-operator.example';

/** "Sign in with Intuit" from the front page, approved on the sandbox as the owner of `realmId`. */
async function signInWithIntuit(app: ConnectedApp, client: HttpClient, realmId: string): Promise<Response> {
  const start = await client.postForm('/signin', { _csrf: csrfTokenIn(await (await client.get('/')).text()) });
  const authorize = new URL(start.headers.get('location')!);
  const consent = await (await fetch(authorize)).text();
  const fields = Object.fromEntries([...consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  const approved = await fetch(new URL('/connect/oauth2', authorize), { method: 'POST', body: new URLSearchParams({ ...fields, userSub: app.sandbox.sandbox.userOf(realmId)!.sub, decision: 'approve' }), redirect: 'manual' });
  return client.get(approved.headers.get('location')!, { headers: { accept: 'text/html' } });
}

describe('what an operator and Intuit\'s app review expect of the web app', () => {
  let app: ConnectedApp;
  let member: HttpClient;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(...String(chunk).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)), done()) });
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Ledger & Lamp Ltd' }, { realmId: OPERATOR_REALM, name: 'Operator Holdings', edit: (seed) => void (seed.owner = { email: OPERATOR_EMAIL, givenName: 'Olive', familyName: 'Operator' }) }],
      env: { OPERATOR_EMAILS: `someone@example.com, ${OPERATOR_EMAIL.toUpperCase()}` },
      logger: createLogger({ level: 'info', destination }),
    });
    member = new HttpClient(app.web.url);
    expect((await connect(app, member, REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('marks every page and API answer that holds company data Cache-Control: no-store; static files stay cacheable', async () => {
    for (const path of ['/', `/companies/${REALM}`, `/companies/${REALM}/worklist`, `/companies/${REALM}/outbox`, `/companies/${REALM}/activities`, `/companies/${REALM}/settings`, '/eula', '/privacy']) {
      const answer = await member.get(path, { headers: { accept: 'text/html' } });
      expect({ path, status: answer.status, cache: answer.headers.get('cache-control') }).toEqual({ path, status: 200, cache: 'no-store' });
    }
    for (const path of ['/api/realms', `/api/realms/${REALM}`, `/api/realms/${REALM}/worklist`, `/api/realms/${REALM}/settings`]) {
      const answer = await member.get(path, { headers: { accept: 'application/json' } });
      expect({ path, status: answer.status, cache: answer.headers.get('cache-control') }).toEqual({ path, status: 200, cache: 'no-store' });
    }
    // Errors too: a 404 page says nothing about a company, but must not be kept either.
    expect((await member.get(`/companies/${OPERATOR_REALM}`, { headers: { accept: 'text/html' } })).headers.get('cache-control')).toBe('no-store');
    const css = await member.get('/app.css');
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('shows Intuit\'s Connect to QuickBooks button (our SVG, served from here under the CSP) until connected, and Disconnect after', async () => {
    const visitor = new HttpClient(app.web.url);
    const home = await visitor.get('/');
    const html = await home.text();
    expect(html).toContain('<a class="c2qb" href="/connect"><img class="c2qb-base" src="/brand/c2qb-green.svg" alt="Connect to QuickBooks" width="223" height="36"><img class="c2qb-hover" src="/brand/c2qb-green-hover.svg" alt="Connect to QuickBooks" width="223" height="36"></a>');
    expect(home.headers.get('content-security-policy')).toContain("img-src 'self' data:");
    for (const [file, green] of [['c2qb-green.svg', '#2CA01C'], ['c2qb-green-hover.svg', '#108000']] as const) {
      const svg = await visitor.get(`/brand/${file}`);
      expect(svg.status).toBe(200);
      expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      const text = await svg.text();
      expect(text).toContain(`fill="${green}"`);
      expect(text).toContain('>Connect to QuickBooks</text>');
      expect(text).not.toMatch(/<script|href=|xlink/i);
    }
    const connected = await (await member.get(`/companies/${REALM}`)).text();
    expect(connected).not.toContain('class="c2qb"');
    expect(connected).toContain('Disconnect from QuickBooks');
  });

  it('serves the built-in licence agreement and privacy policy, linked from every page', async () => {
    const home = await (await new HttpClient(app.web.url).get('/')).text();
    expect(home).toContain('<a href="/eula">End-user licence agreement</a>');
    expect(home).toContain('<a href="/privacy">Privacy policy</a>');
    const eula = await (await fetch(`${app.web.url}/eula`)).text();
    expect(eula).toContain('<h1>End-user licence agreement</h1>');
    expect(eula).toContain('30 days later');
    const privacy = await (await fetch(`${app.web.url}/privacy`)).text();
    expect(privacy).toContain('<h1>Privacy policy</h1>');
    expect(privacy).toContain('never your customers\' email addresses');
  });

  it('sends /eula and /privacy to the operator\'s own pages when EULA_URL and PRIVACY_URL are set', async () => {
    const own = await createTestContext({ env: { EULA_URL: 'https://legal.example.com/eula', PRIVACY_URL: 'https://legal.example.com/privacy', RETENTION_DAYS: '45' } });
    const web = await startWeb(own.context, 0);
    try {
      const eula = await fetch(`${web.url}/eula`, { redirect: 'manual' });
      expect(eula.status).toBe(302);
      expect(eula.headers.get('location')).toBe('https://legal.example.com/eula');
      expect((await fetch(`${web.url}/privacy`, { redirect: 'manual' })).headers.get('location')).toBe('https://legal.example.com/privacy');
      const home = await (await fetch(`${web.url}/`)).text();
      expect(home).toContain('<a href="https://legal.example.com/eula">End-user licence agreement</a>');
      expect(home).toContain('<a href="https://legal.example.com/privacy">Privacy policy</a>');
    } finally {
      await web.stop();
      await own.destroy();
    }
  });

  it('fails readiness as soon as the process begins to stop, while liveness holds', async () => {
    const own = await createTestContext();
    const web = await startWeb(own.context, 0);
    try {
      expect((await fetch(`${web.url}/readyz`)).status).toBe(200);
      own.context.lifecycle.beginStopping();
      const ready = await fetch(`${web.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', failing: ['shutting_down'], checks: { process: 'shutting down' } });
      expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    } finally {
      await web.stop();
      await own.destroy();
    }
  });

  it('answers readiness probes on the process\'s own Redis connection: probing opens none', async () => {
    const name = `${app.test.context.queues.prefix}:producer`;
    const ours = async () => ((await app.test.context.redis.client('LIST')) as string).split('\n').filter((line) => line.includes(` name=${name} `)).length;
    const before = await ours();
    expect(before).toBe(1);
    for (let i = 0; i < 20; i++) expect((await fetch(`${app.web.url}/readyz`)).status).toBe(200);
    expect(await ours()).toBe(before);
  });

  it('logs one line per request with its request id, an aborted request too', async () => {
    const answer = await fetch(`${app.web.url}/healthz`, { headers: { 'x-request-id': 'probe-1234' } });
    expect(answer.headers.get('x-request-id')).toBe('probe-1234');
    await until('the request line', () => lines.some((line) => line.reqId === 'probe-1234'), 5_000);
    expect(lines.find((line) => line.reqId === 'probe-1234')).toMatchObject({ msg: 'request', method: 'GET', url: '/healthz', status: 200, level: 30 });
    const generated = await fetch(`${app.web.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // A page that asks QuickBooks, made slow, and a client that gives up before the answer.
    app.sandbox.sandbox.setKnobs({ latencyMs: 1_500 });
    try {
      const cookie = `ardesk.sid=${member.cookie('ardesk.sid')}`;
      await new Promise<void>((resolve) => {
        const request = http.get(`${app.web.url}/disconnected`, { headers: { cookie, 'x-request-id': 'gave-up-5678' } });
        request.on('error', () => resolve());
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 300);
      });
      await until('the aborted request\'s line', () => lines.some((line) => line.reqId === 'gave-up-5678'), 10_000);
    } finally {
      app.sandbox.sandbox.setKnobs({ latencyMs: 0 });
    }
    expect(lines.find((line) => line.reqId === 'gave-up-5678')).toMatchObject({ msg: 'request aborted', method: 'GET', url: '/disconnected', status: 'aborted', level: 40 });
    // Lines name the request, never its headers (cookies, tokens).
    expect(JSON.stringify(lines)).not.toContain('ardesk.sid=');
  });

  it('opens the queue view to operators only, and its changes only from this origin', async () => {
    const anonymous = await new HttpClient(app.web.url).get('/operator/queues', { headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(404);
    expect((await member.get('/operator/queues', { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await member.get('/operator/queues/api/queues', { headers: { accept: 'application/json' } })).status).toBe(404);

    // The operator is a member of no company: Sign in with Intuit lets them in for their address.
    const operator = new HttpClient(app.web.url);
    const signedIn = await signInWithIntuit(app, operator, OPERATOR_REALM);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/operator/queues');
    const board = await operator.get('/operator/queues', { headers: { accept: 'text/html' } });
    expect(board.status).toBe(200);
    const page = await board.text();
    expect(page).toContain('<base href="/operator/queues/"');
    expect(page).toMatch(/<script defer src="static\/js\/main\.[0-9a-f]+\.js"><\/script>/);
    expect(board.headers.get('cache-control')).toBe('no-store');
    expect(board.headers.get('content-security-policy')).toContain("script-src 'self'");
    const queues = await jsonOf(await operator.get('/operator/queues/api/queues', { headers: { accept: 'application/json' } }));
    expect(queues.queues.map((q: { name: string }) => q.name).sort()).toEqual(['cadence', 'mail', 'maintenance', 'notes', 'sync']);
    expect((await operator.get('/', { headers: { accept: 'text/html' } }).then((r) => r.text()))).toContain('<a class="operator-link" href="/operator/queues">Queues</a>');

    const queue = app.test.context.queues.queue('maintenance');
    const forged = await operator.request('/operator/queues/api/queues/maintenance/pause', { method: 'PUT', headers: { origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    const unmarked = await operator.request('/operator/queues/api/queues/maintenance/pause', { method: 'PUT' });
    expect(unmarked.status).toBe(403);
    expect(await queue.isPaused()).toBe(false);
    const paused = await operator.request('/operator/queues/api/queues/maintenance/pause', { method: 'PUT', headers: { origin: new URL(app.web.url).origin } });
    expect(paused.status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    await operator.request('/operator/queues/api/queues/maintenance/resume', { method: 'PUT', headers: { 'sec-fetch-site': 'same-origin' } });
    expect(await queue.isPaused()).toBe(false);
  });
});
