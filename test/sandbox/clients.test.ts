import OAuthClient from 'intuit-oauth';
import QuickBooks from 'node-quickbooks';
import { generateCompany } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';

/** The sandbox driven by the real clients Ardesk uses, exactly as they would talk to Intuit. */

const REALM = '9341452000000777';
const CLIENT = { clientId: 'ardesk-test-client', clientSecret: 'ardesk-test-secret' };
const REDIRECT = 'http://127.0.0.1:9/callback';

function oauthClientFor(running: RunningSandbox): OAuthClient {
  const client = new OAuthClient({ ...CLIENT, environment: 'sandbox', redirectUri: REDIRECT });
  // Configuration alone points intuit-oauth at the local sandbox.
  client.setAuthorizeURLs({
    authorizeEndpoint: `${running.url}/connect/oauth2`,
    tokenEndpoint: `${running.url}/oauth2/v1/tokens/bearer`,
    revokeEndpoint: `${running.url}/v2/oauth2/tokens/revoke`,
    userInfoEndpoint: `${running.url}/v1/openid_connect/userinfo`,
  });
  return client;
}

/** Follows the authorize URL through the consent screen, as a browser would, to the redirect. */
async function authorize(client: OAuthClient, state: string): Promise<string> {
  const uri = client.authorizeUri({ scope: [OAuthClient.scopes.Accounting, OAuthClient.scopes.OpenId, OAuthClient.scopes.Email], state });
  const consent = await fetch(uri, { redirect: 'manual' });
  expect(consent.status).toBe(200);
  const html = await consent.text();
  expect(html).toContain('Connect');
  expect(html).toContain('Client Test Co.');
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  const answer = await fetch(new URL('/connect/oauth2', uri), {
    method: 'POST',
    body: new URLSearchParams({ ...fields, realmId: REALM, decision: 'approve' }),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return answer.headers.get('location')!;
}

function qbo(running: RunningSandbox, accessToken: string): QuickBooks {
  const client = new QuickBooks(CLIENT.clientId, CLIENT.clientSecret, accessToken, false, REALM, true, false, '75', '2.0', null);
  (client as unknown as { endpoint: string }).endpoint = `${running.url}/v3/company/`;
  return client;
}

// node-quickbooks' typings describe its callbacks loosely; the assertions below check the shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function call<T>(fn: (callback: (error: unknown, body?: any) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, body) => (error ? reject(error) : resolve(body as T))));
}

describe('the sandbox with intuit-oauth', () => {
  let running: RunningSandbox;

  beforeAll(async () => {
    const sandbox = new Sandbox({ clients: [CLIENT] });
    loadSeed(sandbox, generateCompany({ realmId: REALM, customers: 30, invoices: 120, asOf: '2026-11-20', companyName: 'Client Test Co.' }));
    running = await startSandbox({ sandbox });
  });
  afterAll(() => running.stop());

  it('authorizes, creates tokens, refreshes with rotation, honours the old token for 24 h, and revokes', async () => {
    const client = oauthClientFor(running);
    const redirect = await authorize(client, 'state-123');
    expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=.+&state=state-123&realmId=9341452000000777$/);

    const created = await client.createToken(redirect);
    const first = created.getJson();
    expect(first).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8640000 });
    expect(client.getToken().realmId).toBe(REALM);
    expect(client.isAccessTokenValid()).toBe(true);

    const info = await client.getUserInfo();
    expect(info.getJson()).toMatchObject({ email: expect.stringContaining('@'), emailVerified: true });

    const refreshed = (await client.refresh()).getJson();
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.access_token).not.toBe(first.access_token);

    // The superseded refresh token still works within 24 hours of being replaced...
    const again = (await client.refreshUsingToken(first.refresh_token)).getJson();
    expect(again.refresh_token).not.toBe(refreshed.refresh_token);
    // ...and not after.
    running.sandbox.knobs.clockOffsetMs = 25 * 3600 * 1000;
    await expect(client.refreshUsingToken(first.refresh_token)).rejects.toMatchObject({ authResponse: { json: { error: 'invalid_grant' } } });
    const newest = (await client.refreshUsingToken(again.refresh_token)).getJson();
    running.sandbox.knobs.clockOffsetMs = 0;

    await client.revoke({ refresh_token: newest.refresh_token });
    await expect(client.refreshUsingToken(newest.refresh_token)).rejects.toMatchObject({ authResponse: { json: { error: 'invalid_grant' } } });
  });

  it('refuses a reused authorization code and revokes what the first exchange issued', async () => {
    const client = oauthClientFor(running);
    const redirect = await authorize(client, 'once');
    const tokens = (await client.createToken(redirect)).getJson();
    await expect(oauthClientFor(running).createToken(redirect)).rejects.toMatchObject({ authResponse: { json: { error: 'invalid_grant' } } });
    await expect(client.refreshUsingToken(tokens.refresh_token)).rejects.toMatchObject({ authResponse: { json: { error: 'invalid_grant' } } });
    const api = await fetch(`${running.url}/v3/company/${REALM}/companyinfo/1`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    expect(api.status).toBe(401);
  });

  it('refuses a wrong client secret', async () => {
    const client = new OAuthClient({ clientId: CLIENT.clientId, clientSecret: 'wrong', environment: 'sandbox', redirectUri: REDIRECT });
    client.setAuthorizeURLs({ authorizeEndpoint: `${running.url}/connect/oauth2`, tokenEndpoint: `${running.url}/oauth2/v1/tokens/bearer`, revokeEndpoint: `${running.url}/v2/oauth2/tokens/revoke`, userInfoEndpoint: `${running.url}/v1/openid_connect/userinfo` });
    const redirect = await authorize(oauthClientFor(running), 'bad-secret');
    await expect(client.createToken(redirect)).rejects.toMatchObject({ authResponse: { json: { error: 'invalid_client' } } });
  });
});

describe('the sandbox with node-quickbooks', () => {
  let running: RunningSandbox;
  let client: QuickBooks;

  beforeAll(async () => {
    const sandbox = new Sandbox({ clients: [CLIENT] });
    loadSeed(sandbox, generateCompany({ realmId: REALM, customers: 400, invoices: 2500, asOf: '2026-11-20', companyName: 'Client Test Co.' }));
    running = await startSandbox({ sandbox });
    client = qbo(running, sandbox.oauth.mintTokens(CLIENT.clientId, REALM).access_token);
  });
  afterAll(() => running.stop());

  it('finds with paging and fetchAll, and counts', async () => {
    const page = await call<{ QueryResponse: { Invoice: Array<{ Id: string }>; startPosition: number; maxResults: number } }>((cb) =>
      client.findInvoices([{ field: 'limit', value: 1000 }, { field: 'offset', value: 1001 }], cb),
    );
    expect(page.QueryResponse.startPosition).toBe(1001);
    expect(page.QueryResponse.maxResults).toBe(1000);
    const all = await call<{ QueryResponse: { Invoice: Array<{ Id: string }>; maxResults: number } }>((cb) => client.findInvoices({ fetchAll: true }, cb));
    expect(all.QueryResponse.Invoice).toHaveLength(2500);
    expect(new Set(all.QueryResponse.Invoice.map((i) => i.Id)).size).toBe(2500);
    const count = await call<{ QueryResponse: { totalCount: number } }>((cb) => client.findCustomers({ count: true }, cb));
    expect(count.QueryResponse.totalCount).toBe(running.sandbox.realm(REALM)!.query({ entity: 'Customer', count: true, fields: '*', where: [], orderBy: [], startPosition: 1, maxResults: 100 }).total);
  });

  it('reports changes through CDC, including deletions', async () => {
    const since = new Date(Date.now() - 1000);
    const customer = await call<{ Id: string }>((cb) => client.createCustomer({ DisplayName: 'CDC Test Customer', PrimaryEmailAddr: { Address: 'cdc@example.test' } }, cb));
    const invoice = await call<{ Id: string; SyncToken: string; Balance: number; DueDate: string }>((cb) =>
      client.createInvoice({ CustomerRef: { value: customer.Id }, Line: [{ Amount: 250, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1' } } }] }, cb),
    );
    expect(invoice.Balance).toBe(250);
    await call((cb) => client.deleteInvoice({ Id: invoice.Id, SyncToken: invoice.SyncToken }, cb));
    const changes = await call<{ CDCResponse: Array<{ QueryResponse: Array<Record<string, Array<{ Id: string; status?: string }>>> }> }>((cb) =>
      client.changeDataCapture(['Invoice', 'Customer'], since, cb),
    );
    const [invoices, customers] = changes.CDCResponse[0]!.QueryResponse;
    expect(invoices!.Invoice).toEqual([expect.objectContaining({ Id: invoice.Id, status: 'Deleted' })]);
    expect(customers!.Customer!.map((c) => c.Id)).toEqual([customer.Id]);
  });

  it('runs a batch with per-item faults', async () => {
    const customer = (await call<{ QueryResponse: { Customer: Array<{ Id: string; SyncToken: string }> } }>((cb) => client.findCustomers({ limit: 1 }, cb))).QueryResponse.Customer[0]!;
    const answer = await call<{ BatchItemResponse: Array<Record<string, unknown>> }>((cb) =>
      client.batch(
        [
          { bId: 'a', operation: 'update', Customer: { Id: customer.Id, SyncToken: '999', sparse: true, Notes: 'stale' } },
          { bId: 'b', operation: 'delete', Invoice: { Id: '999999', SyncToken: '0' } },
          { bId: 'c', Query: 'select * from Term' },
        ] as never,
        cb,
      ),
    );
    expect(answer.BatchItemResponse.map((item) => [item.bId, (item.Fault as { Error: Array<{ code: string }> } | undefined)?.Error[0]?.code ?? Object.keys(item).find((k) => k !== 'bId')])).toEqual([
      ['a', '5010'],
      ['b', '610'],
      ['c', 'QueryResponse'],
    ]);
  });

  it('creates an attachable note on an invoice and refuses a note on a missing one', async () => {
    const invoice = (await call<{ QueryResponse: { Invoice: Array<{ Id: string }> } }>((cb) => client.findInvoices({ limit: 1 }, cb))).QueryResponse.Invoice[0]!;
    const note = await call<{ Id: string; Note: string; AttachableRef: Array<{ EntityRef: { type: string; value: string } }> }>((cb) =>
      client.createAttachable({ Note: 'Ardesk 2026-11-20: friendly reminder emailed', AttachableRef: [{ EntityRef: { type: 'Invoice', value: invoice.Id } }] } as never, cb),
    );
    expect(note.AttachableRef[0]!.EntityRef).toEqual({ type: 'Invoice', value: invoice.Id });
    await expect(call((cb) => client.createAttachable({ Note: 'x', AttachableRef: [{ EntityRef: { type: 'Invoice', value: '999999' } }] } as never, cb))).rejects.toMatchObject({
      // A note on a deleted or missing invoice: 610, Object Not Found (issue #8).
      response: { status: 400, data: { Fault: { Error: [expect.objectContaining({ code: '610' })] } } },
    });
    const found = await call<{ QueryResponse: { Attachable: Array<{ Id: string }> } }>((cb) => client.findAttachables({ Id: note.Id }, cb));
    expect(found.QueryResponse.Attachable.map((a) => a.Id)).toEqual([note.Id]);
  });

  it('refuses an update with a stale SyncToken (5010) and accepts the current one', async () => {
    const customer = (await call<{ QueryResponse: { Customer: Array<{ Id: string; SyncToken: string }> } }>((cb) => client.findCustomers({ limit: 1 }, cb))).QueryResponse.Customer[0]!;
    const updated = await call<{ SyncToken: string; Notes: string }>((cb) => client.updateCustomer({ Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, Notes: 'first' }, cb));
    expect(updated.SyncToken).toBe(String(Number(customer.SyncToken) + 1));
    await expect(call((cb) => client.updateCustomer({ Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, Notes: 'second' }, cb))).rejects.toMatchObject({
      response: { status: 400, data: { Fault: { Error: [expect.objectContaining({ code: '5010' })] } } },
    });
  });

  it('moves invoice and customer balances with payments, and answers a requestid replay with the first result', async () => {
    const invoice = (await call<{ QueryResponse: { Invoice: Array<{ Id: string; Balance: number; CustomerRef: { value: string } }> } }>((cb) =>
      client.findInvoices([{ field: 'Balance', value: '100', operator: '>' }, { field: 'limit', value: 1 }], cb),
    )).QueryResponse.Invoice[0]!;
    const before = await call<{ Balance: number }>((cb) => client.getCustomer(invoice.CustomerRef.value, cb));
    const payment = { CustomerRef: { value: invoice.CustomerRef.value }, TotalAmt: 40, Line: [{ Amount: 40, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }], requestId: 'pay-once-1' };
    const first = await call<{ Id: string }>((cb) => client.createPayment({ ...payment }, cb));
    const replay = await call<{ Id: string }>((cb) => client.createPayment({ ...payment }, cb));
    expect(replay.Id).toBe(first.Id);
    const after = await call<{ Balance: number; LinkedTxn: Array<{ TxnId: string; TxnType: string }> }>((cb) => client.getInvoice(invoice.Id, cb));
    expect(after.Balance).toBeCloseTo(invoice.Balance - 40, 2);
    expect(after.LinkedTxn).toContainEqual({ TxnId: first.Id, TxnType: 'Payment' });
    expect((await call<{ Balance: number }>((cb) => client.getCustomer(invoice.CustomerRef.value, cb))).Balance).toBeCloseTo(before.Balance - 40, 2);
  });
});
