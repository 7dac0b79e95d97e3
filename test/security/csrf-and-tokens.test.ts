import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient, jsonOf } from '../support/http';

const REALM_A = '9341452000000601';
const REALM_B = '9341452000000602';
const OPERATOR_TOKEN = 'operator-token-csrf-0123456789abcdef012345';

describe('CSRF is skipped only for a request a valid API token authenticated', () => {
  let app: ConnectedApp;
  let owner: HttpClient;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM_A, name: 'Forms Factory' }], env: { API_TOKEN: OPERATOR_TOKEN } });
    owner = new HttpClient(app.web.url);
    expect((await connect(app, owner, REALM_A)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it.each([['Bearer\u00a0'], ['Bearer '], ['Bearer'], ['bearer \u00a0'], ['Bearer not-a-real-token-at-all-0123456789'], ['Basic dXNlcjpwYXNz']])(
    'refuses a session form post without its CSRF token that carries Authorization %j',
    async (authorization) => {
      for (const form of ['sync', 'disconnect', 'settings']) {
        const answer = await owner.postForm(`/companies/${REALM_A}/${form}`, { timezone: 'UTC' }, { headers: { authorization, accept: 'text/html' } });
        expect([401, 403]).toContain(answer.status);
      }
      expect((await app.test.context.repos.companies.find(REALM_A))!.status).toBe('connected');
    },
  );

  it('still skips it for the operator token, which carries no ambient credential', async () => {
    const answer = await fetch(`${app.web.url}/api/realms/${REALM_A}/sync`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(202);
  });
});

describe('company API tokens: made on the settings page, hashed, one company, read or read-write', () => {
  let app: ConnectedApp;
  let alice: HttpClient;
  let bob: HttpClient;

  const api = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${app.web.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

  /** Creates a token on the settings page and returns the secret the page shows once. */
  async function createToken(http: HttpClient, realmId: string, name: string, scope: string): Promise<string> {
    const settings = await http.get(`/companies/${realmId}/settings`);
    const answer = await http.postForm(`/companies/${realmId}/api-tokens`, { _csrf: csrfTokenIn(await settings.text()), name, scope });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toContain('no-store');
    const secret = /<code[^>]*id="new-api-token"[^>]*>([^<]+)<\/code>/.exec(await answer.text())?.[1];
    expect(secret).toBeDefined();
    return secret!;
  }

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM_A, name: 'Alpha Alloys' }, { realmId: REALM_B, name: 'Beta Bricks' }], env: { API_TOKEN: OPERATOR_TOKEN } });
    alice = new HttpClient(app.web.url);
    bob = new HttpClient(app.web.url);
    expect((await connect(app, alice, REALM_A)).status).toBe(303);
    expect((await connect(app, bob, REALM_B)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('shows a new token once and stores only its SHA-256 hash', async () => {
    const secret = await createToken(alice, REALM_A, 'Reporting sheet', 'read');
    const rows = await sql<{ row: string }>`select row_to_json(t)::text as row from api_tokens t`.execute(app.test.context.db);
    expect(rows.rows.map((r) => r.row).join('\n')).not.toContain(secret);
    expect(rows.rows.map((r) => r.row).join('\n')).toContain(createHash('sha256').update(secret).digest('hex'));
    const later = await (await alice.get(`/companies/${REALM_A}/settings`)).text();
    expect(later).toContain('Reporting sheet');
    expect(later).not.toContain(secret);
  });

  it('needs the form token to create one, and a member of the company', async () => {
    expect((await alice.postForm(`/companies/${REALM_A}/api-tokens`, { name: 'x', scope: 'read' }, { headers: { accept: 'text/html' } })).status).toBe(403);
    const bobToken = csrfTokenIn(await (await bob.get(`/companies/${REALM_B}/settings`)).text());
    expect((await bob.postForm(`/companies/${REALM_A}/api-tokens`, { _csrf: bobToken, name: 'x', scope: 'read_write' }, { headers: { accept: 'text/html' } })).status).toBe(404);
    // Neither the operator token nor a company token can mint tokens.
    const operator = await fetch(`${app.web.url}/companies/${REALM_A}/api-tokens`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: 'name=x&scope=read_write' });
    expect(operator.status).toBe(403);
  });

  it('lets a read-write token see and change only its own company, on the JSON API only', async () => {
    const token = await createToken(alice, REALM_A, 'Sync bot', 'read_write');
    const list = await jsonOf(await api(token, '/api/realms'));
    expect(list.realms.map((r: { realmId: string }) => r.realmId)).toEqual([REALM_A]);
    expect((await api(token, `/api/realms/${REALM_A}`)).status).toBe(200);
    expect((await api(token, `/api/realms/${REALM_B}`)).status).toBe(404);
    expect((await api(token, `/api/realms/${REALM_B}/worklist`)).status).toBe(404);
    expect((await api(token, `/api/realms/${REALM_B}/sync`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await api(token, `/api/realms/${REALM_A}/sync`, { method: 'POST', body: '{}' })).status).toBe(202);
    // Pages are for people: a company token opens none of them, and changes nothing through them.
    expect((await api(token, `/companies/${REALM_A}`, { headers: { accept: 'text/html' } })).status).toBe(401);
    const form = await fetch(`${app.web.url}/companies/${REALM_A}/disconnect`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(form.status).toBe(401);
    expect((await app.test.context.repos.companies.find(REALM_A))!.status).toBe('connected');
  });

  it('lets a read token read its company and change nothing', async () => {
    const token = await createToken(alice, REALM_A, 'Dashboard', 'read');
    expect((await api(token, `/api/realms/${REALM_A}/worklist`)).status).toBe(200);
    const settingsBefore = await jsonOf(await api(token, `/api/realms/${REALM_A}/settings`));
    const refused = [
      await api(token, `/api/realms/${REALM_A}/sync`, { method: 'POST', body: '{}' }),
      await api(token, `/api/realms/${REALM_A}/cadence/run`, { method: 'POST', body: '{}' }),
      await api(token, `/api/realms/${REALM_A}/settings`, { method: 'PUT', body: JSON.stringify({ dunningGapDays: 9 }) }),
      await api(token, `/api/realms/${REALM_A}/templates/reminder`, { method: 'PUT', body: JSON.stringify({ subject: 'Pay up' }) }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect((await jsonOf(refused[0]!)).error.message).toMatch(/read/i);
    expect(await jsonOf(await api(token, `/api/realms/${REALM_A}/settings`))).toEqual(settingsBefore);
  });

  it('stops a token the moment it is revoked on the settings page', async () => {
    const token = await createToken(alice, REALM_A, 'Old script', 'read');
    expect((await api(token, '/api/realms')).status).toBe(200);
    const page = await (await alice.get(`/companies/${REALM_A}/settings`)).text();
    const row = page.split('<tr>').find((part) => part.includes('Old script'));
    const tokenId = new RegExp(`action="/companies/${REALM_A}/api-tokens/([0-9a-f-]{36})/revoke"`).exec(row ?? '')?.[1];
    expect(tokenId).toBeDefined();
    // A member of another company cannot revoke it.
    const bobToken = csrfTokenIn(await (await bob.get(`/companies/${REALM_B}/settings`)).text());
    expect((await bob.postForm(`/companies/${REALM_A}/api-tokens/${tokenId}/revoke`, { _csrf: bobToken })).status).toBe(404);
    expect((await api(token, '/api/realms')).status).toBe(200);
    const revoked = await alice.postForm(`/companies/${REALM_A}/api-tokens/${tokenId}/revoke`, { _csrf: csrfTokenIn(page) });
    expect(revoked.status).toBe(303);
    expect((await api(token, '/api/realms')).status).toBe(401);
  });

  it('keeps the operator token for operators: every company on the API', async () => {
    const list = await jsonOf(await api(OPERATOR_TOKEN, '/api/realms'));
    expect(list.realms.map((r: { realmId: string }) => r.realmId).sort()).toEqual([REALM_A, REALM_B]);
  });
});
