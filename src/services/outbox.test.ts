import type { OutboxListRow } from '../db/outbox-repository';
import { OUTBOX_PAGE, OutboxService } from './outbox';

/** An outbox of `n` messages, newest first, answering pages as the repository does. */
function outboxOf(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({ id: `m${i}`, status: 'sent' }) as OutboxListRow);
  const asked: Array<{ limit: number; offset: number }> = [];
  return {
    asked,
    outboxPage: async (_realmId: string, page: { limit: number; offset: number }) => {
      asked.push({ limit: page.limit, offset: page.offset });
      return rows.slice(page.offset, page.offset + page.limit);
    },
    statusCounts: async () => [
      { status: 'sent' as const, n: String(n - 1) },
      { status: 'failed' as const, n: '1' },
    ],
  };
}

describe('the outbox list', () => {
  it('gives one page of messages, says whether another follows, and counts each status', async () => {
    const outbox = outboxOf(OUTBOX_PAGE + 5);
    const service = new OutboxService({ outbox });
    const first = await service.page('1', { page: 1 });
    expect(first.messages).toHaveLength(OUTBOX_PAGE);
    expect(first.more).toBe(true);
    expect(first.counts).toEqual({ sent: OUTBOX_PAGE + 4, failed: 1 });
    const second = await service.page('1', { page: 2 });
    expect(second.messages.map((m) => m.id)).toEqual(['m50', 'm51', 'm52', 'm53', 'm54']);
    expect(second.more).toBe(false);
    expect(outbox.asked).toEqual([{ limit: OUTBOX_PAGE + 1, offset: 0 }, { limit: OUTBOX_PAGE + 1, offset: OUTBOX_PAGE }]);
  });
});
