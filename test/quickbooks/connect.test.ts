import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { ReconnectRequiredError } from '../../src/quickbooks/errors';
import { testEnv } from '../support/env';
import { processClockEnv } from '../support/process-clock';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient, csrfTokenIn, jsonOf } from '../support/http';
import { expireStoredAccessToken } from '../support/tokens';

const REALM_A = '9341452000000101';
const REALM_B = '9341452000000202';
const OPERATOR_TOKEN = 'operator-token-0123456789abcdef0123456789';

describe('connecting a QuickBooks company', () => {
  let app: ConnectedApp;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM_A, name: 'Acme Landscaping' }, { realmId: REALM_B, name: 'Bolt Fabrication' }], env: { API_TOKEN: OPERATOR_TOKEN } });
  });
  afterAll(() => app.stop());

  const db = () => app.test.context.db;
  const oauthCounts = () => app.sandbox.sandbox.oauth.counts;

  it('connects in one click through the consent screen, following redirects, and shows the company', async () => {
    app.sandbox.sandbox.setKnobs({ autoApprove: true });
    try {
      const http = new HttpClient(app.web.url);
      const page = await http.get('/connect', { followRedirects: true });
      expect(page.status).toBe(200);
      expect(page.url).toBe(`${app.web.url}/companies/${REALM_A}`);
      const html = await page.text();
      expect(html).toContain('Acme Landscaping');
      expect(html).toContain('connected');
      const realms = await jsonOf(await http.get('/api/realms', { headers: { accept: 'application/json' } }));
      expect(realms.realms).toEqual([expect.objectContaining({ realmId: REALM_A, name: 'Acme Landscaping', status: 'connected' })]);
    } finally {
      app.sandbox.sandbox.setKnobs({ autoApprove: false });
    }
    // Tokens are stored encrypted: the plaintext never appears in the table.
    const stored = await app.test.context.quickbooks.vault.read(REALM_A);
    const raw = await sql<{ row: string }>`select row_to_json(t)::text as row from company_tokens t where realm_id = ${REALM_A}`.execute(db());
    expect(raw.rows[0]!.row).not.toContain(stored!.accessToken);
    expect(raw.rows[0]!.row).not.toContain(stored!.refreshToken);
    expect(raw.rows[0]!.row).toMatch(/"access_token":"v1\.k1\./);
    expect(stored!.refreshExpiresAt.getTime() - stored!.createdAt.getTime()).toBe(8_640_000 * 1000);
    expect(stored!.hardExpiresAt).not.toBeNull();
  });

  it('refuses a forged or unknown state with 400 and stores nothing', async () => {
    const http = new HttpClient(app.web.url);
    await http.get('/');
    const before = { ...oauthCounts() };
    const answer = await http.get(`/callback?code=AB11forged&state=${'x'.repeat(43)}&realmId=${REALM_B}`, { headers: { accept: 'text/html' } });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('expired, was already used, or was not started in this browser');
    expect(oauthCounts().authorizationCode).toBe(before.authorizationCode);
    expect(await app.test.context.repos.companies.find(REALM_B)).toBeUndefined();
  });

  it('refuses a state started in another browser session', async () => {
    const attacker = new HttpClient(app.web.url);
    const start = await attacker.get('/connect');
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const victim = new HttpClient(app.web.url);
    await victim.get('/');
    const answer = await victim.get(`/callback?code=AB11whatever&state=${state}&realmId=${REALM_B}`);
    expect(answer.status).toBe(400);
    expect(await app.test.context.repos.companies.find(REALM_B)).toBeUndefined();
  });

  it('exchanges the code exactly once when the callback is replayed, even concurrently', async () => {
    const http = new HttpClient(app.web.url);
    const start = await http.get(`/connect`);
    const authorize = start.headers.get('location')!;
    const consent = await (await fetch(authorize)).text();
    const fields = Object.fromEntries([...consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
    const approved = await fetch(new URL('/connect/oauth2', authorize), { method: 'POST', body: new URLSearchParams({ ...fields, realmId: REALM_A, decision: 'approve' }), redirect: 'manual' });
    const callback = approved.headers.get('location')!;
    const before = oauthCounts().authorizationCode;
    const answers = await Promise.all([http.get(callback), http.get(callback), http.get(callback)]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 400, 400]);
    expect(oauthCounts().authorizationCode).toBe(before + 1);
    expect(oauthCounts().invalidGrant).toBe(0);
    const replay = await http.get(callback);
    expect(replay.status).toBe(400);
    expect(oauthCounts().authorizationCode).toBe(before + 1);
  });

  it('refreshes once for 20 concurrent calls just after expiry', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM_A)).status).toBe(303);
    app.sandbox.sandbox.oauth.expireAccessTokens(REALM_A);
    await expireStoredAccessToken(app.test.context, REALM_A);
    const before = oauthCounts().refresh;
    const infos = await Promise.all(Array.from({ length: 20 }, () => app.test.context.quickbooks.client.companyInfo(REALM_A)));
    expect(infos.every((info) => info.CompanyName === 'Acme Landscaping')).toBe(true);
    expect(oauthCounts().refresh).toBe(before + 1);
  });

  it('refreshes once for calls racing from two worker processes', async () => {
    app.sandbox.sandbox.oauth.expireAccessTokens(REALM_A);
    await expireStoredAccessToken(app.test.context, REALM_A);
    const before = oauthCounts().refresh;
    const env = { ...testEnv(app.env), DATABASE_URL: app.test.database.url!, QUEUE_PREFIX: app.test.context.queues.prefix, REALM: REALM_A, START_AT: String(Date.now() + 1500), PATH: process.env.PATH, ...processClockEnv() };
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [path.resolve(__dirname, '../fixtures/refresh-race.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`refresh-race exited ${code}: ${err}`))));
      });
    const outputs = await Promise.all([run(), run()]);
    for (const output of outputs) expect(JSON.parse(output)).toEqual(Array(10).fill('ok'));
    expect(oauthCounts().refresh).toBe(before + 1);
  });

  it('marks the connection needs-reconnect when QuickBooks revokes it, stops calling, shows the banner, and resumes after reconnecting', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM_A)).status).toBe(303);
    app.sandbox.sandbox.oauth.revokeRealm(REALM_A);
    await expect(app.test.context.quickbooks.client.companyInfo(REALM_A)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect((await app.test.context.repos.companies.find(REALM_A))!.status).toBe('needs_reconnect');

    // Every later call stops at once, without asking QuickBooks.
    const requests = app.sandbox.sandbox.requestLog.length;
    await expect(app.test.context.quickbooks.client.companyInfo(REALM_A)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(app.sandbox.sandbox.requestLog.length).toBe(requests);

    const page = await (await http.get(`/companies/${REALM_A}`)).text();
    expect(page).toContain('QuickBooks needs you to reconnect Acme Landscaping');
    expect(page).toContain(`/connect?realmId=${REALM_A}`);

    expect((await connect(app, http, REALM_A)).status).toBe(303);
    expect((await app.test.context.repos.companies.find(REALM_A))!.status).toBe('connected');
    expect((await app.test.context.quickbooks.client.companyInfo(REALM_A)).CompanyName).toBe('Acme Landscaping');
    expect(await (await http.get(`/companies/${REALM_A}`)).text()).not.toContain('needs you to reconnect');
  });

  it('notices a disconnect made inside QuickBooks when Intuit sends the user to /disconnected', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM_A)).status).toBe(303);
    app.sandbox.sandbox.oauth.revokeRealm(REALM_A);
    const page = await http.get('/disconnected');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme Landscaping');
    expect((await app.test.context.repos.companies.find(REALM_A))!.status).toBe('needs_reconnect');
    expect((await connect(app, http, REALM_A)).status).toBe(303);
  });

  it('keeps each person to the companies they connected: 404 on every route of another company', async () => {
    const alice = new HttpClient(app.web.url);
    const bob = new HttpClient(app.web.url);
    expect((await connect(app, alice, REALM_A)).status).toBe(303);
    expect((await connect(app, bob, REALM_B)).status).toBe(303);
    const token = csrfTokenIn(await (await alice.get(`/companies/${REALM_A}`)).text());

    expect((await alice.get(`/companies/${REALM_B}`, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await alice.get(`/api/realms/${REALM_B}`, { headers: { accept: 'application/json' } })).status).toBe(404);
    expect((await alice.postForm(`/companies/${REALM_B}/disconnect`, { _csrf: token })).status).toBe(404);
    expect((await app.test.context.repos.companies.find(REALM_B))!.status).toBe('connected');
    const list = await jsonOf(await alice.get('/api/realms', { headers: { accept: 'application/json' } }));
    expect(list.realms.map((r: { realmId: string }) => r.realmId)).toEqual([REALM_A]);
    expect((await alice.get(`/api/realms/${REALM_A}`, { headers: { accept: 'application/json' } })).status).toBe(200);
    expect((await new HttpClient(app.web.url).get(`/api/realms/${REALM_A}`, { headers: { accept: 'application/json' } })).status).toBe(401);
  });

  it('answers the operator\'s API token for every company, and refuses a wrong one', async () => {
    const alice = new HttpClient(app.web.url);
    await connect(app, alice, REALM_A);
    const operator = await fetch(`${app.web.url}/api/realms`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' } });
    expect(operator.status).toBe(200);
    expect(((await operator.json()) as { realms: Array<{ realmId: string }> }).realms.map((r) => r.realmId).sort()).toEqual(expect.arrayContaining([REALM_A]));
    const wrong = await fetch(`${app.web.url}/api/realms`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}x`, accept: 'application/json' } });
    expect(wrong.status).toBe(401);
  });

  it('signs in with a fresh session id, so a fixed session is worth nothing', async () => {
    const http = new HttpClient(app.web.url);
    await http.get('/');
    const before = http.cookie('ardesk.sid');
    expect((await connect(app, http, REALM_A)).status).toBe(303);
    expect(http.cookie('ardesk.sid')).toBeDefined();
    expect(http.cookie('ardesk.sid')).not.toBe(before);
  });

  it('lands a signed-in person on their company from the Launch URL, and others on connect', async () => {
    const http = new HttpClient(app.web.url);
    expect((await http.get('/launch')).headers.get('location')).toBe('/connect');
    await connect(app, http, REALM_A);
    expect((await http.get('/launch')).headers.get('location')).toBe(`/companies/${REALM_A}`);
  });

  it('disconnects on request: revokes at Intuit, deletes the tokens, keeps the company', async () => {
    const http = new HttpClient(app.web.url);
    await connect(app, http, REALM_B);
    const token = csrfTokenIn(await (await http.get(`/companies/${REALM_B}`)).text());
    const forged = await http.postForm(`/companies/${REALM_B}/disconnect`, {});
    expect(forged.status).toBe(403);
    const revokes = oauthCounts().revoke;
    const answer = await http.postForm(`/companies/${REALM_B}/disconnect`, { _csrf: token });
    expect(answer.status).toBe(303);
    expect(oauthCounts().revoke).toBe(revokes + 1);
    expect(await app.test.context.quickbooks.vault.read(REALM_B)).toBeUndefined();
    expect((await app.test.context.repos.companies.find(REALM_B))!.status).toBe('disconnected');
    expect(await (await http.get(`/companies/${REALM_B}`)).text()).toContain('is disconnected');
  });

  it('reads the connection once for the calls that ask together, and a disconnect at the next ask', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM_A)).status).toBe(303);
    const { tokens, vault } = app.test.context.quickbooks;
    const reads = jest.spyOn(vault, 'readWithStatus');
    try {
      const together = await Promise.all(Array.from({ length: 10 }, () => tokens.accessToken(REALM_A)));
      expect(new Set(together).size).toBe(1);
      expect(reads).toHaveBeenCalledTimes(1);
      // Asked after that read, a disconnect is seen: nothing is kept between asks.
      await app.test.context.repos.companies.setStatus(REALM_A, 'disconnected', 'Disconnected by a test');
      await expect(tokens.accessToken(REALM_A)).rejects.toThrow(/the connection is disconnected/);
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      reads.mockRestore();
      expect((await connect(app, http, REALM_A)).status).toBe(303);
    }
  });
});
