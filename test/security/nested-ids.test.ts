import type { SeedFile } from '../../src/sandbox/seed';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const REALM = '9341991';
const OTHER = '9341992';
const NOW = '2026-11-23T15:00:00Z';

/** One bookkeeper owns both companies, so only the ids in the address keep them apart. */
const sameOwner = (seed: SeedFile) => {
  (seed as { owner?: unknown }).owner = { sub: 'one-bookkeeper-for-both', email: 'books@example.test' };
};

/**
 * Every id nested in an address belongs to the company (and the customer) the address names:
 * one of another customer or another company is answered 404, and nothing changes.
 */
describe('ids nested in addresses', () => {
  let app: ConnectedApp;
  let http: HttpClient;
  let csrf: string;
  /** Two customers of REALM with open call tasks. */
  let first: { id: string; taskId: string };
  let second: { id: string; taskId: string };

  beforeAll(async () => {
    app = await startConnectedApp({
      realms: [
        { realmId: REALM, name: 'Nested Ids Co', customers: 20, invoices: 80, edit: sameOwner },
        { realmId: OTHER, name: 'Sister Co', customers: 4, invoices: 8, edit: sameOwner },
      ],
      env: { ARDESK_NOW: NOW },
    });
    http = new HttpClient(app.web.url);
    await connect(app, http, REALM);
    await connect(app, http, OTHER);
    for (const realm of [REALM, OTHER]) {
      await app.test.context.sync.run(realm, 'full');
      await app.test.context.services.cadence.runDay(realm);
    }
    const tasks = await app.test.context.db.selectFrom('call_tasks').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('status', '=', 'open').where('reason', '=', 'level').execute();
    const firstTask = tasks[0]!;
    const children = new Set((await app.test.context.db.selectFrom('qbo_customers').select('id').where('realm_id', '=', REALM).where('parent_id', '=', firstTask.customer_id).execute()).map((c) => c.id));
    const secondTask = tasks.find((t) => t.customer_id !== firstTask.customer_id && !children.has(t.customer_id))!;
    first = { id: firstTask.customer_id, taskId: firstTask.id };
    second = { id: secondTask.customer_id, taskId: secondTask.id };
    csrf = csrfTokenIn(await (await http.get(`/companies/${OTHER}`)).text());
    // The same person sees both companies.
    expect((await http.get(`/companies/${REALM}/customers/${first.id}`)).status).toBe(200);
  });
  afterAll(() => app.stop());

  const db = () => app.test.context.db;
  const activitiesOf = (customerId: string, kind: string) => db().selectFrom('activities').select('summary').where('realm_id', '=', REALM).where('customer_id', '=', customerId).where('kind', '=', kind).execute();

  it('ends a pause only through the address of its own customer and company', async () => {
    const paused = await http.postForm(`/companies/${REALM}/customers/${first.id}/pause`, { _csrf: csrf, until: '2026-12-15', reason: 'owner away' });
    expect(paused.status).toBe(303);
    const pause = await db().selectFrom('pauses').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', first.id).executeTakeFirstOrThrow();

    const throughOtherCustomer = await http.postForm(`/companies/${REALM}/customers/${second.id}/pauses/${pause.id}/end`, { _csrf: csrf });
    expect(throughOtherCustomer.status).toBe(404);
    const throughOtherCompany = await http.postForm(`/companies/${OTHER}/customers/${first.id}/pauses/${pause.id}/end`, { _csrf: csrf });
    expect(throughOtherCompany.status).toBe(404);
    expect(await db().selectFrom('pauses').selectAll().where('id', '=', pause.id).executeTakeFirst()).toEqual(pause);
    expect(await activitiesOf(second.id, 'pause_ended')).toEqual([]);
    expect(await activitiesOf(first.id, 'pause_ended')).toEqual([]);

    const own = await http.postForm(`/companies/${REALM}/customers/${first.id}/pauses/${pause.id}/end`, { _csrf: csrf });
    expect(own.status).toBe(303);
    expect(await db().selectFrom('pauses').selectAll().where('id', '=', pause.id).executeTakeFirst()).toBeUndefined();
    expect(await activitiesOf(first.id, 'pause_ended')).toEqual([{ summary: 'automatic collection resumed' }]);
    expect(await activitiesOf(second.id, 'pause_ended')).toEqual([]);
  });

  it('keeps call tasks to their company, on pages and in the API', async () => {
    const before = await db().selectFrom('call_tasks').selectAll().where('id', '=', first.taskId).executeTakeFirstOrThrow();
    expect((await http.get(`/companies/${OTHER}/tasks/${first.taskId}`)).status).toBe(404);
    expect((await http.postForm(`/companies/${OTHER}/tasks/${first.taskId}/outcome`, { _csrf: csrf, outcome: 'no_answer' })).status).toBe(404);
    expect((await http.postJson(`/api/realms/${OTHER}/tasks/${first.taskId}/outcome`, { outcome: 'no_answer' }, { 'x-csrf-token': csrf })).status).toBe(404);
    expect(await db().selectFrom('call_tasks').selectAll().where('id', '=', first.taskId).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('keeps disputes, invoices and messages to their company', async () => {
    const { disputeId } = await app.test.context.services.callOutcomes.record(REALM, second.taskId, { outcome: 'disputes', dispute: { category: 'pricing', text: 'billed at list price' } });
    expect((await http.postForm(`/companies/${OTHER}/disputes/${disputeId}/resolve`, { _csrf: csrf, resolution: 'credit note' })).status).toBe(404);
    expect(await db().selectFrom('disputes').select(['status', 'resolution']).where('id', '=', disputeId!).executeTakeFirstOrThrow()).toEqual({ status: 'open', resolution: null });

    // An invoice only REALM has (OTHER's ids stop lower).
    const invoice = (await db().selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).execute()).map((i) => i.id).sort((a, b) => Number(b) - Number(a))[0]!;
    expect(await db().selectFrom('qbo_invoices').select('id').where('realm_id', '=', OTHER).where('id', '=', invoice).executeTakeFirst()).toBeUndefined();
    expect((await http.get(`/companies/${REALM}/invoices/${invoice}`)).status).toBe(200);
    expect((await http.get(`/companies/${OTHER}/invoices/${invoice}`)).status).toBe(404);

    const message = await db().selectFrom('messages').select('id').where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    expect((await http.get(`/companies/${REALM}/outbox/${message.id}`)).status).toBe(200);
    expect((await http.get(`/companies/${OTHER}/outbox/${message.id}`)).status).toBe(404);
  });

  it('takes promises, plans and disputes only on invoices of the task\'s own customer', async () => {
    const invoiceOfSecond = (await db().selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).where('customer_id', '=', second.id).where('balance', '>', '0').executeTakeFirstOrThrow()).id;
    const before = await db().selectFrom('promises').select('id').where('realm_id', '=', REALM).execute();
    for (const body of [
      { outcome: 'promised', promise: { amount: 10, dueOn: '2026-12-01', invoiceIds: [invoiceOfSecond] } },
      { outcome: 'cannot_pay', plan: { installments: [{ dueOn: '2026-12-01', amount: 10 }], invoiceIds: [invoiceOfSecond] } },
      { outcome: 'disputes', dispute: { category: 'quality', text: 'scratched', invoiceIds: [invoiceOfSecond] } },
    ]) {
      const answer = await http.postJson(`/api/realms/${REALM}/tasks/${first.taskId}/outcome`, body, { 'x-csrf-token': csrf });
      expect({ body: body.outcome, status: answer.status }).toEqual({ body: body.outcome, status: 400 });
      expect(((await answer.json()) as { error: { message: string } }).error.message).toContain('invoiceIds');
    }
    expect(await db().selectFrom('promises').select('id').where('realm_id', '=', REALM).execute()).toEqual(before);
  });
});
