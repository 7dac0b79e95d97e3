import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';
import { createRepositories, type Repositories } from '../../src/app-context';
import { ALREADY_COLLECTING } from '../support/rows';

describe.each(ENGINES)('repositories on %s', (engine) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    repos = createRepositories(test.db);
  });
  afterAll(() => test.destroy());

  it('keeps companies apart: a user sees only the companies they are a member of', async () => {
    const alice = await repos.users.upsertByIntuitSub('sub-alice', { email: 'alice@a.test', name: 'Alice' });
    const bob = await repos.users.upsertByIntuitSub('sub-bob', { email: 'bob@b.test', name: 'Bob' });
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: '111', name: 'Acme Supply', status: 'connected', connected_at: new Date() });
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: '222', name: 'Bolt Fabrication', status: 'connected', connected_at: new Date() });
    await repos.companies.addMember('111', alice.id);
    await repos.companies.addMember('222', bob.id);
    await repos.companies.addMember('222', bob.id); // twice is harmless

    expect((await repos.companies.listForUser(alice.id)).map((c) => c.realm_id)).toEqual(['111']);
    expect(await repos.companies.findForUser('222', alice.id)).toBeUndefined();
    expect((await repos.companies.findForUser('222', bob.id))?.name).toBe('Bolt Fabrication');
  });

  it('updates a company on reconnect without creating a second one', async () => {
    await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: '333', name: 'Old Name', status: 'connected' });
    await repos.companies.setStatus('333', 'needs_reconnect', 'refresh token revoked');
    expect((await repos.companies.find('333'))?.status_reason).toBe('refresh token revoked');
    const updated = await repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: '333', name: 'New Name', status: 'connected', status_reason: null });
    expect(updated.name).toBe('New Name');
    expect(updated.status).toBe('connected');
    expect((await repos.companies.listByStatus('connected')).filter((c) => c.realm_id === '333')).toHaveLength(1);
  });

  it('stores sessions server-side, hides expired ones and prunes them', async () => {
    const now = new Date('2026-03-02T12:00:00Z');
    await repos.sessions.set('live', { userId: 'u1', cookie: {} }, new Date('2026-03-03T12:00:00Z'));
    await repos.sessions.set('stale', { userId: 'u2' }, new Date('2026-03-01T12:00:00Z'));
    expect(await repos.sessions.get('live', now)).toEqual({ userId: 'u1', cookie: {} });
    expect(await repos.sessions.get('stale', now)).toBeUndefined();
    await repos.sessions.set('live', { userId: 'u1', csrfToken: 't' }, new Date('2026-03-04T12:00:00Z'));
    expect(await repos.sessions.get('live', now)).toEqual({ userId: 'u1', csrfToken: 't' });
    expect(await repos.sessions.prune(now)).toBe(1);
    await repos.sessions.destroy('live');
    expect(await repos.sessions.get('live', now)).toBeUndefined();
  });
});
