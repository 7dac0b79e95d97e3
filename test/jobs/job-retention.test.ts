import { randomBytes } from 'node:crypto';
import { JOB_RETENTION, JobQueues } from '../../src/jobs/queues';
import { createQueueConnection } from '../../src/jobs/redis';
import { WorkerHost, type JobHandlers } from '../../src/jobs/worker-host';
import { createLogger } from '../../src/logger';
import { TEST_REDIS_URL } from '../support/env';
import { until } from '../support/until';

const logger = createLogger({ level: 'silent' });

/** Finished jobs are kept in Redis by age and by count, completed and failed alike. */
describe('retention of finished jobs on real Redis', () => {
  const prefix = `ardesk-test-${randomBytes(4).toString('hex')}`;
  const producer = createQueueConnection(TEST_REDIS_URL);
  const consumer = createQueueConnection(TEST_REDIS_URL);
  // Small numbers here; the product's are JOB_RETENTION's.
  const queues = new JobQueues(producer, prefix, undefined, { completed: { age: 3600, count: 5 }, failed: { age: 1, count: 3 } });
  const ok = async () => ({});
  const handlers = {
    'maintenance.prune-sessions': ok,
    'maintenance.retention': ok,
    'sync.realm': ok,
    'cadence.realm': ok,
    'mail.dispatch': ok,
    'mail.send': ok,
    'notes.dispatch': ok,
    'notes.realm': async ({ realmId }: { realmId: string }) => {
      throw new Error(`cannot write the notes of ${realmId}`);
    },
  } as unknown as JobHandlers;
  const host = new WorkerHost({ connection: consumer, handlers, logger, prefix, concurrency: { sync: 4, notes: 4 } });

  beforeAll(() => host.start(['sync', 'notes']));
  afterAll(async () => {
    await host.stop();
    for (const name of ['sync', 'notes'] as const) await queues.queue(name).obliterate({ force: true });
    await queues.close();
    producer.disconnect();
    consumer.disconnect();
  });

  it('caps what the product keeps by age and by count', () => {
    expect(JOB_RETENTION.completed.count).toBeGreaterThan(0);
    expect(JOB_RETENTION.failed.count).toBeGreaterThan(0);
    expect(JOB_RETENTION.completed.age).toBeLessThanOrEqual(JOB_RETENTION.failed.age);
  });

  it('keeps at most `count` completed jobs', async () => {
    for (let i = 0; i < 20; i++) await queues.enqueue('sync.realm', { realmId: String(1000 + i), mode: 'auto' });
    const sync = queues.queue('sync');
    await until('the syncs to finish', async () => {
      const counts = await sync.getJobCounts('waiting', 'active');
      return (counts.waiting ?? 0) + (counts.active ?? 0) === 0;
    }, 10_000);
    expect((await sync.getJobCounts('completed')).completed).toBe(5);
  });

  it('keeps failed jobs by count, and drops those older than `age`', async () => {
    const notes = queues.queue('notes');
    const fail = async (n: number) => {
      for (let i = 0; i < n; i++) await queues.enqueue('notes.realm', { realmId: String(2000 + i) }, { attempts: 1 });
      await until('the notes jobs to fail', async () => {
        const counts = await notes.getJobCounts('waiting', 'active');
        return (counts.waiting ?? 0) + (counts.active ?? 0) === 0;
      }, 10_000);
    };
    await fail(8);
    expect((await notes.getJobCounts('failed')).failed).toBe(3);
    // A second later the three are past `age`: the next failure removes them and stays alone.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await fail(1);
    expect((await notes.getJobCounts('failed')).failed).toBe(1);
  });
});
