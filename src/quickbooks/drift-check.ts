import type { QuickBooksCopyRepository } from '../db/quickbooks-copy-repository';
import type { Logger } from '../logger';
import type { QuickBooksClient } from './client';
import { SYNCED_ENTITIES, type SyncedEntity } from './schemas';
import type { CompanySync } from './sync';

/** Counted every day: the entities the work list and the money rest on. */
const DAILY: readonly SyncedEntity[] = ['Invoice', 'Payment'];
/** The day of the week (UTC, 0 = Sunday) every synced entity is counted. */
const EVERY_ENTITY_ON = 0;

/**
 * The entities the daily drift check counts on `day`: Invoice and Payment every day, every
 * entity once a week. Each `COUNT(*)` is one metered read; counting all five every day would
 * cost a small company as many reads as everything else it does in a month.
 */
export function entitiesToCheck(day: Date): readonly SyncedEntity[] {
  return day.getUTCDay() === EVERY_ENTITY_ON ? SYNCED_ENTITIES : DAILY;
}

/** Every row of an entity, as the full sync reads it: a plain SELECT leaves inactive customers and terms out. */
function everyRow(entity: SyncedEntity): string {
  return entity === 'Customer' || entity === 'Term' ? 'WHERE Active IN (true, false)' : '';
}

export interface DriftDeps {
  client: Pick<QuickBooksClient, 'count'>;
  copy: Pick<QuickBooksCopyRepository, 'count'>;
  sync: Pick<CompanySync, 'reread'>;
  logger: Logger;
}

export interface EntityDrift {
  entity: SyncedEntity;
  quickbooks: number;
  copy: number;
}

export interface DriftReport {
  checked: SyncedEntity[];
  /** The entities whose counts differed (after the catch-up, when there was one), with the counts. */
  differing: EntityDrift[];
  /** Rows stored by the re-read of the differing entities. */
  reread: Record<string, number>;
}

/**
 * Checks that the copy has not drifted from QuickBooks, cheaply: one `SELECT COUNT(*)` per entity
 * against the rows the copy holds, and only an entity whose count differs is read again whole.
 * A difference can be a change not brought in yet (its webhook still on its way): given
 * `catchUp` (a CDC), the check runs it first and counts those entities again before re-reading.
 */
export class DriftCheck {
  constructor(private readonly deps: DriftDeps) {}

  async check(realmId: string, entities: readonly SyncedEntity[], catchUp?: () => Promise<unknown>): Promise<DriftReport> {
    let differing = await this.differing(realmId, entities);
    if (differing.length > 0 && catchUp) {
      await catchUp();
      differing = await this.differing(realmId, differing.map((d) => d.entity));
    }
    const reread = differing.length > 0 ? await this.deps.sync.reread(realmId, differing.map((d) => d.entity)) : {};
    if (differing.length > 0) this.deps.logger.warn({ realmId, differing, reread }, 'the copy had drifted from QuickBooks: those entities were read again');
    return { checked: [...entities], differing, reread };
  }

  private async differing(realmId: string, entities: readonly SyncedEntity[]): Promise<EntityDrift[]> {
    const counted = await Promise.all(
      entities.map(async (entity) => {
        const [quickbooks, copy] = await Promise.all([this.deps.client.count(realmId, entity, everyRow(entity)), this.deps.copy.count(realmId, entity)]);
        return { entity, quickbooks, copy };
      }),
    );
    return counted.filter((c) => c.quickbooks !== c.copy);
  }
}
