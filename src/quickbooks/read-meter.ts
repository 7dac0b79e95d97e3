import type { Clock } from '../clock';
import type { QuickBooksReadKind, QuickBooksReadsRepository } from '../db/quickbooks-reads-repository';
import type { Logger } from '../logger';

/** Where the client reports each metered read it sends. */
export interface ReadCounter {
  counted(realmId: string, kind: QuickBooksReadKind): Promise<void>;
}

export const NO_READ_COUNTER: ReadCounter = { counted: async () => undefined };

/**
 * Counts metered QuickBooks reads in the database, per company, kind and day. The day is the
 * business clock's date in UTC: Intuit meters a developer workspace as a whole, not by each
 * company's time zone. A count that cannot be written is logged; the read it counts goes on.
 */
export class ReadMeter implements ReadCounter {
  constructor(private readonly deps: { reads: Pick<QuickBooksReadsRepository, 'add'>; clock: Clock; logger: Logger }) {}

  async counted(realmId: string, kind: QuickBooksReadKind): Promise<void> {
    try {
      await this.deps.reads.add(realmId, this.deps.clock.businessNow().toISOString().slice(0, 10), kind);
    } catch (error) {
      this.deps.logger.warn({ realmId, kind, err: error instanceof Error ? error.message : String(error) }, 'a QuickBooks read could not be counted');
    }
  }
}
