import { sql } from 'kysely';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const REALM = '9341452000000501';
const OPERATOR_TOKEN = 'operator-token-sessions-0123456789abcdef';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('web sessions: stored only when they hold something, touched sparingly, ended on time', () => {
  let app: ConnectedApp;
  let now: number;

  const sessionRows = async () => (await sql<{ n: number }>`select count(*)::int as n from web_sessions`.execute(app.test.context.db)).rows[0]!.n;
  const expiryOf = async (cookie: string | HttpClient) => {
    const value = typeof cookie === 'string' ? cookie : cookie.cookie('ardesk.sid')!;
    const sid = decodeURIComponent(value).replace(/^s:/, '').split('.')[0]!;
    const row = await sql<{ expires_at: Date }>`select expires_at from web_sessions where sid = ${sid}`.execute(app.test.context.db);
    return row.rows[0]?.expires_at.getTime();
  };
  // Each answer is read to its end: the session is written down before the last byte is sent.
  const companyPage = async (http: HttpClient) => {
    const answer = await http.get(`/companies/${REALM}`, { headers: { accept: 'text/html' } });
    const html = await answer.text();
    return { status: answer.status, text: async () => html };
  };
  /** Signed in, or not: the API answers 401 to nobody. */
  const signedIn = async (http: HttpClient) => {
    const answer = await http.get('/api/realms', { headers: { accept: 'application/json' } });
    expect([200, 401]).toContain(answer.status);
    await answer.arrayBuffer();
    return answer.status === 200;
  };

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Session Supplies' }], env: { API_TOKEN: OPERATOR_TOKEN, SESSION_IDLE_MINUTES: '720', SESSION_MAX_DAYS: '14' } });
    now = Date.now();
    // Session lifetimes run on the real-time clock; the test moves it.
    (app.test.context.clock as { now: () => Date }).now = () => new Date(now);
  });
  afterAll(() => app.stop());

  it('stores no session for 250 anonymous or API-token requests', async () => {
    const before = await sessionRows();
    const requests: Array<() => Promise<Response>> = [
      () => fetch(`${app.web.url}/api/realms`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' } }),
      () => fetch(`${app.web.url}/api/realms/${REALM}/worklist`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' } }),
      () => fetch(`${app.web.url}/api/realms`, { headers: { accept: 'application/json' } }),
      () => fetch(`${app.web.url}/companies/${REALM}`, { redirect: 'manual' }),
      () => fetch(`${app.web.url}/launch`, { redirect: 'manual' }),
    ];
    for (let i = 0; i < 250; i++) {
      const answer = await requests[i % requests.length]!();
      expect(answer.headers.get('set-cookie')).toBeNull();
      await answer.arrayBuffer();
    }
    expect(await sessionRows()).toBe(before);
  });

  it('keeps one session per browser on the front page, however often it is opened', async () => {
    const before = await sessionRows();
    const http = new HttpClient(app.web.url);
    for (let i = 0; i < 5; i++) expect((await http.get('/')).status).toBe(200);
    expect(await sessionRows()).toBe(before + 1);
  });

  it('touches a signed-in session at most every few minutes, not on every request', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBe(303);
    const first = await expiryOf(http);
    now += MINUTE;
    expect((await companyPage(http)).status).toBe(200);
    now += MINUTE;
    expect((await companyPage(http)).status).toBe(200);
    expect(await expiryOf(http)).toBe(first);
    now += 10 * MINUTE;
    expect((await companyPage(http)).status).toBe(200);
    expect(await expiryOf(http)).toBe(now + 720 * MINUTE);
  });

  it('ends a session idle for longer than the idle limit', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBe(303);
    now += 11 * HOUR;
    expect(await signedIn(http)).toBe(true);
    now += 12 * HOUR + MINUTE;
    expect(await signedIn(http)).toBe(false);
    expect((await companyPage(http)).status).toBe(404);
  });

  it('ends a session 14 days after sign-in however busy it is', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBe(303);
    for (let hours = 0; hours < 14 * 24 - 6; hours += 6) {
      now += 6 * HOUR;
      expect(await signedIn(http)).toBe(true);
    }
    now += 6 * HOUR + MINUTE;
    expect(await signedIn(http)).toBe(false);
  });

  it('signs out with POST /logout (CSRF-checked): the session is gone and its cookie is worth nothing', async () => {
    const http = new HttpClient(app.web.url);
    expect((await connect(app, http, REALM)).status).toBe(303);
    const page = await (await companyPage(http)).text();
    expect(page).toContain('Sign out');
    const stolen = http.cookie('ardesk.sid')!;
    expect((await http.postForm('/logout', {}, { headers: { accept: 'text/html' } })).status).toBe(403);
    expect((await companyPage(http)).status).toBe(200);

    const out = await http.postForm('/logout', { _csrf: csrfTokenIn(page) });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect(http.cookie('ardesk.sid')).toBeUndefined();
    expect(await expiryOf(stolen)).toBeUndefined();
    const replay = await fetch(`${app.web.url}/api/realms`, { headers: { cookie: `ardesk.sid=${stolen}`, accept: 'application/json' } });
    expect(replay.status).toBe(401);
  });
});
