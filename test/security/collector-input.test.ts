import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { csrfTokenIn, HttpClient } from '../support/http';

const REALM = '9341881';
const TOKEN = 'operator-token-for-collector-input-tests-0123';
/** 10:00 in New York: the business day is 2026-11-23. */
const NOW = '2026-11-23T15:00:00Z';
const NUL = '\u0000';
const LONE = '\ud800';

/**
 * What a collector types is refused, with the field named, when the database could not hold it
 * (NUL, a lone surrogate) or when it is not what the field means: amounts are plain decimals
 * with at most 2 places, dates lie within a sane range. Nothing is changed by a refusal, and no
 * page repeats text from its address.
 */
describe('collector input', () => {
  let app: ConnectedApp;
  let http: HttpClient;
  let csrf: string;
  let taskId: string;
  let customerId: string;
  let disputeId: string;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Careful Input Co', customers: 15, invoices: 70 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    http = new HttpClient(app.web.url);
    await connect(app, http, REALM);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    const tasks = await app.test.context.db.selectFrom('call_tasks').select(['id', 'customer_id']).where('realm_id', '=', REALM).where('status', '=', 'open').where('reason', '=', 'level').execute();
    const other = tasks.find((t) => t.customer_id !== tasks[0]!.customer_id) ?? tasks[1]!;
    ({ disputeId } = (await app.test.context.services.callOutcomes.record(REALM, other.id, { outcome: 'disputes', dispute: { category: 'pricing', text: 'billed at list price' } })) as { disputeId: string });
    taskId = tasks[0]!.id;
    customerId = tasks[0]!.customer_id;
    csrf = csrfTokenIn(await (await http.get(`/companies/${REALM}/tasks/${taskId}`)).text());
  });
  afterAll(() => app.stop());

  /** Everything a refused request could have changed. */
  const state = async () => {
    const db = app.test.context.db;
    const count = async (table: 'promises' | 'disputes' | 'contacts' | 'activities' | 'pauses' | 'payment_plans') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('realm_id', '=', REALM).executeTakeFirstOrThrow()).n);
    const task = await db.selectFrom('call_tasks').select(['status', 'scheduled_for', 'outcome']).where('id', '=', taskId).executeTakeFirstOrThrow();
    const dispute = await db.selectFrom('disputes').select(['status', 'resolution']).where('id', '=', disputeId).executeTakeFirstOrThrow();
    return { task, dispute, ...Object.fromEntries(await Promise.all((['promises', 'disputes', 'contacts', 'activities', 'pauses', 'payment_plans'] as const).map(async (t) => [t, await count(t)]))) };
  };

  const api = (body: unknown) =>
    fetch(`${app.web.url}/api/realms/${REALM}/tasks/${taskId}/outcome`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  const form = (path: string, fields: Record<string, string>) => http.postForm(`/companies/${REALM}/${path}`, { _csrf: csrf, ...fields });
  /** A form route given a JSON body: the only way a browser-free client gets a lone surrogate to it. */
  const formJson = (path: string, fields: Record<string, unknown>) => http.postJson(`/companies/${REALM}/${path}`, { _csrf: csrf, ...fields }, { accept: 'text/html' });

  /** A refusal: 400, naming the field (the API's path, or a form's error beside its field). */
  const expectRefused = async (label: string, answer: Response, field: string) => {
    const text = await answer.text();
    expect({ label, status: answer.status, namesField: text.includes(field) }).toEqual({ label, status: 400, namesField: true });
  };

  it('refuses NUL and lone surrogates in every free-text field of the API, naming the field', async () => {
    const before = await state();
    for (const bad of [NUL, LONE]) {
      const cases: Array<[unknown, string]> = [
        [{ outcome: 'no_answer', notes: `rang twice${bad}` }, 'notes'],
        [{ outcome: 'disputes', dispute: { category: 'quality', text: `scratched${bad}` } }, 'dispute.text'],
        [{ outcome: 'wrong_person', contact: { name: `Dana${bad} Reyes` } }, 'contact.name'],
        [{ outcome: 'wrong_person', contact: { name: 'Dana Reyes', role: `AP${bad}` } }, 'contact.role'],
        [{ outcome: 'wrong_person', contact: { name: 'Dana Reyes', phone: `555${bad}0100` } }, 'contact.phone'],
        [{ outcome: 'promised', promise: { amount: 100, dueOn: '2026-12-01', invoiceIds: [`1${bad}`] } }, 'promise.invoiceIds'],
        [{ outcome: 'call_back', callBackOn: '2026-12-01', notes: bad }, 'notes'],
      ];
      for (const [body, field] of cases) await expectRefused(`${JSON.stringify(body)}`, await api(body), field);
      const template = await fetch(`${app.web.url}/api/realms/${REALM}/templates/reminder`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `Dear customer${bad}` }) });
      await expectRefused('template API', template, 'text');
    }
    expect(await state()).toEqual(before);
  });

  it('refuses them in the call form, the pause form and the dispute form, naming the field', async () => {
    const before = await state();
    await expectRefused('notes', await form(`tasks/${taskId}/outcome`, { outcome: 'no_answer', notes: `rang${NUL}` }), 'notes');
    await expectRefused('contact', await form(`tasks/${taskId}/outcome`, { outcome: 'wrong_person', contactName: `Dana${NUL}` }), 'id="contactName-error"');
    await expectRefused('dispute', await form(`tasks/${taskId}/outcome`, { outcome: 'disputes', disputeCategory: 'quality', disputeText: `scratched${NUL}` }), 'id="disputeText-error"');
    await expectRefused('pause reason', await form(`customers/${customerId}/pause`, { reason: `owner away${NUL}` }), 'reason');
    await expectRefused('resolution', await form(`disputes/${disputeId}/resolve`, { resolution: `credit${NUL} note` }), 'resolution');
    await expectRefused('notes (JSON)', await formJson(`tasks/${taskId}/outcome`, { outcome: 'no_answer', notes: `rang${LONE}` }), 'notes');
    await expectRefused('contact (JSON)', await formJson(`tasks/${taskId}/outcome`, { outcome: 'wrong_person', contactName: `Dana${LONE}` }), 'id="contactName-error"');
    await expectRefused('pause reason (JSON)', await formJson(`customers/${customerId}/pause`, { reason: `away${LONE}` }), 'reason');
    await expectRefused('resolution (JSON)', await formJson(`disputes/${disputeId}/resolve`, { resolution: `credit${LONE}` }), 'resolution');
    await expectRefused('template form', await form('templates/reminder', { subject: `Overdue${NUL}`, html: '<p>{{customer.name}}</p>', text: '{{customer.name}}' }), 'subject');
    await expectRefused('template form (JSON)', await formJson('templates/reminder', { subject: 'Overdue', html: `<p>${LONE}</p>`, text: 'x' }), 'html');
    expect(await state()).toEqual(before);
    expect(await app.test.context.db.selectFrom('template_overrides').selectAll().where('realm_id', '=', REALM).execute()).toEqual([]);
  });

  it('takes amounts only as plain decimals with at most 2 places', async () => {
    const before = await state();
    for (const amount of ['0x10', '1e3', ' 16 ', '16.005', '$16', '1,600', '16.', '.5', 'Infinity']) {
      await expectRefused(`promise ${JSON.stringify(amount)}`, await form(`tasks/${taskId}/outcome`, { outcome: 'promised', promiseAmount: amount, promiseDueOn: '2026-12-01' }), 'id="promiseAmount-error"');
      // In the plan's lines, spaces separate the date from the amount.
      if (amount.trim() === amount) await expectRefused(`plan ${JSON.stringify(amount)}`, await form(`tasks/${taskId}/outcome`, { outcome: 'cannot_pay', installments: `2026-12-01 ${amount}` }), 'id="installments-error"');
    }
    for (const amount of ['0x10', '16', 16.005, -16, 0]) await expectRefused(`API ${JSON.stringify(amount)}`, await api({ outcome: 'promised', promise: { amount, dueOn: '2026-12-01' } }), 'promise.amount');
    // More than cents is refused in plain words, never rounded.
    const tooFine = await api({ outcome: 'promised', promise: { amount: 12.345, dueOn: '2026-12-01' } });
    expect({ status: tooFine.status, body: await tooFine.json() }).toMatchObject({ status: 400, body: { error: { message: 'promise.amount: must have at most 2 decimals (whole cents), like 12.34' } } });
    expect(await state()).toEqual(before);
  });

  it('keeps an amount of 12.34 as 1234 cents: stored as 12.34, confirmed as $12.34, recorded as the collector gave it', async () => {
    const open = await app.test.context.db
      .selectFrom('call_tasks as t')
      .innerJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 't.realm_id').onRef('c.id', '=', 't.customer_id'))
      .select(['t.id', 't.customer_id'])
      .where('t.realm_id', '=', REALM)
      .where('t.status', '=', 'open')
      .where('t.customer_id', '!=', customerId)
      .where('c.email', 'is not', null)
      .executeTakeFirstOrThrow();
    const saved = await fetch(`${app.web.url}/api/realms/${REALM}/tasks/${open.id}/outcome`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'promised', promise: { amount: 12.34, dueOn: '2026-12-01' } }) });
    expect(saved.status).toBe(200);
    const { promiseIds } = (await saved.json()) as { promiseIds: string[] };
    const db = app.test.context.db;
    expect((await db.selectFrom('promises').select('amount').where('id', '=', promiseIds[0]!).executeTakeFirstOrThrow()).amount).toBe('12.34');
    const confirmation = await db.selectFrom('messages').select(['id', 'total']).where('realm_id', '=', REALM).where('key', '=', `promise-confirmation:${promiseIds[0]}`).executeTakeFirstOrThrow();
    expect(confirmation.total).toBe('12.34');
    const letter = await app.test.context.services.letters.document(REALM, confirmation.id);
    expect(letter.data.promise?.amount).toBe(1234);
    expect((await app.test.context.mail.templates.render(letter.kind, letter.data, letter.overrides)).subject).toBe('Confirming your payment of $12.34 by December 1, 2026');
    const call = await db.selectFrom('activities').select('details').where('realm_id', '=', REALM).where('kind', '=', 'call').where('customer_id', '=', open.customer_id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect((call.details as { promise: { amount: unknown } }).promise.amount).toBe(12.34);
  });

  it('keeps dates within a sane range: a call back within a year, promises and pauses likewise', async () => {
    const before = await state();
    await expectRefused('call back 9999', await form(`tasks/${taskId}/outcome`, { outcome: 'call_back', callBackOn: '9999-12-31' }), 'callBackOn');
    await expectRefused('call back in a year and a day', await api({ outcome: 'call_back', callBackOn: '2027-11-24' }), 'callBackOn');
    await expectRefused('promise 9999', await api({ outcome: 'promised', promise: { amount: 100, dueOn: '9999-12-31' } }), 'promise.dueOn');
    await expectRefused('promise in two years', await form(`tasks/${taskId}/outcome`, { outcome: 'promised', promiseAmount: '100', promiseDueOn: '2028-11-23' }), 'id="promiseDueOn-error"');
    await expectRefused('installment 9999', await api({ outcome: 'cannot_pay', plan: { installments: [{ dueOn: '2026-12-01', amount: 50 }, { dueOn: '9999-12-31', amount: 50 }] } }), 'plan.installments');
    await expectRefused('pause 9999', await form(`customers/${customerId}/pause`, { until: '9999-12-31' }), 'until');
    expect(await state()).toEqual(before);

    const callBack = await form(`tasks/${taskId}/outcome`, { outcome: 'call_back', callBackOn: '2027-11-23' });
    expect(callBack.status).toBe(303);
    expect((await state()).task).toMatchObject({ status: 'open', scheduled_for: '2027-11-23', outcome: 'call_back' });
  });

  it('echoes no text from the address: known notices only, keyed by a code', async () => {
    const attack = 'Your account is suspended. Call 555-0199 now';
    for (const path of [`tasks/${taskId}?done=${encodeURIComponent(attack)}`, `worklist?done=${encodeURIComponent(attack)}`, `customers/${customerId}?saved=${encodeURIComponent(attack)}`]) {
      const page = await http.get(`/companies/${REALM}/${path}`);
      expect({ path, status: page.status, echoed: (await page.text()).includes('Call 555-0199') }).toEqual({ path, status: 200, echoed: false });
    }

    const saved = await form(`tasks/${taskId}/outcome`, { outcome: 'promised', promiseAmount: '125.50', promiseDueOn: '2026-12-01' });
    expect(saved.status).toBe(303);
    const next = saved.headers.get('location')!;
    const name = (await app.test.context.db.selectFrom('qbo_customers').select('display_name').where('realm_id', '=', REALM).where('id', '=', customerId).executeTakeFirstOrThrow()).display_name;
    expect(decodeURIComponent(next)).not.toContain(name);
    const notice = await (await http.get(next)).text();
    expect(notice).toContain('Saved the call with');
    const promise = await app.test.context.db.selectFrom('promises').select('amount').where('realm_id', '=', REALM).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
    expect(Number(promise.amount)).toBe(125.5);

    const paused = await form(`customers/${customerId}/pause`, { until: '2026-12-15', reason: 'owner away' });
    expect(paused.status).toBe(303);
    expect(decodeURIComponent(paused.headers.get('location')!)).not.toContain('2026-12-15');
    expect(await (await http.get(paused.headers.get('location')!)).text()).toContain('Paused until 2026-12-15.');
  });
});
