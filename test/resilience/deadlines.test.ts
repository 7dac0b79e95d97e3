import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { DEFAULT_DEADLINE_MS } from '../../src/quickbooks/deadline';
import { OAuthRequestError, QuickBooksFault } from '../../src/quickbooks/errors';
import { IntuitOAuth } from '../../src/quickbooks/oauth';
import { DiscoveryDocument } from '../../src/quickbooks/discovery';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { testEnv } from '../support/env';
import { HttpClient } from '../support/http';

const REALM = '9342301';
const DEADLINE_MS = 300;

/** A server that accepts connections and never answers: Intuit's OAuth server on a bad day. */
async function silentServer(): Promise<{ url: string; accepted: () => number; closed: () => number; stop(): Promise<void> }> {
  let accepted = 0;
  let closed = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume(); // read (and ignore) the request, so a hang-up is seen
    socket.on('close', () => {
      closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    closed: () => closed,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A QuickBooks that holds a request open must not hold Ardesk: every request, whichever library
 * sends it, is abandoned at the deadline (60 s; here the knob at 300 ms), its socket closed, and
 * the timeout is a retryable fault logged with the request.
 */
describe('deadlines on QuickBooks and Intuit OAuth requests', () => {
  let app: ConnectedApp;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Held Open Co', customers: 12, invoices: 30 }],
      env: { INTUIT_REQUEST_TIMEOUT_MS: String(DEADLINE_MS) },
      logger: createLogger({ level: 'warn', destination }),
    });
    await connect(app, new HttpClient(app.web.url), REALM);
  });
  afterAll(async () => {
    app.sandbox.sandbox.knobs.hangNext = 0;
    await app.stop();
  });
  beforeEach(() => {
    app.sandbox.sandbox.knobs.hangNext = 0;
    lines.length = 0;
  });

  it('gives every request 60 s unless configured otherwise', () => {
    expect(DEFAULT_DEADLINE_MS).toBe(60_000);
    expect(loadConfig(testEnv()).intuit.requestTimeoutMs).toBe(60_000);
    expect(loadConfig(testEnv({ INTUIT_REQUEST_TIMEOUT_MS: '300' })).intuit.requestTimeoutMs).toBe(300);
    expect(() => loadConfig(testEnv({ INTUIT_REQUEST_TIMEOUT_MS: '600000' }))).toThrow(/INTUIT_REQUEST_TIMEOUT_MS must be at most 120000/);
  });

  it('abandons a node-quickbooks query held open at the deadline, logs it with the query, and retries it', async () => {
    const sandbox = app.sandbox.sandbox;
    const from = sandbox.requestLog.length;
    sandbox.knobs.hangNext = 1;
    const started = Date.now();
    const page = await app.test.context.quickbooks.client.query(REALM, 'Customer', 'WHERE Active IN (true, false) ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000');
    const ms = Date.now() - started;
    expect(page.rows).toHaveLength(12);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(ms).toBeLessThan(5_000);
    // The held request ended because Ardesk hung up on it at the deadline, not because it was answered.
    const [held, answered] = sandbox.requestLog.slice(from);
    expect(held).toMatchObject({ kind: 'query', status: 0, detail: 'held open' });
    expect(held!.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(held!.ms).toBeLessThan(DEADLINE_MS + 1_000);
    expect(answered).toMatchObject({ kind: 'query', status: 200 });
    const logged = lines.find((line) => line.code === 'timeout');
    expect(logged).toMatchObject({ realmId: REALM, kind: 'query', msg: 'QuickBooks did not answer in time; retrying' });
    expect(String(logged!.request)).toContain('SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id');
  });

  it('abandons a raw request (fetch) held open the same way', async () => {
    app.sandbox.sandbox.knobs.hangNext = 1;
    const info = await app.test.context.quickbooks.client.companyInfo(REALM);
    expect(info.CompanyName).toBe('Held Open Co');
    expect(lines.find((line) => line.code === 'timeout')).toMatchObject({ request: `GET companyinfo/${REALM}` });
  });

  it('fails a sync that QuickBooks never answers within seconds, as a retryable fault with the reason in last_error', async () => {
    app.sandbox.sandbox.knobs.hangNext = 1_000;
    const started = Date.now();
    const failure = await app.test.context.sync.run(REALM, 'full').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failure).toBeInstanceOf(QuickBooksFault);
    expect(failure).toMatchObject({ code: 'qbo_timeout', retryable: true, message: 'QuickBooks did not answer within 300 ms' });
    const state = await app.test.context.repos.syncState.get(REALM);
    expect(state?.last_error).toBe('QuickBooks did not answer within 300 ms');
    const faults = lines.filter((line) => line.msg === 'QuickBooks fault' && line.code === 'timeout');
    expect(faults.map((line) => String(line.request)).join('\n')).toMatch(/SELECT (\*|COUNT\(\*\)) FROM/);
  });

  it('abandons every Intuit OAuth request (intuit-oauth and fetch) at the deadline as a retryable failure', async () => {
    const silent = await silentServer();
    // The discovery document answers, and names the silent server for every endpoint.
    const base = silent.url;
    const discovery = http.createServer((_req, res) => res.end(JSON.stringify({ issuer: 'x', authorization_endpoint: `${base}/a`, token_endpoint: `${base}/t`, userinfo_endpoint: `${base}/u`, revocation_endpoint: `${base}/r` })));
    await new Promise<void>((resolve) => discovery.listen(0, '127.0.0.1', resolve));
    try {
      const config = loadConfig(testEnv({ QBO_LOCAL_URL: silent.url, INTUIT_REQUEST_TIMEOUT_MS: String(DEADLINE_MS) }));
      const documentUrl = `http://127.0.0.1:${(discovery.address() as net.AddressInfo).port}/.well-known/openid_configuration`;
      const oauth = new IntuitOAuth(config.intuit, createLogger({ level: 'silent' }), new DiscoveryDocument(documentUrl));
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['code exchange', () => oauth.exchangeCode(`${config.intuit.redirectUri}?code=abc&state=s&realmId=${REALM}`)],
        ['token refresh', () => oauth.refresh('a-refresh-token')],
        ['token revocation', () => oauth.revoke('a-refresh-token')],
        ['userinfo request', () => oauth.userInfo('an-access-token')],
      ];
      for (const [request, call] of calls) {
        const started = Date.now();
        const failure = await call().then(
          () => undefined,
          (error: unknown) => error,
        );
        const ms = Date.now() - started;
        expect(failure).toBeInstanceOf(OAuthRequestError);
        expect(failure).toMatchObject({ oauthError: 'timeout', retryable: true, message: `Intuit's OAuth server did not answer the ${request} within 300 ms` });
        expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS);
        expect(ms).toBeLessThan(2_000);
      }
      // Each abandoned request's connection was closed, not left open.
      expect(silent.accepted()).toBeGreaterThanOrEqual(calls.length);
      const deadline = Date.now() + 10_000;
      while (silent.closed() < silent.accepted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(silent.closed()).toBe(silent.accepted());
    } finally {
      discovery.close();
      await silent.stop();
    }
  });
});
