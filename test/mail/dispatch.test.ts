import { sql } from 'kysely';
import { Queue } from 'bullmq';
import { dispatchMail } from '../../src/jobs/handlers/mail';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '9341003';
const NOW = new Date('2026-11-20T15:00:00Z');

describe('handing due messages to the send queue', () => {
  let test: TestContext;
  let queue: Queue;
  const dispatch = () => dispatchMail(test.context)({}, {} as never) as Promise<{ dispatched: number }>;
  const sendJobs = async () => (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((job) => job.name === 'mail.send');

  beforeAll(async () => {
    test = await createTestContext({ env: { ARDESK_NOW: NOW.toISOString() } });
    queue = new Queue('mail', { connection: test.context.redis, prefix: test.context.queues.prefix });
    await test.context.repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Dispatch Co', status: 'connected', connected_at: new Date() });
    await test.context.db
      .insertInto('messages')
      .values(Array.from({ length: 5 }, (_, i) => ({ realm_id: REALM, customer_id: `c${i}`, kind: 'reminder', to_address: `ap${i}@dispatch.test`, invoice_ids: JSON.stringify([`${i}`]), total: 10, send_at: new Date(NOW.getTime() - (i === 4 ? -3600_000 : 0)), key: `dispatch:${i}` })))
      .execute();
  });
  afterAll(async () => {
    await queue.close();
    await test.destroy();
  });

  it('adds one job per due message before marking it, so a dispatcher that dies in between loses nothing', async () => {
    // A dispatcher that read the due messages and died before adding their jobs leaves them due.
    const read = await test.context.repos.outbox.dueForDispatch(NOW, 100);
    expect(read).toHaveLength(4); // the fifth is not due for another hour
    expect(await sendJobs()).toHaveLength(0);

    expect(await dispatch()).toEqual({ dispatched: 4 });
    const jobs = await sendJobs();
    expect(jobs.map((job) => job.data.messageId).sort()).toEqual(read.map((m) => m.id).sort());
    const marked = await test.context.db.selectFrom('messages').select(['id', 'dispatched_at']).where('key', 'like', 'dispatch:%').execute();
    expect(marked.filter((m) => m.dispatched_at !== null)).toHaveLength(4);

    // Running again (or two dispatchers at once) adds nothing twice.
    await Promise.all([dispatch(), dispatch()]);
    expect(await sendJobs()).toHaveLength(4);
  });

  it('hands a message over again when its job is gone but the message is still queued', async () => {
    const [job] = await sendJobs();
    const messageId = job!.data.messageId as string;
    await job!.remove();
    // Within the redispatch window nothing happens; past it the message gets a new job.
    expect(await dispatch()).toEqual({ dispatched: 0 });
    await sql`update messages set dispatched_at = now() - interval '20 minutes' where id = ${messageId}`.execute(test.context.db);
    expect(await dispatch()).toEqual({ dispatched: 1 });
    const again = await queue.getJob(`send-${messageId}`);
    expect(await again!.getState()).toBe('waiting');
  });
});
