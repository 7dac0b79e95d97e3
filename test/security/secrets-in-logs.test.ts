import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { createLogger } from '../../src/logger';
import { CLIENT_SECRET, connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341801';
const NOW = '2026-11-23T15:00:00Z';
const API_TOKEN = 'operator-api-token-for-the-log-test-0123456789';
const VERIFIER = 'webhook-verifier-token-for-the-log-test';
const SESSION_SECRET = 'session-secret-for-the-log-test-0123456789abcdef';
const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/**
 * Everything the app logs at the most talkative level, through connect, sync, a token refresh, a
 * refused refresh, webhooks, the API, sending and notes, searched for every secret it handled.
 */
describe('secrets never reach the logs', () => {
  let app: ConnectedApp;
  let smtp: TestSmtp;
  const lines: string[] = [];
  const tokens = new Set<string>();

  beforeAll(async () => {
    const capture = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    smtp = await startSmtp();
    const env = { ARDESK_NOW: NOW, API_TOKEN, INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER, SESSION_SECRET, TOKEN_ENCRYPTION_KEY: KEY, SMTP_URL: smtp.url, LOG_LEVEL: 'trace' };
    // The logger the app itself would make from this configuration, writing to memory.
    const { loadConfig, secretsOf } = await import('../../src/config');
    const { testEnv } = await import('../support/env');
    const logger = createLogger({ level: 'trace', destination: capture, secrets: secretsOf(loadConfig(testEnv({ ...env, INTUIT_CLIENT_SECRET: CLIENT_SECRET }))) });
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Quiet Co', customers: 10, invoices: 40 }], env, logger });
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
  });

  const remember = async () => {
    const stored = await app.test.context.quickbooks.vault.read(REALM);
    if (stored) [stored.accessToken, stored.refreshToken].forEach((t) => tokens.add(t));
  };

  it('logs no token, key or secret through a whole day of work', async () => {
    const http = new HttpClient(app.web.url);
    await connect(app, http, REALM);
    await remember();
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);

    // A refresh (the access token has expired), with its new tokens remembered too.
    await sql`update company_tokens set access_expires_at = now() - interval '1 second' where realm_id = ${REALM}`.execute(app.test.context.db);
    app.sandbox.sandbox.oauth.expireAccessTokens(REALM);
    await app.test.context.sync.run(REALM, 'incremental');
    await remember();

    // Sending and notes.
    const queued = await app.test.context.db.selectFrom('messages').select('id').where('realm_id', '=', REALM).where('status', '=', 'queued').execute();
    for (const message of queued) await app.test.context.services.messages.send(message.id);
    await app.test.context.services.notes.writePending(REALM);

    // The API with the right and a wrong token; a form without CSRF; webhooks signed right and wrong.
    await fetch(`${app.web.url}/api/realms`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    await fetch(`${app.web.url}/api/realms`, { headers: { authorization: `Bearer ${API_TOKEN}x` } });
    await http.postForm(`/companies/${REALM}/sync`, {});
    await http.postForm(`/companies/${REALM}/sync`, { _csrf: csrfTokenIn(await (await http.get(`/companies/${REALM}`)).text()) });
    const body = JSON.stringify({ eventNotifications: [{ realmId: REALM, dataChangeEvent: { entities: [{ name: 'Invoice', id: '1', operation: 'Update', lastUpdated: '2026-11-23T15:00:00Z' }] } }] });
    const signature = createHmac('sha256', VERIFIER).update(body).digest('base64');
    await fetch(`${app.web.url}/webhooks/intuit`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'intuit-signature': signature } });
    await fetch(`${app.web.url}/webhooks/intuit`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'intuit-signature': 'forged' } });

    // Finally QuickBooks refuses the refresh: the fault path logs the most.
    app.sandbox.sandbox.oauth.revokeRealm(REALM);
    app.sandbox.sandbox.oauth.expireAccessTokens(REALM);
    await sql`update company_tokens set access_expires_at = now() - interval '1 second' where realm_id = ${REALM}`.execute(app.test.context.db);
    await app.test.context.sync.run(REALM, 'incremental').catch(() => undefined);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(15);
    expect(log).toContain('[redacted]'); // the scrubbing ran, so the search below means something
    expect(tokens.size).toBeGreaterThanOrEqual(3);
    const secrets = { CLIENT_SECRET, API_TOKEN, VERIFIER, SESSION_SECRET, KEY, KEY_BASE64: Buffer.from(KEY, 'hex').toString('base64'), ...Object.fromEntries([...tokens].map((t, i) => [`token ${i}`, t])) };
    for (const [name, value] of Object.entries(secrets)) expect({ name, found: log.includes(value) }).toEqual({ name, found: false });
  });
});
