import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9342001';
const TOKEN = 'operator-token-for-bad-input-tests-0123456789';
const NOW = '2026-11-23T15:00:00Z';

interface Case {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  /** The field the answer must name. */
  field: string;
}

/**
 * Every API route, given wrong types, missing fields and absurd values: a clear 4xx naming the
 * field, and nothing changed.
 */
describe('bad input on every API route', () => {
  let app: ConnectedApp;
  let taskId: string;

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Strict Co', customers: 12, invoices: 50 }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    await connect(app, new HttpClient(app.web.url), REALM);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    taskId = (await app.test.context.db.selectFrom('call_tasks').select('id').where('realm_id', '=', REALM).where('status', '=', 'open').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    await app.stop();
  });

  const call = (c: Case, raw?: string) =>
    fetch(`${app.web.url}${c.path}`, {
      method: c.method,
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
      body: raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body)),
    });

  /** What any of these requests could have changed. */
  const state = async () => {
    const db = app.test.context.db;
    const count = async (table: 'promises' | 'disputes' | 'contacts' | 'template_overrides' | 'playbook_settings' | 'messages' | 'activities' | 'call_tasks') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const task = await db.selectFrom('call_tasks').select(['status', 'scheduled_for', 'outcome']).where('id', '=', taskId).executeTakeFirstOrThrow();
    const syncJobs = (await app.test.context.queues.queue('sync').getJobs(['waiting', 'delayed', 'active'])).filter((j) => !String(j.id).startsWith('repeat:')).length;
    return { task, syncJobs, ...Object.fromEntries(await Promise.all((['promises', 'disputes', 'contacts', 'template_overrides', 'playbook_settings', 'messages', 'activities', 'call_tasks'] as const).map(async (t) => [t, await count(t)]))) };
  };

  it('answers 4xx naming the field, and changes nothing', async () => {
    const base = `/api/realms/${REALM}`;
    const outcome = `${base}/tasks/${taskId}/outcome`;
    const cases: Case[] = [
      { method: 'GET', path: `${base}/worklist?date=2026-02-30`, field: 'date' },
      { method: 'GET', path: `${base}/worklist?date=yesterday`, field: 'date' },
      { method: 'GET', path: `${base}/worklist?limit=0`, field: 'limit' },
      { method: 'GET', path: `${base}/worklist?limit=abc`, field: 'limit' },
      { method: 'GET', path: `${base}/worklist?offset=-1`, field: 'offset' },
      { method: 'GET', path: `${base}/worklist?level=7`, field: 'level' },
      { method: 'GET', path: `${base}/worklist?type=alien`, field: 'type' },
      { method: 'GET', path: `${base}/worklist?flag=vip`, field: 'flag' },
      { method: 'GET', path: `${base}/worklist?sort=name`, field: 'sort' },
      { method: 'POST', path: outcome, body: {}, field: 'outcome' },
      { method: 'POST', path: outcome, body: { outcome: 'shouted' }, field: 'outcome' },
      { method: 'POST', path: outcome, body: { outcome: 'promised' }, field: 'promise' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: '100', dueOn: '2026-12-01' } }, field: 'promise.amount' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: -5, dueOn: '2026-12-01' } }, field: 'promise.amount' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: 1e12, dueOn: '2026-12-01' } }, field: 'promise.amount' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: 10.001, dueOn: '2026-12-01' } }, field: 'promise.amount' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: 100, dueOn: '2026-13-45' } }, field: 'promise.dueOn' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: 100, dueOn: '2020-01-01' } }, field: 'promise.dueOn' },
      { method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: 100, dueOn: '2026-12-01', invoiceIds: ['999999'] } }, field: 'promise.invoiceIds' },
      { method: 'POST', path: outcome, body: { outcome: 'cannot_pay', plan: { installments: [] } }, field: 'plan.installments' },
      { method: 'POST', path: outcome, body: { outcome: 'disputes', dispute: { category: 'mood', text: 'x' } }, field: 'dispute.category' },
      { method: 'POST', path: outcome, body: { outcome: 'disputes', dispute: { category: 'quality', text: '' } }, field: 'dispute.text' },
      { method: 'POST', path: outcome, body: { outcome: 'wrong_person', contact: { name: 'A', email: 'not-an-email' } }, field: 'contact.email' },
      { method: 'POST', path: outcome, body: { outcome: 'call_back', callBackOn: 42 }, field: 'callBackOn' },
      { method: 'POST', path: outcome, body: { outcome: 'no_answer', notes: 'x'.repeat(2001) }, field: 'notes' },
      { method: 'POST', path: outcome, body: { outcome: 'no_answer', extra: true }, field: 'extra' },
      { method: 'PUT', path: `${base}/settings`, body: { levelDays: [3, 2, 1, 0] }, field: 'levelDays' },
      { method: 'PUT', path: `${base}/settings`, body: { timezone: 'Mars/Olympus' }, field: 'timezone' },
      { method: 'PUT', path: `${base}/settings`, body: { dunningGapDays: 'three' }, field: 'dunningGapDays' },
      { method: 'PUT', path: `${base}/settings`, body: { sendWindow: { days: [1], startHour: 17, endHour: 8 } }, field: 'sendWindow' },
      { method: 'PUT', path: `${base}/settings`, body: { aAccountShare: 5 }, field: 'aAccountShare' },
      { method: 'PUT', path: `${base}/settings`, body: { colour: 'blue' }, field: 'colour' },
      { method: 'GET', path: `${base}/results?from=2026-11-30&to=2026-11-01`, field: 'from' },
      { method: 'GET', path: `${base}/results?from=soon`, field: 'from' },
      { method: 'POST', path: `${base}/cadence/run?date=2026-02-31`, field: 'date' },
      { method: 'POST', path: `${base}/sync`, body: { mode: 'sometimes' }, field: 'mode' },
      { method: 'POST', path: `${base}/sync`, body: { mode: 'full', now: true }, field: 'now' },
      { method: 'GET', path: `${base}/activities?page=0`, field: 'page' },
      { method: 'GET', path: `${base}/activities?note=lost`, field: 'note' },
      { method: 'GET', path: `${base}/activities?customerId=<x>`, field: 'customerId' },
      { method: 'PUT', path: `${base}/templates/reminder`, body: { subject: 42 }, field: 'subject' },
      { method: 'PUT', path: `${base}/templates/reminder`, body: { html: '{{#if}}' }, field: 'html' },
      { method: 'PUT', path: `${base}/templates/reminder`, body: { text: 'x'.repeat(100_001) }, field: 'text' },
      { method: 'PUT', path: `${base}/templates/reminder`, body: { footer: 'x' }, field: 'footer' },
      { method: 'POST', path: `${base}/templates/reminder/preview`, body: { text: '{{> nowhere}}' }, field: 'text' },
    ];
    const before = await state();
    for (const c of cases) {
      const answer = await call(c);
      const body = (await answer.json().catch(() => ({}))) as { error?: { message?: string } };
      const message = String(body?.error?.message ?? '');
      expect({ case: `${c.method} ${c.path} ${JSON.stringify(c.body ?? '').slice(0, 80)}`, status: answer.status >= 400 && answer.status < 500, namesField: message.includes(c.field) }).toEqual({ case: `${c.method} ${c.path} ${JSON.stringify(c.body ?? '').slice(0, 80)}`, status: true, namesField: true });
    }
    // Bodies that are not JSON objects at all.
    for (const raw of ['not json', '[1,2,3]', '"text"', 'null']) {
      const answer = await call({ method: 'PUT', path: `${base}/settings`, field: '' }, raw);
      expect({ raw, status: answer.status }).toEqual({ raw, status: 400 });
    }
    expect(await state()).toEqual(before);
  });

  it('says what is wrong in words, not in zod\'s, and keeps the code and the fields', async () => {
    const base = `/api/realms/${REALM}`;
    const outcome = `${base}/tasks/${taskId}/outcome`;
    const answers: Array<[Case, string]> = [
      [{ method: 'PUT', path: `${base}/settings`, body: { dunningGapDays: 'three' }, field: 'dunningGapDays' }, 'dunningGapDays: must be a whole number of days'],
      [{ method: 'PUT', path: `${base}/settings`, body: { levelDays: [3, 2, 1, 0] }, field: 'levelDays' }, 'levelDays: each level must start later than the one before (e.g. 3, 13, 23, 45 days)'],
      [{ method: 'PUT', path: `${base}/settings`, body: { sendWindow: { days: [1], startHour: 17, endHour: 8 } }, field: 'sendWindow' }, 'sendWindow: the From hour must be before the To hour'],
      [{ method: 'PUT', path: `${base}/settings`, body: { colour: 'blue' }, field: 'colour' }, '(body): has a field we do not take: colour'],
      [{ method: 'POST', path: outcome, body: { outcome: 'promised', promise: { dueOn: '2026-12-01' } }, field: 'promise.amount' }, 'promise.amount: is required'],
      [{ method: 'POST', path: outcome, body: { outcome: 'promised', promise: { amount: 100, dueOn: '12/01/2026' } }, field: 'promise.dueOn' }, 'promise.dueOn: must be a date like 2026-12-01 (year-month-day)'],
      [{ method: 'POST', path: outcome, body: { outcome: 'disputes', dispute: { category: 'mood', text: 'x' } }, field: 'dispute.category' }, 'dispute.category: must be one of: pricing, not_received, quality, missing_po, billing_contact, other'],
      [{ method: 'POST', path: outcome, body: { outcome: 'shouted' }, field: 'outcome' }, 'outcome: must be one of: promised, cannot_pay, will_not_pay, disputes, wrong_person, email_found, no_answer, voicemail, call_back'],
      [{ method: 'POST', path: outcome, body: { outcome: 'cannot_pay', plan: { installments: [] } }, field: 'plan.installments' }, 'plan.installments: needs at least one'],
      [{ method: 'PUT', path: `${base}/templates/reminder`, body: { html: '<p>\n{{#if total}}\n' }, field: 'html' }, 'reminder html: The HTML part has a {{#…}} block that is never closed (still open at the end, line 3)'],
    ];
    for (const [c, message] of answers) {
      const answer = await call(c);
      const body = (await answer.json()) as { error: { code: string; message: string; details?: { fields?: Array<{ field: string; message: string }> } } };
      expect({ case: c.path + JSON.stringify(c.body), status: answer.status, message: body.error.message }).toEqual({ case: c.path + JSON.stringify(c.body), status: 400, message });
      if (body.error.code === 'invalid_input') expect(body.error.details?.fields?.[0]).toEqual({ field: message.split(': ')[0], message: message.slice(message.indexOf(': ') + 2) });
      expect(body.error.message).not.toMatch(/Invalid input|Invalid option|Invalid discriminator|Too small|Too big|Unrecognized key|expected number|Expecting '|OPEN_ENDBLOCK/);
    }
  });

  it('answers unknown ids with 404 and unknown templates with 404', async () => {
    expect((await call({ method: 'POST', path: `/api/realms/${REALM}/tasks/not-a-uuid/outcome`, body: { outcome: 'no_answer' }, field: '' })).status).toBe(404);
    expect((await call({ method: 'POST', path: `/api/realms/${REALM}/tasks/00000000-0000-4000-8000-000000000000/outcome`, body: { outcome: 'no_answer' }, field: '' })).status).toBe(404);
    expect((await call({ method: 'GET', path: `/api/realms/${REALM}/templates/love_letter`, field: '' })).status).toBe(404);
    expect((await call({ method: 'GET', path: '/api/realms/0000000/worklist', field: '' })).status).toBe(404);
  });
});
