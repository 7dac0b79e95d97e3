import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient, csrfTokenIn } from '../support/http';

const MINE = '9341452000000401';
const THEIRS = '9341452000000402';

describe('POST /disconnect', () => {
  let app: ConnectedApp;
  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: MINE, name: 'Mine Millwork' }, { realmId: THEIRS, name: 'Theirs Textiles' }] });
  });
  afterAll(() => app.stop());

  it('disconnects the signed-in person\'s company named in the form, with CSRF, and nobody else\'s', async () => {
    const me = new HttpClient(app.web.url);
    const them = new HttpClient(app.web.url);
    expect((await connect(app, me, MINE)).status).toBe(303);
    expect((await connect(app, them, THEIRS)).status).toBe(303);
    const token = csrfTokenIn(await (await me.get(`/companies/${MINE}`)).text());

    expect((await me.postForm('/disconnect', { realmId: MINE })).status).toBe(403);
    expect((await me.postForm('/disconnect', { _csrf: token, realmId: THEIRS })).status).toBe(404);
    expect((await app.test.context.repos.companies.find(THEIRS))!.status).toBe('connected');
    expect((await me.postForm('/disconnect', { _csrf: token, realmId: 'nope' })).status).toBe(400);
    expect((await new HttpClient(app.web.url).postForm('/disconnect', { realmId: MINE })).status).toBeGreaterThanOrEqual(400);

    const answer = await me.postForm('/disconnect', { _csrf: token, realmId: MINE });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/companies/${MINE}`);
    expect((await app.test.context.repos.companies.find(MINE))!.status).toBe('disconnected');
    expect(await app.test.context.quickbooks.vault.read(MINE)).toBeUndefined();
  });
});
