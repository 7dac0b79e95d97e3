import type { QuickBooksCopyRepository } from '../db/quickbooks-copy-repository';
import type { SyncReport } from '../db/sync-state-repository';
import type { QuickBooksClient } from './client';
import { InFlight, MAX_IN_FLIGHT, PAGES_HELD } from './in-flight';
import type { SyncedEntity } from './schemas';

const PAGE_SIZE = 1000;
/** Customers asked for by id in one query: keeps the query's URL a few kilobytes long. */
const IDS_PER_QUERY = 200;
/** Customer and Term: `SELECT *` returns active ones only; collections need the inactive too. */
const ACTIVE_OR_NOT = 'Active IN (true, false)';

/** Stores one page of raw entities at `run`; returns how many rows parsed and were stored. */
export type StorePage = (realmId: string, entity: SyncedEntity, rows: Array<Record<string, unknown>>, run: number, report: SyncReport) => Promise<number>;

export interface OpenFirstDeps {
  client: Pick<QuickBooksClient, 'count' | 'query'>;
  copy: Pick<QuickBooksCopyRepository, 'sweep' | 'analyze'>;
  store: StorePage;
}

/**
 * The first sync after a connect, in two parts. The open part is what the work list needs: open
 * invoices (`Balance > '0'`), the customers they name (those with a balance, then any other
 * named one and every parent, by id), credit memos and payments of the last 12 months, and the
 * terms. The history (every customer and invoice, older payments and credit memos) follows in a
 * job of its own, at lower priority, and ends with the sweep a full sync does, so the copy is then
 * what a full sync leaves. Invoices are read whole again: an invoice paid while the open part was
 * paged shifts the later pages of `Balance > '0'`, and one it pushed past a page is read here. Both parts count each query and read its pages in parallel, at
 * most 10 requests in flight for the company (QuickBooks' limit; the rate limiter keeps the
 * per-minute one).
 */
export class OpenFirstReads {
  constructor(private readonly deps: OpenFirstDeps) {}

  /** The open part, stamped `run`; `since` (YYYY-MM-DD) starts the recent payments and credit memos. */
  async openPart(realmId: string, run: number, since: string, report: SyncReport): Promise<void> {
    const reader = this.reader(realmId, run, report);
    const named = new Set<string>();
    const have = new Set<string>();
    const parents = new Set<string>();
    const seeCustomers = (rows: Array<Record<string, unknown>>) => {
      for (const row of rows) {
        have.add(String(row.Id));
        const parent = refValue(row.ParentRef);
        if (parent) parents.add(parent);
      }
    };
    await Promise.all([
      reader.all('Invoice', "WHERE Balance > '0'", (rows) => rows.forEach((row) => named.add(refValue(row.CustomerRef) ?? ''))),
      reader.all('Customer', `WHERE ${ACTIVE_OR_NOT} AND Balance > '0'`, seeCustomers),
      reader.all('Payment', `WHERE TxnDate >= '${since}'`),
      reader.all('CreditMemo', `WHERE TxnDate >= '${since}'`),
      reader.all('Term', `WHERE ${ACTIVE_OR_NOT}`),
    ]);
    // The terms are read whole: the copy of them is complete already.
    await this.deps.copy.sweep(realmId, 'Term', run);
    // Customers named by an open invoice without a balance of their own (a credit, a job's
    // parent), then parents of parents, until none is missing.
    for (let wanted = missing([...named, ...parents], have); wanted.length > 0; wanted = missing([...parents], have)) {
      await Promise.all(chunk(wanted, IDS_PER_QUERY).map((ids) => reader.page('Customer', `WHERE Id IN (${ids.map(quoted).join(', ')}) AND ${ACTIVE_OR_NOT} MAXRESULTS ${IDS_PER_QUERY}`, seeCustomers)));
      for (const id of wanted) have.add(id);
    }
  }

  /** The rest of the company, stamped `run`, then the sweep of what QuickBooks no longer has. */
  async history(realmId: string, run: number, since: string, report: SyncReport): Promise<void> {
    const reader = this.reader(realmId, run, report);
    const parts: Array<[SyncedEntity, string]> = [
      ['Customer', `WHERE ${ACTIVE_OR_NOT}`],
      ['Invoice', ''],
      ['Payment', `WHERE TxnDate < '${since}'`],
      ['CreditMemo', `WHERE TxnDate < '${since}'`],
    ];
    await Promise.all(parts.map(([entity, where]) => reader.all(entity, where)));
    for (const [entity] of parts) {
      await this.deps.copy.sweep(realmId, entity, run);
      if ((report.counts[entity] ?? 0) >= PAGE_SIZE) await this.deps.copy.analyze(entity);
    }
  }

  private reader(realmId: string, run: number, report: SyncReport) {
    const { client, store } = this.deps;
    // One pool for the company's requests; at most PAGES_HELD pages asked for or not yet stored.
    const pool = new InFlight(MAX_IN_FLIGHT);
    const held = new InFlight(PAGES_HELD);
    const page = (entity: SyncedEntity, clause: string, seen?: (rows: Array<Record<string, unknown>>) => void) =>
      held.run(async () => {
        const answer = await pool.run(() => client.query(realmId, entity, clause));
        seen?.(answer.rows);
        const stored = await store(realmId, entity, answer.rows, run, report);
        report.counts[entity] = (report.counts[entity] ?? 0) + stored;
      });
    /** `COUNT(*)` says how many pages; they are then read in parallel, ordered by Id. */
    const all = async (entity: SyncedEntity, where: string, seen?: (rows: Array<Record<string, unknown>>) => void) => {
      const total = await pool.run(() => client.count(realmId, entity, where));
      report.counts[entity] ??= 0;
      const starts = Array.from({ length: Math.ceil(total / PAGE_SIZE) }, (_, i) => 1 + i * PAGE_SIZE);
      await Promise.all(starts.map((start) => page(entity, `${where ? `${where} ` : ''}ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${PAGE_SIZE}`, seen)));
    };
    return { all, page };
  }
}

/** The day 12 months before `instant` (UTC), as a query's date: where recent payments start. */
export function twelveMonthsBefore(instant: Date): string {
  const day = new Date(instant.getTime());
  day.setUTCFullYear(day.getUTCFullYear() - 1);
  return day.toISOString().slice(0, 10);
}

function refValue(ref: unknown): string | undefined {
  const value = (ref as { value?: unknown } | undefined)?.value;
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function missing(ids: string[], have: Set<string>): string[] {
  return [...new Set(ids)].filter((id) => id && !have.has(id));
}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function quoted(id: string): string {
  return `'${id.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
