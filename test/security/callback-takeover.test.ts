import { sql } from 'kysely';
import { QUEUES } from '../../src/jobs/names';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const VICTIM_REALM = '9341452000000301';
const ATTACKER_REALM = '9341452000000302';

/** Every job of every queue that mentions `realmId`, and every scheduler. */
async function jobsFor(app: ConnectedApp, realmId: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of QUEUES) {
    const queue = app.test.context.queues.queue(name);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized', 'completed', 'failed']);
    for (const job of jobs) if (JSON.stringify(job.data).includes(realmId)) found.push(`${name}:${job.id}`);
    for (const scheduler of await queue.getJobSchedulers()) if (JSON.stringify(scheduler).includes(realmId)) found.push(`${name}:scheduler:${scheduler.key}`);
  }
  return found.sort();
}

describe('the OAuth callback proves the tokens belong to the claimed company', () => {
  let app: ConnectedApp;

  beforeAll(async () => {
    // Two sandbox companies with different owners: each consent is given by that company's owner.
    app = await startConnectedApp({ realms: [{ realmId: VICTIM_REALM, name: 'Victim Vineyards' }, { realmId: ATTACKER_REALM, name: 'Mallory Metals' }] });
  });
  afterAll(() => app.stop());

  it('has two owners', () => {
    expect(app.sandbox.sandbox.userOf(VICTIM_REALM)!.sub).not.toBe(app.sandbox.sandbox.userOf(ATTACKER_REALM)!.sub);
  });

  it('refuses a callback whose realmId was edited to another company: 400, no membership, tokens untouched, no jobs', async () => {
    const victim = new HttpClient(app.web.url);
    expect((await connect(app, victim, VICTIM_REALM)).status).toBe(303);
    const victimTokens = await app.test.context.quickbooks.vault.read(VICTIM_REALM);
    const victimCompany = await app.test.context.repos.companies.find(VICTIM_REALM);
    const jobsBefore = await jobsFor(app, VICTIM_REALM);
    const usersBefore = await sql<{ n: number }>`select count(*)::int as n from users`.execute(app.test.context.db);
    const membersBefore = await sql<{ user_id: string }>`select user_id from company_members where realm_id = ${VICTIM_REALM} order by user_id`.execute(app.test.context.db);

    // The attacker approves their own company, then edits the callback's realmId to the victim's.
    const attacker = new HttpClient(app.web.url);
    const start = await attacker.get('/connect');
    const authorize = start.headers.get('location')!;
    const consent = await (await fetch(authorize)).text();
    const fields = Object.fromEntries([...consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
    const approved = await fetch(new URL('/connect/oauth2', authorize), { method: 'POST', body: new URLSearchParams({ ...fields, realmId: ATTACKER_REALM, decision: 'approve' }), redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    expect(callback.searchParams.get('realmId')).toBe(ATTACKER_REALM);
    callback.searchParams.set('realmId', VICTIM_REALM);
    const revokesBefore = app.sandbox.sandbox.oauth.counts.revoke;

    const answer = await attacker.get(callback.toString(), { headers: { accept: 'text/html' } });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('Nothing was changed');

    // No membership: the attacker sees nothing of the victim's company.
    expect((await attacker.get(`/companies/${VICTIM_REALM}`, { headers: { accept: 'text/html' } })).status).not.toBe(200);
    expect((await attacker.get(`/api/realms/${VICTIM_REALM}`, { headers: { accept: 'application/json' } })).status).toBe(401);
    const membersAfter = await sql<{ user_id: string }>`select user_id from company_members where realm_id = ${VICTIM_REALM} order by user_id`.execute(app.test.context.db);
    expect(membersAfter.rows).toEqual(membersBefore.rows);
    expect((await sql<{ n: number }>`select count(*)::int as n from users`.execute(app.test.context.db)).rows[0]!.n).toBe(usersBefore.rows[0]!.n);
    // The victim's tokens and company row are as they were, and still work.
    expect(await app.test.context.quickbooks.vault.read(VICTIM_REALM)).toEqual(victimTokens);
    expect(await app.test.context.repos.companies.find(VICTIM_REALM)).toEqual(victimCompany);
    expect((await app.test.context.quickbooks.client.companyInfo(VICTIM_REALM)).CompanyName).toBe('Victim Vineyards');
    // No job was queued or scheduled for either company by the refused callback.
    expect(await jobsFor(app, VICTIM_REALM)).toEqual(jobsBefore);
    expect(await jobsFor(app, ATTACKER_REALM)).toEqual([]);
    expect(await app.test.context.repos.companies.find(ATTACKER_REALM)).toBeUndefined();
    // The tokens issued for the attacker's consent are given back to Intuit.
    expect(app.sandbox.sandbox.oauth.counts.revoke).toBe(revokesBefore + 1);
  });

  it('still connects the company the consent was given for', async () => {
    const owner = new HttpClient(app.web.url);
    expect((await connect(app, owner, ATTACKER_REALM)).status).toBe(303);
    expect((await app.test.context.repos.companies.find(ATTACKER_REALM))!.name).toBe('Mallory Metals');
  });

  it('keeps the sandbox answering a token used on another company as Intuit does: 403, code 3100', async () => {
    const tokens = await app.test.context.quickbooks.vault.read(ATTACKER_REALM);
    const answer = await fetch(`${app.sandbox.url}/v3/company/${VICTIM_REALM}/companyinfo/${VICTIM_REALM}?minorversion=75`, { headers: { authorization: `Bearer ${tokens!.accessToken}`, accept: 'application/json' } });
    expect(answer.status).toBe(403);
    expect(JSON.stringify(await answer.json())).toContain('"code":"3100"');
  });
});
