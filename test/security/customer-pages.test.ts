import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const REALM = '9341610';
// Monday 2026-11-23, 10:00 in New York: inside the send window.
const NOW = '2026-11-23T15:00:00Z';
const XSS = '<script>alert("x")</script><img src=x onerror=alert(2)> "quoted" & more';

interface Queued {
  id: string;
  customer_id: string;
  kind: string;
  invoice_ids: string[];
}

/**
 * The customer's pages from the outside: a link opens only what its signed token names, a
 * changed or expired token opens nothing, another account's invoice is not found, the forms need
 * their CSRF token, and what a customer types is shown as text on its page and the collector's.
 */
describe('the customer pages and their links', () => {
  let app: ConnectedApp;
  let owner: HttpClient;
  let verification: Queued;
  let reminder: Queued;
  let other: Queued;

  const db = () => app.test.context.db;
  const linksOf = async (message: Queued) => (await app.test.context.services.letters.document(REALM, message.id)).data.links!;
  const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Quarry Tools', customers: 30, invoices: 160 }], env: { ARDESK_NOW: NOW, SEND_REVIEW_DEFAULT: 'off' } });
    owner = new HttpClient(app.web.url);
    expect((await connect(app, owner, REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    const queued = (await db().selectFrom('messages').select(['id', 'customer_id', 'kind', 'invoice_ids']).where('realm_id', '=', REALM).where('status', '=', 'queued').orderBy('id').execute()) as Queued[];
    verification = queued.find((m) => m.kind === 'verification')!;
    reminder = queued.find((m) => m.kind === 'reminder' && m.customer_id !== verification.customer_id)!;
    other = queued.find((m) => m.kind !== 'verification' && m.customer_id !== verification.customer_id && m.customer_id !== reminder.customer_id)!;
    expect([verification, reminder, other].every(Boolean)).toBe(true);
  });
  afterAll(() => app.stop());

  it('gives a verification letter both answers and a dunning message its statement, each a signed link', async () => {
    const links = await linksOf(verification);
    expect(links.inOrder).toMatch(new RegExp(`^${app.web.url}/c/answer/v1\\.[\\w-]+\\.[\\w-]+\\?answer=in_order$`));
    expect(links.problem).toMatch(/\?answer=problem$/);
    const rendered = await app.test.context.services.letters.copyOf(REALM, verification.id);
    // Each render signs its links afresh (a sent copy keeps the ones that went out).
    expect(rendered.text).toMatch(new RegExp(`Everything is in order: ${app.web.url}/c/answer/v1\\.[\\w-]+\\.[\\w-]+\\?answer=in_order\\n`));
    expect(rendered.html).toContain('There is a problem</a>');
    const dunning = await linksOf(reminder);
    expect(dunning.statement).toMatch(/\/c\/statement\/v1\./);
    expect(dunning.inOrder).toBeUndefined();
    expect((await app.test.context.services.letters.copyOf(REALM, reminder.id)).text).toMatch(new RegExp(`Your statement .*\\n${app.web.url}/c/statement/v1\\.`));
  });

  it('opens the answer page without signing in, and refuses a changed token, another page\'s token, or a bare guess', async () => {
    const customer = new HttpClient(app.web.url);
    const url = pathOf((await linksOf(verification)).inOrder!);
    const page = await customer.get(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Yes, everything is in order');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('cache-control')).toContain('no-store');

    const token = url.split('/')[3]!.split('?')[0]!;
    const [version, claims, signature] = token.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(claims, 'base64url').toString());
    const forgedClaims = Buffer.from(JSON.stringify({ ...decoded, c: other.customer_id, i: other.invoice_ids })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    for (const bad of [`${version}.${forgedClaims}.${signature}`, `${version}.${claims}.${flipped}`, `${version}.${claims}`, 'v1.e30.AAAA', 'x'.repeat(300)]) {
      const answer = await customer.get(`/c/answer/${bad}?answer=in_order`);
      expect(answer.status).toBe(404);
      expect(await answer.text()).toContain('This link is not valid');
    }
    // The answer link's token does not open the statement page, nor the other way round.
    expect((await customer.get(`/c/statement/${token}`)).status).toBe(404);
    const statementToken = pathOf((await linksOf(reminder)).statement).split('/')[3]!;
    expect((await customer.get(`/c/answer/${statementToken}`)).status).toBe(404);
  });

  it('refuses an expired link in plain words', async () => {
    const links = app.test.context.services.customerLinks;
    const past = new Date(app.test.context.clock.now().getTime() - 1000);
    const expired = links.url('statement', { realmId: REALM, customerId: reminder.customer_id, invoiceIds: [], expiresAt: past });
    const answer = await new HttpClient(app.web.url).get(pathOf(expired));
    expect(answer.status).toBe(410);
    expect(await answer.text()).toContain('This link has expired');
    const fresh = links.url('statement', { realmId: REALM, customerId: reminder.customer_id, invoiceIds: [], expiresAt: new Date(past.getTime() + 60_000) });
    expect((await new HttpClient(app.web.url).get(pathOf(fresh))).status).toBe(200);
  });

  it('shows the account\'s own open invoices only, and refuses another account\'s invoice PDF', async () => {
    const customer = new HttpClient(app.web.url);
    const url = pathOf((await linksOf(reminder)).statement);
    const html = await (await customer.get(url)).text();
    const members = await db().selectFrom('customer_accounts').select('customer_id').where('realm_id', '=', REALM).where('payer_id', '=', reminder.customer_id).execute();
    const memberIds = members.length ? members.map((m) => m.customer_id) : [reminder.customer_id];
    const open = await db().selectFrom('qbo_invoices').select(['id', 'doc_number', 'customer_id']).where('realm_id', '=', REALM).where('balance', '>', '0').execute();
    const shown = [...html.matchAll(/data-invoice="(\d+)"/g)].map((m) => m[1]);
    expect(shown.sort()).toEqual(open.filter((i) => memberIds.includes(i.customer_id)).map((i) => i.id).sort());
    expect(shown.length).toBeGreaterThan(0);
    // No collector's notes, levels or other customers on it.
    const notes = await db().selectFrom('qbo_customers').select(['notes', 'display_name']).where('realm_id', '=', REALM).where('id', '=', other.customer_id).executeTakeFirstOrThrow();
    expect(html).not.toContain(notes.display_name);
    expect(html).not.toMatch(/level \d/i);

    const own = await customer.get(`${url}/invoices/${shown[0]}/pdf`);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toContain('application/pdf');
    expect(Buffer.from(await own.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const foreign = open.find((i) => !memberIds.includes(i.customer_id))!;
    const refused = await customer.get(`${url}/invoices/${foreign.id}/pdf`);
    expect(refused.status).toBe(404);
    // A token naming one account and another account's invoices opens nothing either.
    const mixed = app.test.context.services.customerLinks.url('answer', { realmId: REALM, customerId: reminder.customer_id, invoiceIds: [foreign.id], expiresAt: new Date(app.test.context.clock.now().getTime() + 60_000) });
    expect((await customer.get(pathOf(mixed))).status).toBe(404);
  });

  it('needs the form\'s CSRF token to record an answer', async () => {
    const customer = new HttpClient(app.web.url);
    const url = pathOf((await linksOf(verification)).inOrder!).split('?')[0]!;
    await customer.get(`${url}?answer=in_order`);
    const refused = await customer.postForm(`${url}/in-order`, {}, { headers: { accept: 'text/html' } });
    expect(refused.status).toBe(403);
    const stranger = await new HttpClient(app.web.url).postForm(`${url}/problem`, { _csrf: 'guess', category: 'pricing', description: 'x' }, { headers: { accept: 'text/html' } });
    expect(stranger.status).toBe(403);
    expect(await db().selectFrom('customer_answers').selectAll().where('realm_id', '=', REALM).execute()).toEqual([]);
  });

  it('records "everything is in order" once, with its time, for the escalation file', async () => {
    const customer = new HttpClient(app.web.url);
    const url = pathOf((await linksOf(verification)).inOrder!);
    const token = csrfTokenIn(await (await customer.get(url)).text());
    const base = url.split('?')[0]!;
    for (let i = 0; i < 2; i++) expect((await customer.postForm(`${base}/in-order`, { _csrf: token })).status).toBe(303);
    const answers = await db().selectFrom('customer_answers').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', verification.customer_id).execute();
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ answer: 'in_order', message_id: verification.id, invoice_ids: verification.invoice_ids });
    expect(await (await customer.get(url)).text()).toContain('You confirmed on 2026-11-23 that everything is in order');
    const file = await (await owner.get(`/companies/${REALM}/customers/${verification.customer_id}/escalation`)).text();
    expect(file).toContain('confirmed on its page that everything is in order');
  });

  it('opens a dispute from "there is a problem", and shows the customer\'s text as text everywhere', async () => {
    const customer = new HttpClient(app.web.url);
    const url = pathOf((await linksOf(verification)).problem!);
    const base = url.split('?')[0]!;
    const token = csrfTokenIn(await (await customer.get(url)).text());
    // Refused without a category, keeping what was typed (escaped).
    const missing = await customer.postForm(`${base}/problem`, { _csrf: token, description: XSS });
    expect(missing.status).toBe(400);
    const again = await missing.text();
    expect(again).toContain('Choose what the problem is.');
    expect(again).not.toContain('<script>alert');
    expect(again).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');

    expect((await customer.postForm(`${base}/problem`, { _csrf: token, category: 'pricing', description: XSS })).status).toBe(303);
    const dispute = await db().selectFrom('disputes').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', verification.customer_id).executeTakeFirstOrThrow();
    expect(dispute).toMatchObject({ category: 'pricing', text: XSS.trim(), status: 'open', source: 'customer', invoice_ids: verification.invoice_ids });
    const task = await db().selectFrom('call_tasks').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', verification.customer_id).where('status', '=', 'open').executeTakeFirstOrThrow();
    expect(task.reasons).toContain('problem_reported');

    for (const page of [`/companies/${REALM}/disputes`, `/companies/${REALM}/activities`, `/companies/${REALM}/customers/${verification.customer_id}`]) {
      const html = await (await owner.get(page)).text();
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
    }
    expect(await (await owner.get(`/companies/${REALM}/disputes`)).text()).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const worklist = await (await owner.get(`/companies/${REALM}/worklist?flag=problem_reported`)).text();
    expect(worklist).toContain(`data-task="${task.id}"`);
    expect(worklist).toContain('Problem reported');

    // The note QuickBooks gets is plain text naming the category and the customer's words.
    await app.test.context.services.notes.writePending(REALM);
    const realm = app.sandbox.sandbox.realm(REALM)!;
    const note = [...realm.table('Attachable').values()].map((a) => String((a as { Note?: string }).Note ?? '')).find((n) => n.includes('reported a problem'));
    expect(note).toContain('dispute (pricing)');
    expect(note).toContain(XSS.trim());
  });

  it('a problem reported by a customer marked do not contact is recorded as a dispute, but opens no call task', async () => {
    const second = (await db().selectFrom('messages').select(['id', 'customer_id', 'kind', 'invoice_ids']).where('realm_id', '=', REALM).where('kind', '=', 'verification').where('customer_id', 'not in', [verification.customer_id, reminder.customer_id, other.customer_id]).orderBy('id').executeTakeFirstOrThrow()) as Queued;
    const url = pathOf((await linksOf(second)).problem!);
    await app.test.context.repos.doNotContact.mark(REALM, second.customer_id, { source: 'collector', reason: 'Asked us to write only through their lawyer', markedOn: '2026-11-20' });
    const customer = new HttpClient(app.web.url);
    const token = csrfTokenIn(await (await customer.get(url)).text());
    expect((await customer.postForm(`${url.split('?')[0]!}/problem`, { _csrf: token, category: 'quality', description: 'The second delivery was damaged' })).status).toBe(303);
    expect(await db().selectFrom('disputes').select(['category', 'text', 'source']).where('realm_id', '=', REALM).where('customer_id', '=', second.customer_id).execute()).toEqual([{ category: 'quality', text: 'The second delivery was damaged', source: 'customer' }]);
    expect(await db().selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('customer_id', '=', second.customer_id).where('status', '=', 'open').execute()).toEqual([]);
  });

  it('records a promise within the company\'s limit and up to what is owed, and refuses others in plain words', async () => {
    const customer = new HttpClient(app.web.url);
    const url = pathOf((await linksOf(reminder)).statement);
    const token = csrfTokenIn(await (await customer.get(url)).text());
    const late = await customer.postForm(`${url}/promise`, { _csrf: token, amount: '10.00', dueOn: '2026-12-24' });
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('The date must be within 30 days, by 2026-12-23');
    const much = await customer.postForm(`${url}/promise`, { _csrf: token, amount: '99999999.00', dueOn: '2026-12-01' });
    expect(much.status).toBe(400);
    expect(await much.text()).toContain('The amount is more than the account owes.');
    const word = await customer.postForm(`${url}/promise`, { _csrf: token, amount: 'soon', dueOn: '2026-12-01' });
    expect(await word.text()).toContain('The amount must be a number, like 125.50.');

    const done = await customer.postForm(`${url}/promise`, { _csrf: token, amount: '12.34', dueOn: '2026-12-01' });
    expect(done.status).toBe(303);
    // Sent twice (a double click): recorded once.
    expect((await customer.postForm(`${url}/promise`, { _csrf: token, amount: '12.34', dueOn: '2026-12-01' })).status).toBe(303);
    const promises = await db().selectFrom('promises').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', reminder.customer_id).execute();
    expect(promises).toHaveLength(1);
    const promise = promises[0]!;
    expect(promise).toMatchObject({ due_on: '2026-12-01', made_on: '2026-11-23', status: 'open', source: 'customer' });
    expect(Number(promise.amount)).toBe(12.34);
    const confirmation = await db().selectFrom('messages').select(['kind', 'status']).where('realm_id', '=', REALM).where('key', '=', `promise-confirmation:${promise.id}`).executeTakeFirst();
    expect(confirmation).toMatchObject({ kind: 'promise_confirmation', status: 'queued' });
    expect(await (await customer.get(`${url}?promised=1`)).text()).toContain('You will pay $12.34 by 2026-12-01');
    // The queued reminder now lists nothing the promise covers: it is not sent.
    expect((await app.test.context.services.messages.send(reminder.id)).status).toBe('cancelled');
  });
});

describe('the customer pages are rate-limited per address', () => {
  let app: ConnectedApp;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: '9341611', name: 'Tiny Tiles', customers: 3, invoices: 6 }], env: { CUSTOMER_PAGE_RATE_LIMIT: '5' } });
  });
  afterAll(() => app.stop());

  it('answers 429 with Retry-After past the limit, before any work, and leaves the collector\'s pages alone', async () => {
    const client = new HttpClient(app.web.url);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await client.get('/c/statement/v1.e30.AAAA')).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    const refused = await client.get('/c/answer/anything');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Too many requests');
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await client.get('/')).status).toBe(200);
  });
});
