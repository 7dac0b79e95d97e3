import { sql } from 'kysely';
import type { SeedFile } from '../../src/sandbox/seed';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341901';
// Monday 2026-11-23, 10:00 in New York: inside the send window and the commercial call window.
const NOW = '2026-11-23T15:00:00Z';
const TODAY = '2026-11-23';
const TOKEN = 'operator-token-for-outcome-once-tests-0123456789';

type Row = Record<string, unknown>;

/** The customers with the most invoices lose every address QuickBooks has for them: their accounts need an email found. */
function withoutAddresses(seed: SeedFile): void {
  const invoices = seed.Invoice as Row[];
  const counts = new Map<string, number>();
  for (const invoice of invoices) {
    const id = (invoice.CustomerRef as { value: string }).value;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const stripped = new Set([...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([id]) => id));
  for (const customer of seed.Customer as Row[]) if (stripped.has(String(customer.Id))) delete customer.PrimaryEmailAddr;
  for (const invoice of invoices) {
    if (!stripped.has((invoice.CustomerRef as { value: string }).value)) continue;
    delete invoice.BillEmail;
    invoice.EmailStatus = 'NotSet';
  }
}

/**
 * An outcome is recorded once: a finished task or a form older than the task's last outcome is
 * refused (409) with what was recorded; the day's last outcome can be corrected, which takes back
 * what it did and leaves a correction note. A found address goes to the QuickBooks customer and
 * releases what was held for want of it; a promise never covers or confirms what QuickBooks
 * shows paid.
 */
describe('call outcomes a collector can trust', () => {
  let app: ConnectedApp;
  const db = () => app.test.context.db;
  const post = (taskId: string, body: unknown) =>
    fetch(`${app.web.url}/api/realms/${REALM}/tasks/${taskId}/outcome`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read the JSON answers field by field
  const json = async (response: Response) => (await response.json()) as Record<string, any>;
  const task = (id: string) => db().selectFrom('call_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const callsOf = (taskId: string) => db().selectFrom('activities').selectAll().where('realm_id', '=', REALM).where('kind', 'in', ['call', 'call_corrected']).where(sql<boolean>`details->>'taskId' = ${taskId}`).orderBy('created_at').execute();
  const customerInSandbox = (id: string) => app.sandbox.sandbox.realm(REALM)!.read('Customer', id) as Row;

  /** Open tasks whose account has an address and at least `min` overdue invoices. */
  const levelTasks = async (min: number) => {
    const rows = await db()
      .selectFrom('call_tasks as t')
      .innerJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 't.realm_id').onRef('c.id', '=', 't.customer_id'))
      .select(['t.id', 't.customer_id', 'c.email'])
      .where('t.realm_id', '=', REALM)
      .where('t.status', '=', 'open')
      .where('c.email', 'is not', null)
      .where('c.parent_id', 'is', null)
      .execute();
    const picked = [];
    for (const row of rows) {
      const overdue = await db().selectFrom('qbo_invoices').select(['id', 'balance']).where('realm_id', '=', REALM).where('customer_id', '=', row.customer_id).where('balance', '>', '0').where('due_date', '<', TODAY).execute();
      if (overdue.length >= min) picked.push({ ...row, overdue });
    }
    return picked;
  };
  const findEmailTasks = () => db().selectFrom('call_tasks').selectAll().where('realm_id', '=', REALM).where('status', '=', 'open').where(sql<boolean>`reasons ? 'find_email'`).execute();

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Once Supply', customers: 30, invoices: 150, edit: withoutAddresses }], env: { ARDESK_NOW: NOW, API_TOKEN: TOKEN } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses a stale form and a finished task with 409 and what was recorded, and corrects the day\'s last outcome', async () => {
    const [first] = await levelTasks(1);
    expect(first).toBeDefined();
    const noAnswer = await post(first!.id, { outcome: 'no_answer', lastOutcomeId: 'none' });
    expect(noAnswer.status).toBe(200);
    const { outcomeId } = await json(noAnswer);

    // The Back button: the form still says it saw no outcome; its promise is refused and nothing of it is kept.
    const stale = await post(first!.id, { outcome: 'promised', promise: { amount: 5000, dueOn: '2026-11-30' }, lastOutcomeId: 'none' });
    expect(stale.status).toBe(409);
    expect(await json(stale)).toMatchObject({ error: { code: 'outcome_conflict', details: { taskStatus: 'open', lastOutcome: { id: outcomeId, summary: 'called: no answer', on: TODAY, correctable: true } } } });
    const promisesOf = () => db().selectFrom('promises').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', first!.customer_id).execute();
    expect(await promisesOf()).toEqual([]);
    expect(await db().selectFrom('messages').select('id').where('realm_id', '=', REALM).where('customer_id', '=', first!.customer_id).where('kind', '=', 'promise_confirmation').execute()).toEqual([]);

    // A second tab opened before the no answer is refused the same way.
    expect((await post(first!.id, { outcome: 'voicemail', lastOutcomeId: 'none' })).status).toBe(409);

    // Correcting the no answer into the promise: the promise and its confirmation, one call on the record.
    const corrected = await post(first!.id, { outcome: 'promised', promise: { amount: 50, dueOn: '2026-11-30' }, corrects: outcomeId });
    expect(corrected.status).toBe(200);
    const correction = await json(corrected);
    expect(correction).toMatchObject({ taskStatus: 'done', messageQueued: true, corrected: { outcomeId, messageAlreadySent: false } });
    expect(await promisesOf()).toHaveLength(1);
    let calls = await callsOf(first!.id);
    expect(calls.map((c) => [c.kind, c.id === correction.outcomeId])).toEqual([['call_corrected', false], ['call', true]]);
    expect(calls[1]!.summary).toBe('correction: called: reached, promised to pay (recorded first as "called: no answer")');
    expect(calls[1]!.note_status).toBe('pending');

    // The task is done now: a plain recording is refused; a correction of the promise takes it back.
    expect((await post(first!.id, { outcome: 'no_answer' })).status).toBe(409);
    expect((await post(first!.id, { outcome: 'voicemail', corrects: outcomeId })).status).toBe(409);
    const back = await json(await post(first!.id, { outcome: 'voicemail', corrects: correction.outcomeId }));
    expect(back).toMatchObject({ taskStatus: 'open', corrected: { outcomeId: correction.outcomeId } });
    expect(await promisesOf()).toEqual([]);
    expect(await db().selectFrom('messages').select(['status']).where('realm_id', '=', REALM).where('customer_id', '=', first!.customer_id).where('kind', '=', 'promise_confirmation').execute()).toEqual([{ status: 'cancelled' }]);
    expect((await task(first!.id)).status).toBe('open');
    calls = await callsOf(first!.id);
    expect(calls.filter((c) => c.kind === 'call')).toHaveLength(1);

    // The corrections go to QuickBooks as notes, like any other call.
    await app.test.context.services.notes.writePending(REALM);
    const notes = [...app.sandbox.sandbox.realm(REALM)!.table('Attachable').values()].map((a) => String((a as Row).Note));
    expect(notes.some((note) => note.includes('correction: called: reached, promised to pay'))).toBe(true);
    expect(notes.some((note) => note.includes('correction: called: left a voicemail'))).toBe(true);

    // Only the same day's outcome can be corrected.
    await db().updateTable('activities').set({ occurred_on: '2026-11-20' }).where('id', '=', back.outcomeId).execute();
    const late = await post(first!.id, { outcome: 'no_answer', corrects: back.outcomeId });
    expect(late.status).toBe(409);
    expect((await json(late)).error.message).toContain('only an outcome recorded today');
  });

  it('writes a found email to the QuickBooks customer, releases the held message and takes find-email off the task', async () => {
    const tasks = await findEmailTasks();
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    const withLevel = tasks.find((t) => t.level > 0)!;
    expect(withLevel).toBeDefined();
    const requestsBefore = app.sandbox.sandbox.replays.size;

    const answer = await post(withLevel.id, { outcome: 'email_found', contact: { email: 'payables@found.test', name: 'Robin Payables', role: 'Accounts payable' }, lastOutcomeId: 'none' });
    expect(answer.status).toBe(200);
    expect(await json(answer)).toMatchObject({ customerEmail: { status: 'written' }, messageQueued: true });
    expect((customerInSandbox(withLevel.customer_id).PrimaryEmailAddr as { Address: string }).Address).toBe('payables@found.test');
    // Written with a requestid (QuickBooks remembers the answer under it).
    expect(app.sandbox.sandbox.replays.size).toBe(requestsBefore + 1);
    expect((await db().selectFrom('qbo_customers').select('email').where('realm_id', '=', REALM).where('id', '=', withLevel.customer_id).executeTakeFirstOrThrow()).email).toBe('payables@found.test');
    expect(await db().selectFrom('contacts').select(['name', 'email']).where('realm_id', '=', REALM).where('customer_id', '=', withLevel.customer_id).execute()).toEqual([{ name: 'Robin Payables', email: 'payables@found.test' }]);
    const released = await db().selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('customer_id', '=', withLevel.customer_id).execute();
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ to_address: 'payables@found.test', status: 'queued' });
    // An account of the back catalogue first seen at level 2 gets the overdue statement (SPEC §4 first sight).
    expect(['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice']).toContain(released[0]!.kind);
    expect(released[0]!.invoice_ids.length).toBeGreaterThan(0);
    expect((await task(withLevel.id)).reasons).not.toContain('find_email');

    // The next days' playbook finds the address: the account is not asked for one again.
    await app.test.context.services.cadence.runDay(REALM, '2026-11-24');
    await app.test.context.services.cadence.runDay(REALM, '2026-12-07');
    const again = await db().selectFrom('call_tasks').select('reasons').where('realm_id', '=', REALM).where('customer_id', '=', withLevel.customer_id).where('status', '=', 'open').execute();
    expect(again.flatMap((t) => t.reasons)).not.toContain('find_email');
  });

  it('after a wrong person with the new contact\'s email, the task does not come back for finding an email', async () => {
    const target = (await findEmailTasks())[0]!;
    const answer = await post(target.id, { outcome: 'wrong_person', contact: { name: 'Sam Owner', phone: '555-0100', email: 'sam@owner.test' } });
    expect(answer.status).toBe(200);
    expect(await json(answer)).toMatchObject({ customerEmail: { status: 'written' } });
    expect((customerInSandbox(target.customer_id).PrimaryEmailAddr as { Address: string }).Address).toBe('sam@owner.test');
    await app.test.context.services.cadence.runDay(REALM, '2026-12-08');
    await app.test.context.services.cadence.runDay(REALM, '2026-12-21');
    const open = await db().selectFrom('call_tasks').select('reasons').where('realm_id', '=', REALM).where('customer_id', '=', target.customer_id).where('status', '=', 'open').execute();
    expect(open.flatMap((t) => t.reasons)).not.toContain('find_email');
  });

  it('keeps a found email in Ardesk only when the company does not allow writes to customers', async () => {
    await app.test.context.services.settings.change(REALM, { writeCustomersToQuickBooks: false });
    const target = (await findEmailTasks())[0]!;
    const before = customerInSandbox(target.customer_id);
    const answer = await post(target.id, { outcome: 'email_found', contact: { email: 'kept@here.test' } });
    expect(await json(answer)).toMatchObject({ customerEmail: { status: 'not_allowed' } });
    expect(customerInSandbox(target.customer_id).SyncToken).toBe(before.SyncToken);
    expect(customerInSandbox(target.customer_id).PrimaryEmailAddr).toBeUndefined();
    expect(await db().selectFrom('contacts').select('email').where('realm_id', '=', REALM).where('customer_id', '=', target.customer_id).execute()).toEqual([{ email: 'kept@here.test' }]);
    await app.test.context.services.settings.change(REALM, { writeCustomersToQuickBooks: true });
  });

  it('never lets a promise cover or confirm an invoice QuickBooks shows paid today', async () => {
    const [account] = await levelTasks(2);
    expect(account).toBeDefined();
    const paid = account!.overdue[0]!;
    // Paid in QuickBooks this morning; Ardesk's copy has not synced it yet.
    app.sandbox.sandbox.realm(REALM)!.create('Payment', {
      CustomerRef: { value: account!.customer_id },
      TxnDate: TODAY,
      TotalAmt: Number(paid.balance),
      Line: [{ Amount: Number(paid.balance), LinkedTxn: [{ TxnId: paid.id, TxnType: 'Invoice' }] }],
    });
    const named = await post(account!.id, { outcome: 'promised', promise: { amount: 10, dueOn: '2026-12-01', invoiceIds: [paid.id] } });
    expect(named.status).toBe(400);
    expect((await json(named)).error.message).toContain(`invoice(s) ${paid.id} are paid in QuickBooks`);

    const promised = await json(await post(account!.id, { outcome: 'promised', promise: { amount: 10, dueOn: '2026-12-01' } }));
    const promise = await db().selectFrom('promises').selectAll().where('id', '=', promised.promiseIds[0]).executeTakeFirstOrThrow();
    expect(promise.invoice_ids).not.toContain(paid.id);
    expect(promise.invoice_ids.length).toBe(account!.overdue.length - 1);
    const confirmation = await db().selectFrom('messages').selectAll().where('key', '=', `promise-confirmation:${promise.id}`).executeTakeFirstOrThrow();
    expect(confirmation.invoice_ids).toEqual(promise.invoice_ids);
  });
});
