import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscoveryDocument, DiscoveryError, discoveryUrl, INTUIT_DISCOVERY_URLS } from '../../src/quickbooks/discovery';
import { OAuthRequestError } from '../../src/quickbooks/errors';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { expireStoredAccessToken } from '../support/tokens';

const REALM = '9341452000000901';

interface Proxy {
  url: string;
  /** `METHOD /path` of every request it passed on. */
  seen: string[];
  stop(): Promise<void>;
}

/** A plain HTTP proxy in front of `target`, so a test can tell which address a client used. */
async function startProxy(target: string): Promise<Proxy> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${new URL(req.url!, 'http://proxy').pathname}`);
    const upstream = http.request(new URL(req.url!, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('Intuit\'s endpoints come from its discovery document', () => {
  let app: ConnectedApp;
  let proxy: Proxy;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Wayfinder Works' }] });
    // The sandbox's discovery document now names the proxy's address for every OAuth endpoint,
    // while QBO_LOCAL_URL (where the document is read, and the Accounting API) stays the sandbox.
    proxy = await startProxy(app.sandbox.url);
    app.sandbox.sandbox.publicUrl = proxy.url;
  });
  afterAll(async () => {
    await app.stop();
    await proxy.stop();
  });

  it('sends the browser, the code exchange and userinfo where the document says, and reads it once', async () => {
    expect(app.sandbox.sandbox.oauthRequests.discovery).toBe(0);
    const browser = new HttpClient(app.web.url);
    const start = await browser.get(`/connect?realmId=${REALM}`);
    expect(start.headers.get('location')).toMatch(new RegExp(`^${proxy.url}/connect/oauth2\\?`));
    expect((await connect(app, browser, REALM)).status).toBe(303);
    expect(proxy.seen).toEqual(expect.arrayContaining(['GET /connect/oauth2', 'POST /connect/oauth2', 'POST /oauth2/v1/tokens/bearer', 'GET /v1/openid_connect/userinfo']));
    expect(proxy.seen).not.toContain('GET /.well-known/openid_configuration');

    // A refresh and a revocation later, the document has still been read only once.
    app.sandbox.sandbox.oauth.expireAccessTokens(REALM);
    await expireStoredAccessToken(app.test.context, REALM);
    const before = proxy.seen.filter((line) => line === 'POST /oauth2/v1/tokens/bearer').length;
    await app.test.context.quickbooks.client.companyInfo(REALM);
    expect(proxy.seen.filter((line) => line === 'POST /oauth2/v1/tokens/bearer').length).toBe(before + 1);
    const page = await (await browser.get(`/companies/${REALM}`)).text();
    expect((await browser.postForm(`/companies/${REALM}/disconnect`, { _csrf: csrfTokenIn(page) })).status).toBe(303);
    expect(proxy.seen).toContain('POST /v2/oauth2/tokens/revoke');
    expect(app.sandbox.sandbox.oauthRequests.discovery).toBe(1);
  });

  it('never repeats a failed token request by itself: one request, failed at once, retryable by the caller', async () => {
    app.sandbox.sandbox.setKnobs({ tokenFailNext: 1 });
    const before = app.sandbox.sandbox.oauthRequests.token;
    const started = Date.now();
    const failure = await app.test.context.quickbooks.oauth.refresh('a-refresh-token').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(OAuthRequestError);
    expect(failure).toMatchObject({ oauthError: 'temporarily_unavailable', retryable: true });
    expect(Date.now() - started).toBeLessThan(900); // intuit-oauth's first retry would wait 1 s
    expect(app.sandbox.sandbox.oauthRequests.token).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(app.sandbox.sandbox.oauthRequests.token).toBe(before + 1);
  });
});

describe('the discovery document cache', () => {
  let server: http.Server;
  let url: string;
  let hits = 0;
  let answer: { status: number; body: unknown };
  const document = (base: string) => ({
    issuer: 'https://oauth.platform.intuit.com/op/v1',
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    revocation_endpoint: `${base}/revoke`,
    jwks_uri: `${base}/jwks`,
  });

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openid_configuration`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads Intuit\'s published documents for sandbox and production, and the emulator\'s for local', () => {
    expect(discoveryUrl({ environment: 'production' })).toBe('https://developer.api.intuit.com/.well-known/openid_configuration');
    expect(discoveryUrl({ environment: 'sandbox' })).toBe(INTUIT_DISCOVERY_URLS.sandbox);
    expect(INTUIT_DISCOVERY_URLS.sandbox).toBe('https://developer.api.intuit.com/.well-known/openid_sandbox_configuration');
    expect(discoveryUrl({ environment: 'local', localUrl: 'http://127.0.0.1:4010' })).toBe('http://127.0.0.1:4010/.well-known/openid_configuration');
  });

  it('fetches once for concurrent callers, keeps it a day, then keeps the last good one if Intuit fails', async () => {
    let now = 1_000_000;
    hits = 0;
    answer = { status: 200, body: document('https://one.example') };
    const discovery = new DiscoveryDocument(url, undefined, () => now);
    const first = await Promise.all(Array.from({ length: 5 }, () => discovery.endpoints()));
    expect(hits).toBe(1);
    expect(first[4]).toEqual({ authorize: 'https://one.example/authorize', token: 'https://one.example/token', revoke: 'https://one.example/revoke', userInfo: 'https://one.example/userinfo' });

    now += 23 * 3600 * 1000;
    answer = { status: 200, body: document('https://two.example') };
    expect((await discovery.endpoints()).token).toBe('https://one.example/token');
    expect(hits).toBe(1);

    now += 2 * 3600 * 1000;
    expect((await discovery.endpoints()).token).toBe('https://two.example/token');
    expect(hits).toBe(2);

    now += 25 * 3600 * 1000;
    answer = { status: 503, body: { error: 'down' } };
    expect((await discovery.endpoints()).token).toBe('https://two.example/token');
    expect(hits).toBe(3);
  });

  it('refuses a document it cannot use when it has none to fall back on', async () => {
    answer = { status: 503, body: {} };
    await expect(new DiscoveryDocument(url).endpoints()).rejects.toThrow(DiscoveryError);
    answer = { status: 200, body: { ...document('https://x.example'), token_endpoint: undefined } };
    await expect(new DiscoveryDocument(url).endpoints()).rejects.toThrow(/does not name the OAuth endpoints: token_endpoint/);
  });
});
