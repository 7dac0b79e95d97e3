import { BadRequestError, NotFoundError } from '../errors';
import { createLogger } from '../logger';
import { PausesService } from './pauses';

const TODAY = '2026-03-02';

/** Pauses over fakes: the company's today, a directory of customers, and what was recorded. */
function pausesOf(customers: string[], pausesInForce: string[] = []) {
  const done: string[] = [];
  const service = new PausesService({
    settings: { todayOf: async () => TODAY },
    files: { customerExists: async (_realmId, customerId) => customers.includes(customerId) },
    collections: {
      pauseCustomer: async (_realmId, customerId, today, pause) => (done.push(`paused ${customerId} on ${today} until ${pause.until ?? 'further notice'}`), 'p-new'),
      endPause: async (_realmId, customerId, pauseId, today) => {
        if (!pausesInForce.includes(pauseId)) return false;
        done.push(`ended ${pauseId} of ${customerId} on ${today}`);
        return true;
      },
    },
    notes: { queueSoon: async (realmId) => void done.push(`notes queued for ${realmId}`) },
  });
  return { service, done };
}

const log = createLogger({ level: 'silent' });

describe('pausing a customer', () => {
  it('pauses from the company\'s today and queues the QuickBooks note', async () => {
    const { service, done } = pausesOf(['c1']);
    expect(await service.pause('r1', 'c1', { until: '2026-04-01', reason: 'owner in hospital' }, log)).toBe('p-new');
    expect(done).toEqual(['paused c1 on 2026-03-02 until 2026-04-01', 'notes queued for r1']);
  });

  it('refuses a pause that ends in the past or too far ahead, before anything is recorded', async () => {
    const { service, done } = pausesOf(['c1']);
    await expect(service.pause('r1', 'c1', { until: '2026-03-01' }, log)).rejects.toThrow(new BadRequestError('until: a pause cannot end in the past (leave it empty to pause until further notice)'));
    await expect(service.pause('r1', 'c1', { until: '2036-03-01' }, log)).rejects.toThrow(BadRequestError);
    expect(done).toEqual([]);
  });

  it('does not pause a customer the company does not have', async () => {
    const { service, done } = pausesOf(['c1']);
    await expect(service.pause('r1', 'c2', {}, log)).rejects.toThrow(NotFoundError);
    expect(done).toEqual([]);
  });

  it('ends a pause in force today; any other pause is not found', async () => {
    const { service, done } = pausesOf(['c1'], ['p1']);
    await service.end('r1', 'c1', 'p1');
    await expect(service.end('r1', 'c1', 'p9')).rejects.toThrow(new NotFoundError('No such pause'));
    expect(done).toEqual(['ended p1 of c1 on 2026-03-02']);
  });
});
