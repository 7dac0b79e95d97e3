import { sql } from 'kysely';
import { systemClock } from '../../src/clock';
import { deleteExpiredCopies } from '../../src/services/retention';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '9342301';
const LEFT = '9342302';
const NOW = new Date('2026-11-20T15:00:00Z');
const DAYS_400 = 400 * 24 * 3600_000;

/**
 * This process's clock and the database server's apart, as under `faketime -f '+400d'` (which
 * moves the node process, not the servers already running) or on a machine whose clock drifted:
 * a decision on a time the database wrote is taken on the database's clock alone.
 */
describe('the process clock and the database server\'s clock disagreeing', () => {
  let test: TestContext;

  beforeAll(async () => {
    test = await createTestContext({ env: { ARDESK_NOW: NOW.toISOString() } });
    await test.context.repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Skew Co', status: 'connected', connected_at: new Date() });
  });
  afterAll(() => test.destroy());

  /**
   * Runs `work` with this process's date (Date.now and new Date(), what faketime moves) `offsetMs`
   * away from the servers'; timers keep running on real time.
   */
  async function withProcessClockMoved<T>(offsetMs: number, work: () => Promise<T>): Promise<T> {
    jest.useFakeTimers({ now: Date.now() + offsetMs, advanceTimers: true, doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    try {
      return await work();
    } finally {
      jest.useRealTimers();
    }
  }

  it('holds a message as uncertain only once it has been sending for ten minutes of the database\'s time', async () => {
    const outbox = test.context.repos.outbox;
    const add = async (key: string) =>
      (await test.context.db.insertInto('messages').values({ realm_id: REALM, customer_id: 'c1', kind: 'reminder', to_address: 'ap@skew.test', invoice_ids: JSON.stringify(['1']), total: 10, send_at: NOW, key }).returning('id').executeTakeFirstOrThrow()).id;
    const justClaimed = await add('skew:just-claimed');
    const longAgo = await add('skew:long-ago');
    for (const id of [justClaimed, longAgo]) expect(await outbox.claim(id, NOW)).toBeDefined(); // sending_at: the database's now()
    await sql`update messages set sending_at = now() - interval '11 minutes' where id = ${longAgo}`.execute(test.context.db);

    for (const offset of [DAYS_400, -DAYS_400]) await withProcessClockMoved(offset, () => outbox.dueForDispatch(NOW, 100));
    expect((await outbox.find(justClaimed))!.status).toBe('sending'); // a send in flight is not taken for a dead worker's
    expect((await outbox.find(longAgo))!.status).toBe('uncertain');
  });

  it('counts a disconnected company\'s retention period on the app\'s clock, which also wrote when it was disconnected', async () => {
    await test.context.repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: LEFT, name: 'Left Co', status: 'connected', connected_at: new Date() });
    const retention = { retention: test.context.repos.retention, clock: systemClock(), logger: test.context.logger, retentionDays: 30 };
    await withProcessClockMoved(DAYS_400, async () => {
      await test.context.repos.companies.setStatus(LEFT, 'disconnected', 'Disconnected in Ardesk');
      expect((await deleteExpiredCopies(retention)).deleted).not.toContain(LEFT); // disconnected a moment ago, not 400 days
    });
    await withProcessClockMoved(DAYS_400 + 31 * 24 * 3600_000, async () => expect((await deleteExpiredCopies(retention)).deleted).toContain(LEFT));
  });
});
