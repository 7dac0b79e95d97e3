import { centsOrNothing, type Cents } from '../collections/money';
import type { QuickBooksClient } from '../quickbooks/client';

/** What QuickBooks says of one invoice right now. */
export interface FreshInvoice {
  id: string;
  balance: Cents;
  payLink: string | null;
  /** The whole invoice as QuickBooks returned it (the query reads every field): a copy is drawn from it. */
  invoice: Record<string, unknown>;
}

/** Ids per query: `Id IN (...)` travels in the URL, so it is kept well under URL limits. */
const MAX_IDS = 200;
/** How long a read waits for others of the same company to join it. */
const GATHER_MS = 15;
/** Queries of one company in flight at once; callers arriving meanwhile join the next one. */
const MAX_IN_FLIGHT = 2;
/** The longest a read waits for sends announced with `expect` that have not asked yet. */
const EXPECTED_GATHER_MS = 100;

/** A send of a company announced (see `FreshBalances.expect`): it either reads through this or leaves. */
export interface ExpectedReads {
  /** This send's re-read, read after it asked, gathered with the others of the batch. */
  read(ids: string[]): Promise<Map<string, FreshInvoice>>;
  /** This send will not read (it ended before, or read already): the batch waits for it no more. */
  leave(): void;
}

interface Waiting {
  ids: string[];
  resolve: (rows: Map<string, FreshInvoice>) => void;
  reject: (error: unknown) => void;
}

/**
 * The balance re-read of §4 right before a send, shared: messages of one company being sent at
 * the same moment have their invoices read in one QuickBooks query (up to 200 ids) instead of one
 * query each. At most two queries of a company are in flight; whoever asks meanwhile waits for
 * the next one, so the busier the sending, the fuller each query, and Intuit's 500 requests a
 * minute bound a company's sending at batches, not single messages. A send announces itself
 * once it has claimed its message (`expect`): the company's next query then waits, up to 100 ms,
 * until every send under way has asked or ended, instead of going out after 15 ms with a few.
 * Each caller still gets an answer read after it asked, so nothing is served stale.
 */
export class FreshBalances {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, number>();
  /** Sends announced with `expect` that have neither asked nor left, by company. */
  private readonly expected = new Map<string, number>();
  /** When the first caller still waiting of a company asked. */
  private readonly gatherStart = new Map<string, number>();

  constructor(private readonly client: Pick<QuickBooksClient, 'invoicesWithLinks'>) {}

  /**
   * `count` sends of the company are under way (claimed, their re-read still to come): reads of
   * the company wait for all of them to ask or leave, up to 200 ids or 100 ms, so sends in
   * progress together cost one query per 200 ids. Each send's read still happens after it asked.
   */
  expect(realmId: string, count: number): ExpectedReads[] {
    if (count <= 0) return [];
    this.expected.set(realmId, (this.expected.get(realmId) ?? 0) + count);
    return Array.from({ length: count }, () => {
      let gone = false;
      const leave = () => {
        if (gone) return;
        gone = true;
        const left = (this.expected.get(realmId) ?? 1) - 1;
        if (left > 0) this.expected.set(realmId, left);
        else this.expected.delete(realmId);
        // The last one under way has asked or ended: what gathered goes once the plain window
        // since the first of it is over (at once if it is), not at the longer wait's end.
        if (left <= 0 && this.waiting.has(realmId)) {
          clearTimeout(this.timers.get(realmId));
          this.timers.set(realmId, setTimeout(() => this.flush(realmId), Math.max(0, (this.gatherStart.get(realmId) ?? 0) + GATHER_MS - Date.now())));
        }
      };
      return {
        read: (ids: string[]) => {
          const answer = this.read(realmId, ids);
          leave();
          return answer;
        },
        leave,
      };
    });
  }

  read(realmId: string, ids: string[]): Promise<Map<string, FreshInvoice>> {
    if (ids.length === 0) return Promise.resolve(new Map());
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(realmId) ?? [];
      if (queue.length === 0) this.gatherStart.set(realmId, Date.now());
      queue.push({ ids, resolve, reject });
      this.waiting.set(realmId, queue);
      const pending = new Set(queue.flatMap((w) => w.ids)).size;
      if (pending >= MAX_IDS) this.flush(realmId);
      else if (!this.timers.has(realmId)) this.timers.set(realmId, setTimeout(() => this.flush(realmId), this.expected.has(realmId) ? EXPECTED_GATHER_MS : GATHER_MS));
    });
  }

  private flush(realmId: string): void {
    clearTimeout(this.timers.get(realmId));
    this.timers.delete(realmId);
    // Both slots busy: the first query to come back sends what has gathered by then.
    if ((this.inFlight.get(realmId) ?? 0) >= MAX_IN_FLIGHT) return;
    const queue = this.waiting.get(realmId) ?? [];
    if (queue.length === 0) return;
    // Take callers in order while their ids fit one query; the rest go in the next one.
    const batch: Waiting[] = [];
    const ids = new Set<string>();
    while (queue.length) {
      const next = queue[0]!;
      const grown = new Set([...ids, ...next.ids]);
      if (batch.length > 0 && grown.size > MAX_IDS) break;
      batch.push(queue.shift()!);
      for (const id of next.ids) ids.add(id);
    }
    if (queue.length === 0) this.waiting.delete(realmId);
    else {
      // The rest goes next, at once, or when the sends announced with `expect` have all asked.
      this.gatherStart.set(realmId, Date.now());
      this.timers.set(realmId, setTimeout(() => this.flush(realmId), this.expected.has(realmId) ? EXPECTED_GATHER_MS : 0));
    }
    this.inFlight.set(realmId, (this.inFlight.get(realmId) ?? 0) + 1);
    const settled = () => {
      const left = (this.inFlight.get(realmId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(realmId, left);
      else this.inFlight.delete(realmId);
      if (this.waiting.has(realmId) && !this.timers.has(realmId)) this.flush(realmId);
    };
    this.client.invoicesWithLinks(realmId, [...ids]).then(
      (rows) => {
        // A balance QuickBooks wrote as no amount counts as nothing left to ask for.
        const found = new Map(rows.map((r) => [String(r.Id), { id: String(r.Id), balance: centsOrNothing(r.Balance), payLink: typeof r.InvoiceLink === 'string' ? r.InvoiceLink : null, invoice: r }]));
        for (const waiting of batch) waiting.resolve(new Map(waiting.ids.filter((id) => found.has(id)).map((id) => [id, found.get(id)!])));
        settled();
      },
      (error: unknown) => {
        batch.forEach((waiting) => waiting.reject(error));
        settled();
      },
    );
  }
}
