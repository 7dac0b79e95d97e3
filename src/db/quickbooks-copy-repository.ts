import { sql } from 'kysely';
import type { ParsedRow, SyncedEntity } from '../quickbooks/schemas';
import { ENTITY_ROWS } from '../quickbooks/schemas';
import type { Db } from './database';

const CHUNK = 500;

type Table = (typeof ENTITY_ROWS)[SyncedEntity]['table'];

/** Ardesk's copy of QuickBooks: batched upserts, deletions, and the sweep after a full sync. */
export class QuickBooksCopyRepository {
  constructor(private readonly db: Db) {}

  async upsert(realmId: string, entity: SyncedEntity, rows: ParsedRow[], run: number): Promise<void> {
    const table = ENTITY_ROWS[entity].table as Table;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((row) => ({ realm_id: realmId, id: row.id, sync_token: row.sync_token, qbo_updated_at: row.qbo_updated_at, sync_run: run, ...row.fields }));
      const columns = Object.keys(values[0]!).filter((c) => c !== 'realm_id' && c !== 'id');
      await this.db
        .insertInto(table)
        .values(values as never)
        .onConflict((oc) => oc.columns(['realm_id', 'id']).doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never))
        .execute();
    }
  }

  async remove(realmId: string, entity: SyncedEntity, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const table = ENTITY_ROWS[entity].table as Table;
    await this.db.deleteFrom(table).where('realm_id', '=', realmId).where('id', 'in', ids).execute();
  }

  /** After a full sync of `entity`: rows it did not see were deleted in QuickBooks. */
  async sweep(realmId: string, entity: SyncedEntity, run: number): Promise<number> {
    const table = ENTITY_ROWS[entity].table as Table;
    const result = await this.db.deleteFrom(table).where('realm_id', '=', realmId).where('sync_run', '<>', run).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** After a bulk load: fresh planner statistics, so the first queries on the new rows plan well. */
  async analyze(entity: SyncedEntity): Promise<void> {
    await sql.raw(`analyze ${ENTITY_ROWS[entity].table}`).execute(this.db);
  }

  /** The ids of the copy's rows of `entity`. */
  async ids(realmId: string, entity: SyncedEntity): Promise<string[]> {
    const table = ENTITY_ROWS[entity].table as Table;
    const rows = await this.db.selectFrom(table).select('id').where('realm_id', '=', realmId).execute();
    return rows.map((row) => String(row.id));
  }

  async count(realmId: string, entity: SyncedEntity): Promise<number> {
    const table = ENTITY_ROWS[entity].table as Table;
    const row = await this.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('realm_id', '=', realmId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
