import { sql } from 'kysely';
import type { Db } from './database';
import type { WorkKind, WorkProgressTable } from './schema';
import type { Selectable } from 'kysely';

export type WorkProgressRow = Selectable<WorkProgressTable>;

/** What a run's last update carried besides its state: the step and the figures so far. */
export interface WorkFigures {
  step?: string | null;
  accounts?: number | null;
  messages?: number | null;
  tasks?: number | null;
}

/** The latest sync and daily run of each company, as far as they have got (work_progress). */
export class WorkProgressRepository {
  constructor(private readonly db: Db) {}

  async of(realmId: string): Promise<WorkProgressRow[]> {
    return this.db.selectFrom('work_progress').selectAll().where('realm_id', '=', realmId).execute();
  }

  /** Asked for and waiting for a worker; a run already under way stays as it is. */
  async queued(realmId: string, kind: WorkKind, at: Date): Promise<void> {
    await this.db
      .insertInto('work_progress')
      .values({ realm_id: realmId, kind, state: 'queued', queued_at: at, updated_at: at })
      .onConflict((oc) =>
        oc
          .columns(['realm_id', 'kind'])
          .doUpdateSet({ state: 'queued', queued_at: at, updated_at: at, error: null })
          .where('work_progress.state', '!=', 'running'),
      )
      .execute();
  }

  /** A new run: the figures of the last one are forgotten. */
  async started(realmId: string, kind: WorkKind, step: string, at: Date): Promise<void> {
    const fresh = { state: 'running' as const, step, rows: '{}', totals: '{}', accounts: null, messages: null, tasks: null, error: null, started_at: at, finished_at: null, updated_at: at };
    await this.db
      .insertInto('work_progress')
      .values({ realm_id: realmId, kind, ...fresh })
      .onConflict((oc) => oc.columns(['realm_id', 'kind']).doUpdateSet(fresh))
      .execute();
  }

  async update(realmId: string, kind: WorkKind, figures: WorkFigures, at: Date): Promise<void> {
    await this.db.updateTable('work_progress').set({ ...figures, updated_at: at }).where('realm_id', '=', realmId).where('kind', '=', kind).execute();
  }

  /** QuickBooks counted `total` rows of `entity` for the running sync. */
  async counted(realmId: string, entity: string, total: number, at: Date): Promise<void> {
    await this.db
      .updateTable('work_progress')
      .set({ totals: sql`jsonb_set(totals, array[${entity}::text], to_jsonb(${total}::int))`, updated_at: at })
      .where('realm_id', '=', realmId)
      .where('kind', '=', 'sync')
      .execute();
  }

  /** `rows` more rows of `entity` stored by the running sync (pages land in parallel: added in SQL). */
  async stored(realmId: string, entity: string, rows: number, at: Date): Promise<void> {
    await this.db
      .updateTable('work_progress')
      .set({ rows: sql`jsonb_set(rows, array[${entity}::text], to_jsonb(coalesce((rows ->> ${entity}::text)::int, 0) + ${rows}::int))`, updated_at: at })
      .where('realm_id', '=', realmId)
      .where('kind', '=', 'sync')
      .execute();
  }

  async finished(realmId: string, kind: WorkKind, outcome: { error?: string } & WorkFigures, at: Date): Promise<void> {
    const { error, ...figures } = outcome;
    await this.db
      .updateTable('work_progress')
      .set({ ...figures, state: error ? 'failed' : 'done', error: error ? error.slice(0, 500) : null, finished_at: at, updated_at: at })
      .where('realm_id', '=', realmId)
      .where('kind', '=', kind)
      .execute();
  }
}
