import { randomBytes } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { JobQueues } from '../../src/jobs/queues';
import { createQueueConnection } from '../../src/jobs/redis';
import { WorkerHost, type JobHandlers } from '../../src/jobs/worker-host';
import { createLogger } from '../../src/logger';
import { TEST_REDIS_URL } from '../support/env';

const logger = createLogger({ level: 'silent' });

describe('worker host on real Redis', () => {
  const prefix = `ardesk-test-${randomBytes(4).toString('hex')}`;
  const producer = createQueueConnection(TEST_REDIS_URL);
  const consumer = createQueueConnection(TEST_REDIS_URL);
  const queues = new JobQueues(producer, prefix);
  const eventsConnection = createQueueConnection(TEST_REDIS_URL);
  let events: QueueEvents;

  beforeAll(async () => {
    events = new QueueEvents('maintenance', { connection: eventsConnection, prefix });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events.close();
    await queues.queue('maintenance').obliterate({ force: true });
    await queues.close();
    producer.disconnect();
    consumer.disconnect();
    eventsConnection.disconnect();
  });

  it('refuses to start when a job has no handler', () => {
    expect(() => new WorkerHost({ connection: consumer, handlers: {} as JobHandlers, logger, prefix })).toThrow(
      'No handler registered for job(s): maintenance.prune-sessions, maintenance.retention, cadence.realm, mail.dispatch, mail.send, notes.dispatch, notes.realm, sync.realm',
    );
  });

  it('runs a job, and a graceful stop lets the in-flight job finish', async () => {
    const order: string[] = [];
    const host = new WorkerHost({
      connection: consumer,
      prefix,
      logger,
      handlers: {
        'maintenance.prune-sessions': async () => {
          order.push('started');
          await new Promise((resolve) => setTimeout(resolve, 800));
          order.push('finished');
          return { deleted: 0 };
        },
        'maintenance.retention': async () => ({ deleted: [] }),
        'sync.realm': async () => ({}),
        'cadence.realm': async () => ({}),
        'mail.dispatch': async () => ({}),
        'mail.send': async () => ({}),
        'notes.dispatch': async () => ({}),
        'notes.realm': async () => ({}),
      },
    });
    host.start(['maintenance']);
    const id = await queues.enqueue('maintenance.prune-sessions', {});
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (order.includes('started')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    await host.stop();
    order.push('stopped');
    expect(order).toEqual(['started', 'finished', 'stopped']);
    const job = await queues.queue('maintenance').getJob(id);
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toEqual({ deleted: 0 });
  });

  it('fails a job with an invalid payload at once, without retries', async () => {
    let calls = 0;
    const host = new WorkerHost({ connection: consumer, prefix, logger, handlers: { 'maintenance.prune-sessions': async () => ++calls, 'maintenance.retention': async () => ({ deleted: [] }), 'sync.realm': async () => ({}), 'cadence.realm': async () => ({}), 'mail.dispatch': async () => ({}), 'mail.send': async () => ({}), 'notes.dispatch': async () => ({}), 'notes.realm': async () => ({}) } });
    host.start(['maintenance']);
    try {
      const job = await queues.queue('maintenance').add('maintenance.prune-sessions', { unexpected: true }, { attempts: 5 });
      await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/Invalid payload for maintenance.prune-sessions/);
      const finished = await queues.queue('maintenance').getJob(job.id!);
      expect(finished?.attemptsMade).toBe(1);
      expect(calls).toBe(0);
    } finally {
      await host.stop();
    }
  });

  it('refuses to enqueue a payload that does not match its schema', async () => {
    await expect(queues.enqueue('maintenance.prune-sessions', { realmId: 'x' } as never)).rejects.toThrow();
  });
});
