import { CompanySyncService } from './company-sync';

describe('a sync asked for now', () => {
  it('queues one sync job per request, named by where it was asked and when, in the mode asked for', async () => {
    const queued: Array<{ payload: unknown; jobId?: string }> = [];
    let now = Date.parse('2026-03-02T15:00:00.000Z');
    const service = new CompanySyncService({
      state: { get: async () => undefined },
      reads: { month: async () => ({ month: '2026-03', total: 0, byKind: { query: 0, read: 0, cdc: 0, report: 0 }, byDay: [] }) },
      sync: { run: async () => ({ mode: 'full', counts: {}, skipped: [] }) },
      queues: { enqueue: async (_name, payload, options) => (queued.push({ payload, jobId: options?.jobId }), options!.jobId!) },
      // The real clock, not the business clock: two requests a second apart are two jobs even when ARDESK_NOW freezes the business day.
      clock: { now: () => new Date(now), businessNow: () => new Date('2026-01-01T00:00:00Z') },
    });
    expect(await service.requestNow('r1', 'full', 'api')).toBe(`sync-api-r1-${now}`);
    now += 1000;
    await service.requestNow('r1', 'auto', 'ui');
    expect(queued).toEqual([
      { payload: { realmId: 'r1', mode: 'full' }, jobId: 'sync-api-r1-1772463600000' },
      { payload: { realmId: 'r1', mode: 'auto' }, jobId: 'sync-ui-r1-1772463601000' },
    ]);
  });
});
