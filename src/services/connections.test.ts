import { testEnv } from '../../test/support/env';
import { loadConfig } from '../config';
import { BadRequestError } from '../errors';
import type { JobQueues } from '../jobs/queues';
import { createLogger } from '../logger';
import { QuickBooksFault } from '../quickbooks/errors';
import { ConnectionsService, type ConnectionsDeps } from './connections';

const log = createLogger({ level: 'silent' });

/** A connection over fakes that write down what was done, in order. */
function connections(overrides: { revokeFails?: boolean; tokensOfAnotherCompany?: boolean } = {}) {
  const done: string[] = [];
  const queues = {
    schedule: async (id: string) => void done.push(`scheduled ${id}`),
    unschedule: async (_name: string, id: string) => void done.push(`unscheduled ${id}`),
    enqueue: async (name: string) => (done.push(`queued ${name}`), 'job'),
  } as unknown as JobQueues;
  const deps: ConnectionsDeps = {
    oauthStates: { issue: async () => undefined, consume: async () => undefined },
    oauth: {
      authorizeUrl: async (state) => `https://intuit.example/consent?state=${state}`,
      exchangeCode: async (url) => (done.push(`exchanged ${url}`), { accessToken: 'access', refreshToken: 'refresh', expiresIn: 3600, refreshExpiresIn: 8_640_000 }),
      revoke: async (token) => {
        done.push(`revoked ${token}`);
        if (overrides.revokeFails) throw new Error('Intuit is down');
      },
      userInfo: async () => ({ sub: 'sub-1', email: 'a@example.com', emailVerified: true }),
    },
    vault: {
      read: async () => ({ refreshToken: 'stored-refresh' }) as Awaited<ReturnType<ConnectionsDeps['vault']['read']>>,
      storeNew: async (realmId) => void done.push(`stored tokens of ${realmId}`),
      remove: async (realmId) => void done.push(`removed tokens of ${realmId}`),
    },
    client: {
      companyInfo: async () => ({}) as never,
      companyInfoWithToken: async (realmId) => {
        if (overrides.tokensOfAnotherCompany) throw new QuickBooksFault(403, '3100', 'ApplicationAuthorizationFailed', '', undefined, false);
        return { CompanyName: `Company ${realmId}` } as never;
      },
    },
    users: { upsertByIntuitSub: async (sub) => (done.push(`person ${sub}`), { id: 'u1' }) as never },
    companies: {
      find: async (realmId) => ({ realm_id: realmId, timezone: 'America/Chicago' }) as never,
      upsert: async (company) => (done.push(`company ${company.realm_id} ${company.status}`), company) as never,
      addMember: async (realmId, userId) => void done.push(`member ${userId} of ${realmId}`),
      setStatus: async (realmId, status) => void done.push(`${realmId} ${status}`),
      listForUser: async () => [],
    },
    queues,
    clock: { now: () => new Date('2026-03-02T15:00:00Z'), businessNow: () => new Date('2026-03-02T15:00:00Z') },
    syncPlan: { webhooks: false, pollMinutes: 60, windows: loadConfig(testEnv()).syncSchedule.windows },
    redirectUri: 'https://ardesk.example/callback',
    reviews: { setMode: async (realmId, mode) => void done.push(`review ${mode} for ${realmId}`) },
    sendReviewDefault: 'first_run',
  };
  return { service: new ConnectionsService(deps), done };
}

describe('a QuickBooks connection', () => {
  it('disconnects on the user\'s word even when Intuit refuses the revoke: tokens gone, company disconnected, jobs stopped', async () => {
    const { service, done } = connections({ revokeFails: true });
    await service.disconnect('r1', log);
    expect(done).toEqual(['revoked stored-refresh', 'removed tokens of r1', 'r1 disconnected', 'unscheduled sync:r1', 'unscheduled reconcile:r1', 'unscheduled cadence:r1']);
  });

  it('stores nothing, and revokes the new tokens, when they do not read the claimed company', async () => {
    const { service, done } = connections({ tokensOfAnotherCompany: true });
    await expect(service.connect({ code: 'c0de', state: 's'.repeat(16), realmId: 'r1', purpose: 'connect' }, log)).rejects.toThrow(BadRequestError);
    expect(done).toEqual([`exchanged https://ardesk.example/callback?code=c0de&state=${'s'.repeat(16)}&realmId=r1`, 'revoked refresh']);
  });

  it('connects a company whose tokens read it: person, company, tokens, membership, then its jobs', async () => {
    const { service, done } = connections();
    expect(await service.connect({ code: 'c0de', state: 's'.repeat(16), realmId: 'r1', purpose: 'connect' }, log)).toEqual({ userId: 'u1', user: { sub: 'sub-1', email: 'a@example.com', emailVerified: true } });
    expect(done.slice(1)).toEqual(['person sub-1', 'company r1 connected', 'stored tokens of r1', 'member u1 of r1', 'scheduled sync:r1', 'scheduled reconcile:r1', 'scheduled cadence:r1', 'queued sync.realm', 'queued mail.dispatch']);
  });
});
