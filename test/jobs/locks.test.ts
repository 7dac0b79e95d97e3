import { randomBytes } from 'node:crypto';
import { EarlierAttemptHoldsLockError, withLockOrLeave } from '../../src/jobs/locks';
import { createProducerConnection, whenReady } from '../../src/jobs/redis';
import { TEST_REDIS_URL } from '../support/env';

/** The lock nobody waits for, on the real Redis: requests left while it is held are never lost. */
describe('a lock that leaves requests for its holder', () => {
  const redis = createProducerConnection(TEST_REDIS_URL);
  const prefix = `ardesk-test-${randomBytes(4).toString('hex')}`;
  const keys = { lock: `${prefix}:lock:x`, requests: `${prefix}:requests:x` };
  const options = (owner: string, request?: string) => ({ owner, request, ttlMs: 2_000, requestsTtlMs: 60_000 });

  beforeAll(() => whenReady(redis, 5_000));
  afterEach(() => redis.del(keys.lock, keys.requests));
  afterAll(() => redis.quit());

  it('answers a request at once while the lock is held, and hands every request left meanwhile to one follow-up', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const followUps: string[][] = [];
    const first = withLockOrLeave(redis, keys, options('job-1', 'incremental'), async (requests) => {
      await held;
      return requests;
    }, async (left) => void followUps.push(left.sort()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const [owner, request] of [['job-2', 'full'], ['job-3', 'incremental'], ['job-4', 'full']] as const) {
      expect(await withLockOrLeave(redis, keys, options(owner, request), async () => 'ran', async () => undefined)).toEqual({ ran: false });
    }
    release();
    expect(await first).toEqual({ ran: true, result: ['incremental'] });
    expect(followUps).toEqual([['full', 'incremental']]);
    // The follow-up, asking nothing of its own, runs exactly what was left; a second one finds nothing.
    expect(await withLockOrLeave(redis, keys, options('follow-up-1'), async (requests) => requests.sort(), async () => undefined)).toEqual({ ran: true, result: ['full', 'incremental'] });
    expect(await withLockOrLeave(redis, keys, options('follow-up-2'), async (requests) => requests, async () => undefined)).toEqual({ ran: true, result: [] });
  });

  it('puts the requests of a run that failed back for its retry, with no follow-up', async () => {
    const followUps: string[][] = [];
    await expect(withLockOrLeave(redis, keys, options('job-1', 'full'), async () => {
      throw new Error('QuickBooks is down');
    }, async (left) => void followUps.push(left))).rejects.toThrow('QuickBooks is down');
    expect(followUps).toEqual([]);
    expect(await redis.get(keys.lock)).toBeNull();
    expect(await withLockOrLeave(redis, keys, options('job-1', 'incremental'), async (requests) => requests.sort(), async () => undefined)).toEqual({ ran: true, result: ['full', 'incremental'] });
  });

  it('fails a job retried while its earlier attempt still holds the lock, and runs its retry once the lock expires', async () => {
    // What a worker killed (or stalled) mid-run leaves: its lock, under the job's own id.
    await redis.set(keys.lock, 'job-1', 'PX', 300);
    expect(await withLockOrLeave(redis, keys, options('job-2', 'auto'), async () => 'ran', async () => undefined)).toEqual({ ran: false });
    await expect(withLockOrLeave(redis, keys, options('job-1', 'full'), async () => 'ran', async () => undefined)).rejects.toThrow(EarlierAttemptHoldsLockError);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const followUps: string[][] = [];
    expect(await withLockOrLeave(redis, keys, options('job-1', 'full'), async (requests) => requests.sort(), async (left) => void followUps.push(left))).toEqual({ ran: true, result: ['auto', 'full'] });
    expect(followUps).toEqual([]);
    expect(await redis.get(keys.lock)).toBeNull();
  });
});
