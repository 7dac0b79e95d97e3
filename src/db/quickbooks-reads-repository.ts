import { sql } from 'kysely';
import type { Db } from './database';
import type { QuickBooksReadsTable } from './schema';

export type QuickBooksReadKind = QuickBooksReadsTable['kind'];

export interface MonthOfReads {
  /** YYYY-MM */
  month: string;
  total: number;
  byKind: Record<QuickBooksReadKind, number>;
  /** One entry per day that had reads, in date order. */
  byDay: Array<{ day: string; count: number }>;
}

/** The count of metered QuickBooks reads per company, kind and day. */
export class QuickBooksReadsRepository {
  constructor(private readonly db: Db) {}

  async add(realmId: string, day: string, kind: QuickBooksReadKind, count = 1): Promise<void> {
    await this.db
      .insertInto('quickbooks_reads')
      .values({ realm_id: realmId, day, kind, count })
      .onConflict((oc) => oc.columns(['realm_id', 'day', 'kind']).doUpdateSet({ count: sql`quickbooks_reads.count + excluded.count` }))
      .execute();
  }

  /** A company's reads in `month` (YYYY-MM). */
  async month(realmId: string, month: string): Promise<MonthOfReads> {
    const first = `${month}-01`;
    const rows = await this.db
      .selectFrom('quickbooks_reads')
      .select(['day', 'kind', 'count'])
      .where('realm_id', '=', realmId)
      .where('day', '>=', first)
      .where('day', '<', sql<string>`(${first}::date + interval '1 month')::date`)
      .orderBy('day')
      .execute();
    const byKind: Record<QuickBooksReadKind, number> = { query: 0, read: 0, cdc: 0, report: 0 };
    const days = new Map<string, number>();
    for (const row of rows) {
      const day = String(row.day);
      byKind[row.kind] += Number(row.count);
      days.set(day, (days.get(day) ?? 0) + Number(row.count));
    }
    return { month, total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind, byDay: [...days].map(([day, count]) => ({ day, count })) };
  }
}
