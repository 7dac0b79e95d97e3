import type { OutboxListRow, OutboxRepository } from '../db/outbox-repository';
import type { MessageStatus } from '../db/schema';

export const OUTBOX_PAGE = 50;

export interface OutboxPage {
  messages: OutboxListRow[];
  /** How many messages of each status the company has (a status with none is absent). */
  counts: Partial<Record<MessageStatus, number>>;
  /** Whether a page follows this one. */
  more: boolean;
}

/** The outbox as its page lists it: one page of messages, newest send first, and the count of each status. */
export class OutboxService {
  constructor(private readonly deps: { outbox: Pick<OutboxRepository, 'outboxPage' | 'statusCounts'> }) {}

  async page(realmId: string, query: { status?: MessageStatus; page: number }): Promise<OutboxPage> {
    const [rows, counts] = await Promise.all([
      this.deps.outbox.outboxPage(realmId, { status: query.status, limit: OUTBOX_PAGE + 1, offset: (query.page - 1) * OUTBOX_PAGE }),
      this.deps.outbox.statusCounts(realmId),
    ]);
    return { messages: rows.slice(0, OUTBOX_PAGE), counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])), more: rows.length > OUTBOX_PAGE };
  }
}
