import type { Db } from './database';

/** What the shared-state gauges of /metrics read from the database: a few small aggregates. */
export class MetricsRepository {
  constructor(private readonly db: Db) {}

  /** Connected companies and when their copy was last brought up to date (or, never synced, connected). */
  async syncedAt(): Promise<Array<{ realmId: string; at: Date | null }>> {
    const rows = await this.db
      .selectFrom('companies')
      .leftJoin('sync_state', 'sync_state.realm_id', 'companies.realm_id')
      .select(['companies.realm_id', 'sync_state.last_success_at', 'companies.updated_at'])
      .where('companies.status', '=', 'connected')
      .execute();
    return rows.map((row) => ({ realmId: row.realm_id, at: (row.last_success_at ?? row.updated_at) as Date }));
  }

  async messageCounts(): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<string>().as('count')]).groupBy('status').execute();
    return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
  }
}
