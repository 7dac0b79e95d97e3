import { createRepositories } from '../../src/app-context';
import { recordActions } from '../../src/db/cadence-recorder';
import type { Action } from '../../src/collections/model';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '601';
const seen = (invoiceId: string, to: 0 | 1 | 2 = 1): Action[] => [{ type: 'first_seen', invoiceId }, ...(to ? [{ type: 'level_change' as const, invoiceId, customerId: 'c1', from: 0 as const, to }] : [])];

/** The first sight of invoices skips what is recorded by itself (not by `on conflict`): once, whatever comes again. */
describe.each(ENGINES)('the first sight of invoices on %s', (engine) => {
  let test: TestDatabase;
  const record = (day: string, actions: Action[]) => test.db.transaction().execute((trx) => recordActions(trx, REALM, day, actions));
  const rows = async () => ({
    states: (await test.db.selectFrom('invoice_states').select(['invoice_id', 'level', 'first_seen_on']).where('realm_id', '=', REALM).orderBy('invoice_id').execute()).map((s) => [s.invoice_id, s.level, String(s.first_seen_on)]),
    activities: (await test.db.selectFrom('activities').select('key').where('realm_id', '=', REALM).orderBy('key').execute()).map((a) => a.key),
  });

  beforeAll(async () => {
    test = await createTestDatabase(engine);
    await createRepositories(test.db).companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'First Sight Co', status: 'connected', connected_at: new Date('2026-01-01T12:00:00Z') });
  });
  afterAll(() => test.destroy());

  it('records each state once, one activity per customer and level, in any order; a paid invoice seen again enters its level again', async () => {
    expect(await record('2026-03-02', [...seen('i3', 2), ...seen('i1'), ...seen('i2', 0)])).toEqual({ first_seen: 3, level_change: 2 });
    expect(await record('2026-03-02', [...seen('i1'), ...seen('i3', 2), ...seen('i2', 0)])).toEqual({});
    const first = await rows();
    expect(first.activities).toEqual(['entered:c1:1:2026-03-02', 'entered:c1:2:2026-03-02']);
    expect(first.states.map(([id, level]) => [id, level])).toEqual([['i1', 1], ['i2', 0], ['i3', 2]]);

    // Paid: its state goes. A payment undone brings it back at the same level: a new state, and the day it entered again.
    expect(await record('2026-03-03', [{ type: 'cancel_pending', invoiceId: 'i1', customerId: 'c1' }])).toEqual({ cancel_pending: 1 });
    expect(await record('2026-03-04', seen('i1'))).toEqual({ first_seen: 1, level_change: 1 });
    const again = await rows();
    expect(again.activities).toEqual(['entered:c1:1:2026-03-02', 'entered:c1:1:2026-03-04', 'entered:c1:2:2026-03-02', 'paid:i1']);
    expect(again.states.find(([id]) => id === 'i1')).toEqual(['i1', 1, '2026-03-04']);
  });

  it("marks the invoices of the day's new verification letter, whether first seen with it or known before, and only a new letter's", async () => {
    const letter = (key: string, invoiceIds: string[]): Action => ({ type: 'send_message', kind: 'verification', customerId: 'c2', to: 'ap@c2.example', invoiceIds, total: 1000, sendAt: new Date('2026-03-05T15:00:00Z'), key });
    const verifiedOn = async () => Object.fromEntries((await test.db.selectFrom('invoice_states').select(['invoice_id', 'verification_sent_on']).where('realm_id', '=', REALM).where('invoice_id', 'like', 'v%').execute()).map((s) => [s.invoice_id, s.verification_sent_on && String(s.verification_sent_on)]));
    await record('2026-03-02', seen('v1', 0));
    expect(await record('2026-03-05', [...seen('v2', 0), letter('verification:c2:2026-03-05', ['v1', 'v2'])])).toEqual({ first_seen: 1, send_message: 1 });
    expect(await verifiedOn()).toEqual({ v1: '2026-03-05', v2: '2026-03-05' });
    expect(await record('2026-03-05', [...seen('v2', 0), letter('verification:c2:2026-03-05', ['v1', 'v2'])])).toEqual({});

    // Paid, then open again: seen again with a letter that is not new (its key is recorded), it is not marked by it.
    await record('2026-03-06', [{ type: 'cancel_pending', invoiceId: 'v2', customerId: 'c2' }]);
    expect(await record('2026-03-07', [...seen('v2', 0), ...seen('v3', 0), letter('verification:c2:2026-03-05', ['v2']), letter('verification:c2:2026-03-07', ['v3'])])).toEqual({ first_seen: 2, send_message: 1 });
    expect(await verifiedOn()).toEqual({ v1: '2026-03-05', v2: null, v3: '2026-03-07' });
  });
});
