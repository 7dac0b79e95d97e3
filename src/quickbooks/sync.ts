import type { Clock } from '../clock';
import { storableJson, storableText } from '../collections/storable-text';
import type { CompaniesRepository } from '../db/companies-repository';
import type { QuickBooksCopyRepository } from '../db/quickbooks-copy-repository';
import type { SyncReport, SyncStateRepository } from '../db/sync-state-repository';
import type { Logger } from '../logger';
import type { QuickBooksClient } from './client';
import { SYNCED_ENTITIES, parseEntity, type ParsedRow, type SyncedEntity } from './schemas';

export const PAGE_SIZE = 1000;
/** QuickBooks keeps 30 days of changes for CDC; older gaps need a full sync. */
const CDC_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** A CDC answer holds at most 1000 objects; that many means some were cut off. */
const CDC_CAP = 1000;
/** The next CDC asks from a little before this one's answer, so a change at the edge is not lost. */
const CURSOR_OVERLAP_MS = 60_000;

export type SyncMode = 'full' | 'incremental' | 'auto';

export interface SyncDeps {
  client: QuickBooksClient;
  copy: QuickBooksCopyRepository;
  state: SyncStateRepository;
  companies: CompaniesRepository;
  clock: Clock;
  logger: Logger;
}

/**
 * Keeps Ardesk's copy of one company in step with QuickBooks. A full sync pages every entity
 * ordered by Id, 1000 at a time, stopping on a short page, then sweeps rows QuickBooks no longer
 * has. An incremental sync is one CDC call for all entities since the last success. An entity that
 * does not parse is skipped and reported; the rest of the sync completes.
 */
export class CompanySync {
  constructor(private readonly deps: SyncDeps) {}

  async run(realmId: string, mode: SyncMode = 'auto'): Promise<SyncReport> {
    const started = this.deps.clock.now();
    try {
      const state = await this.deps.state.get(realmId);
      const cursor = state?.cdc_cursor ?? null;
      // No cursor yet, or a gap longer than CDC remembers: only a full sync can be right.
      const report =
        mode === 'full' || !cursor || started.getTime() - cursor.getTime() > CDC_WINDOW_MS
          ? await this.full(realmId, SYNCED_ENTITIES)
          : await this.incremental(realmId, cursor);
      await this.refreshCompanyInfo(realmId, report.mode === 'full');
      await this.deps.state.succeeded(realmId, report, new Date(report.cursor.getTime() - CURSOR_OVERLAP_MS), this.deps.clock.now());
      this.deps.logger.info({ realmId, mode: report.mode, counts: report.counts, skipped: report.skipped.length, ms: Date.now() - started.getTime() }, 'sync done');
      return report;
    } catch (error) {
      await this.deps.state.failed(realmId, error instanceof Error ? error.message : String(error), this.deps.clock.now());
      throw error;
    }
  }

  private async full(realmId: string, entities: readonly SyncedEntity[]): Promise<SyncReport & { cursor: Date }> {
    // The cursor is taken before reading: anything changed during the sync is seen again by the next CDC.
    const cursor = this.deps.clock.now();
    const run = await this.deps.state.nextRun(realmId);
    const report: SyncReport & { cursor: Date } = { mode: 'full', counts: {}, skipped: [], cursor };
    await Promise.all(entities.map((entity) => this.fullEntity(realmId, entity, run, report)));
    return report;
  }

  private async fullEntity(realmId: string, entity: SyncedEntity, run: number, report: SyncReport): Promise<void> {
    // SELECT * FROM Customer returns active customers only; collections need the inactive too.
    const where = entity === 'Customer' || entity === 'Term' ? 'WHERE Active IN (true, false) ' : '';
    let count = 0;
    for (let start = 1; ; start += PAGE_SIZE) {
      const page = await this.deps.client.query(realmId, entity, `${where}ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${PAGE_SIZE}`);
      count += await this.store(realmId, entity, page.rows, run, report);
      if (page.rows.length < PAGE_SIZE) break;
    }
    await this.deps.copy.sweep(realmId, entity, run);
    if (count >= PAGE_SIZE) await this.deps.copy.analyze(entity);
    report.counts[entity] = count;
  }

  private async incremental(realmId: string, cursor: Date): Promise<SyncReport & { cursor: Date }> {
    const asked = this.deps.clock.now();
    const { changes, time } = await this.deps.client.changesSince(realmId, [...SYNCED_ENTITIES], cursor);
    const report: SyncReport & { cursor: Date } = { mode: 'incremental', counts: {}, skipped: [], cursor: time && !Number.isNaN(Date.parse(time)) ? new Date(time) : asked };
    const total = Object.values(changes).reduce((sum, rows) => sum + rows.length, 0);
    if (total >= CDC_CAP) {
      // The answer was cut off: what changed cannot be known from it, so read those entities whole.
      const touched = SYNCED_ENTITIES.filter((entity) => (changes[entity]?.length ?? 0) > 0);
      this.deps.logger.warn({ realmId, total, touched }, 'CDC answer truncated: full sync of the entities it touched');
      const full = await this.full(realmId, touched);
      return { ...full, mode: 'full', cursor: full.cursor };
    }
    const run = (await this.deps.state.get(realmId))?.run ?? 0;
    for (const entity of SYNCED_ENTITIES) {
      const rows = changes[entity] ?? [];
      const deleted = rows.filter((row) => row.status === 'Deleted').map((row) => storableText(String(row.Id)));
      await this.deps.copy.remove(realmId, entity, deleted);
      const stored = await this.store(realmId, entity, rows.filter((row) => row.status !== 'Deleted'), Number(run), report);
      report.counts[entity] = stored + deleted.length;
    }
    return report;
  }

  private async store(realmId: string, entity: SyncedEntity, raw: Array<Record<string, unknown>>, run: number, report: SyncReport): Promise<number> {
    const rows: ParsedRow[] = [];
    for (const item of raw) {
      const outcome = parseEntity(entity, item);
      if (outcome.ok) rows.push(outcome.row);
      else {
        report.skipped.push({ entity, id: outcome.id, reason: outcome.reason });
        this.deps.logger.warn({ realmId, entity, id: outcome.id, reason: outcome.reason }, 'QuickBooks entity skipped: it does not parse');
      }
    }
    await this.deps.copy.upsert(realmId, entity, rows, run);
    return rows.length;
  }

  private async refreshCompanyInfo(realmId: string, always: boolean): Promise<void> {
    if (!always) return;
    const company = await this.deps.companies.find(realmId);
    if (!company) return;
    const info = storableJson(await this.deps.client.companyInfo(realmId)) as Awaited<ReturnType<QuickBooksClient['companyInfo']>>;
    await this.deps.companies.upsert({
      realm_id: realmId,
      name: info.CompanyName || company.name,
      status: company.status,
      country: info.Country ?? company.country,
      email: info.Email?.Address ?? company.email,
      phone: info.PrimaryPhone?.FreeFormNumber ?? company.phone,
      address: info.CompanyAddr ? JSON.stringify(info.CompanyAddr) : undefined,
    });
  }
}
