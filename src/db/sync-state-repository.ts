import { sql } from 'kysely';
import type { Db } from './database';

export interface SyncReport {
  /** `open`: the open part of a first sync (the work list is ready); `backfill`: its history. */
  mode: 'full' | 'incremental' | 'open' | 'backfill';
  counts: Record<string, number>;
  skipped: Array<{ entity: string; id: string; reason: string }>;
}

/** Where each company's sync stands: the CDC cursor, the last success and the last error. */
export class SyncStateRepository {
  constructor(private readonly db: Db) {}

  async get(realmId: string) {
    return this.db.selectFrom('sync_state').selectAll().where('realm_id', '=', realmId).executeTakeFirst();
  }

  /** A new run number for a company (marks rows seen by a full sync). */
  async nextRun(realmId: string): Promise<number> {
    const row = await this.db
      .insertInto('sync_state')
      .values({ realm_id: realmId, counts: '{}', skipped: '[]', run: 1 })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ run: sql`sync_state.run + 1` }))
      .returning('run')
      .executeTakeFirstOrThrow();
    return Number(row.run);
  }

  /** A sync done; `cursor` null leaves the CDC cursor as it is. A full sync or a backfill leaves the copy whole. */
  async succeeded(realmId: string, report: SyncReport, cursor: Date | null, at: Date): Promise<void> {
    await this.db
      .updateTable('sync_state')
      .set({
        ...(cursor ? { cdc_cursor: cursor } : {}),
        last_success_at: at,
        last_mode: report.mode,
        counts: JSON.stringify(report.counts),
        skipped: JSON.stringify(report.skipped.slice(0, 200)),
        last_error: null,
        ...(report.mode === 'full' || report.mode === 'backfill' ? { last_full_at: at } : {}),
        ...(report.mode === 'open' ? { worklist_ready_at: at } : {}),
      })
      .where('realm_id', '=', realmId)
      .execute();
  }

  async failed(realmId: string, message: string, at: Date): Promise<void> {
    await this.db
      .insertInto('sync_state')
      .values({ realm_id: realmId, counts: '{}', skipped: '[]', last_error: message.slice(0, 1000), last_error_at: at })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ last_error: message.slice(0, 1000), last_error_at: at }))
      .execute();
  }
}
