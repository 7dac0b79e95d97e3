import { sql } from 'kysely';
import { QUEUES } from '../../src/jobs/names';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const MEMBER_REALM = '9341452000000401';
const OTHER_REALM = '9341452000000402';

/** Every job and scheduler of every queue, by id. */
async function allJobs(app: ConnectedApp): Promise<string[]> {
  const found: string[] = [];
  for (const name of QUEUES) {
    const queue = app.test.context.queues.queue(name);
    for (const job of await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized', 'completed', 'failed'])) found.push(`${name}:${job.id}`);
    for (const scheduler of await queue.getJobSchedulers()) found.push(`${name}:scheduler:${scheduler.key}`);
  }
  return found.sort();
}

/** "Sign in with Intuit" from the front page, approved on the sandbox as the person `userSub`. */
async function signInWithIntuit(http: HttpClient, userSub: string) {
  const home = await http.get('/', { headers: { accept: 'text/html' } });
  const html = await home.text();
  expect(html).toContain('Sign in with Intuit');
  const start = await http.postForm('/signin', { _csrf: csrfTokenIn(html) });
  expect(start.status).toBe(303);
  const authorize = new URL(start.headers.get('location')!);
  const consent = await (await fetch(authorize)).text();
  const fields = Object.fromEntries([...consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  const approved = await fetch(new URL('/connect/oauth2', authorize), { method: 'POST', body: new URLSearchParams({ ...fields, userSub, decision: 'approve' }), redirect: 'manual' });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get('location')!);
  const answer = await http.get(callback.toString(), { headers: { accept: 'text/html' } });
  return { authorize, callback, answer };
}

describe('Sign in with Intuit (OpenID only) for members of companies', () => {
  let app: ConnectedApp;
  const owner = (realmId: string) => app.sandbox.sandbox.userOf(realmId)!.sub;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: MEMBER_REALM, name: 'Member Mills' }, { realmId: OTHER_REALM, name: 'Outsider Optics' }] });
    // The owner of MEMBER_REALM connected it once, in another browser: they are a member.
    expect((await connect(app, new HttpClient(app.web.url), MEMBER_REALM)).status).toBe(303);
  });
  afterAll(() => app.stop());

  it('signs a member in with OpenID scopes only: no company id, no accounting tokens, no sync', async () => {
    const tokensBefore = await app.test.context.quickbooks.vault.read(MEMBER_REALM);
    const companyBefore = await app.test.context.repos.companies.find(MEMBER_REALM);
    const jobsBefore = await allJobs(app);
    const apiCallsBefore = app.sandbox.sandbox.requestLog.length;

    const http = new HttpClient(app.web.url);
    const { authorize, callback, answer } = await signInWithIntuit(http, owner(MEMBER_REALM));
    expect(authorize.searchParams.get('scope')!.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(callback.searchParams.has('realmId')).toBe(false);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/companies/${MEMBER_REALM}`);

    const page = await http.get(`/companies/${MEMBER_REALM}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Member Mills');

    // Nothing about the company changed: same tokens, same row, no job, no QuickBooks API call.
    expect(await app.test.context.quickbooks.vault.read(MEMBER_REALM)).toEqual(tokensBefore);
    expect(await app.test.context.repos.companies.find(MEMBER_REALM)).toEqual(companyBefore);
    expect(await allJobs(app)).toEqual(jobsBefore);
    expect(app.sandbox.sandbox.requestLog.length).toBe(apiCallsBefore);
  });

  it('lets the sandbox issue OpenID-only tokens that cannot read any company (403, 3100)', async () => {
    const grant = app.sandbox.sandbox.oauth.issueCode({ clientId: 'ardesk-test-client', realmId: null, redirectUri: 'http://127.0.0.1/callback', scope: 'openid profile email', userSub: owner(MEMBER_REALM) });
    const tokens = app.sandbox.sandbox.oauth.exchangeCode('ardesk-test-client', grant, 'http://127.0.0.1/callback');
    const info = await fetch(`${app.sandbox.url}/v3/company/${MEMBER_REALM}/companyinfo/${MEMBER_REALM}?minorversion=75`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    expect(info.status).toBe(403);
    expect(JSON.stringify(await info.json())).toContain('"code":"3100"');
    const me = await fetch(`${app.sandbox.url}/v1/openid_connect/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await me.json()) as { sub: string }).sub).toBe(owner(MEMBER_REALM));
  });

  it('refuses a person who is a member of no company: 403, no user, not signed in', async () => {
    const users = await sql<{ n: number }>`select count(*)::int as n from users`.execute(app.test.context.db);
    const http = new HttpClient(app.web.url);
    const { answer } = await signInWithIntuit(http, owner(OTHER_REALM));
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('Connect to QuickBooks');
    expect((await sql<{ n: number }>`select count(*)::int as n from users`.execute(app.test.context.db)).rows[0]!.n).toBe(users.rows[0]!.n);
    expect((await http.get(`/companies/${MEMBER_REALM}`, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await http.get('/api/realms', { headers: { accept: 'application/json' } })).status).toBe(401);
    expect(await app.test.context.repos.companies.find(OTHER_REALM)).toBeUndefined();
  });

  it('refuses to start a sign-in without the form token', async () => {
    const http = new HttpClient(app.web.url);
    await http.get('/');
    expect((await http.postForm('/signin', {}, { headers: { accept: 'text/html' } })).status).toBe(403);
  });

  it('signs in with a fresh session id', async () => {
    const http = new HttpClient(app.web.url);
    await http.get('/');
    const before = http.cookie('ardesk.sid');
    expect(before).toBeDefined();
    expect((await signInWithIntuit(http, owner(MEMBER_REALM))).answer.status).toBe(303);
    expect(http.cookie('ardesk.sid')).toBeDefined();
    expect(http.cookie('ardesk.sid')).not.toBe(before);
  });
});
