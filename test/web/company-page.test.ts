import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const REALM = '9341904';
const NOW = '2026-11-23T15:00:00Z';

/** Issue 20: the company page tells how the first sync goes, in words, and acknowledges *Sync now*. */
describe('the company page while syncing', () => {
  let app: ConnectedApp;
  let http: HttpClient;
  const page = async (path = '') => (await http.get(`/companies/${REALM}${path}`)).text();

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Progress Paints', customers: 8, invoices: 30 }], env: { ARDESK_NOW: NOW } });
    http = new HttpClient(app.web.url);
    await connect(app, http, REALM);
  });
  afterAll(() => app.stop());

  it('refreshes itself while the first sync runs, and says what it is doing', async () => {
    const html = await page();
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain('The first sync is reading Progress Paints');
  });

  it('after the sync: what was read in words, a way to the work list, and no more refreshing', async () => {
    await app.test.context.sync.run(REALM, 'full');
    const html = await page();
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toMatch(/\d+ customers, \d+ invoices|\d+ invoices/);
    expect(html).not.toMatch(/Invoice \d+|CreditMemo/);
    expect(html).toContain(`href="/companies/${REALM}/worklist">Open the work list`);
  });

  it('acknowledges Sync now, and refreshes itself back to the plain page while the sync waits or runs', async () => {
    const answer = await http.postForm(`/companies/${REALM}/sync`, { _csrf: csrfTokenIn(await page()) });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/companies/${REALM}?sync=requested`);
    const html = await page('?sync=requested');
    expect(html).toContain('Sync requested.');
    // No worker runs here: the sync waits for one, and the page says so while it refreshes itself.
    expect(html).toContain('Sync asked for: waiting for a worker to start it');
    expect(html).toContain(`<meta http-equiv="refresh" content="2;url=/companies/${REALM}">`);
    expect(await page()).toContain(`<meta http-equiv="refresh" content="2;url=/companies/${REALM}">`);
  });
});
