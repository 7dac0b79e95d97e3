import type { Clock } from '../clock';
import { storableJson, storableText } from '../collections/storable-text';
import type { CompaniesRepository } from '../db/companies-repository';
import type { QuickBooksCopyRepository } from '../db/quickbooks-copy-repository';
import type { SyncReport, SyncStateRepository } from '../db/sync-state-repository';
import type { Logger } from '../logger';
import type { QuickBooksClient } from './client';
import { InFlight, MAX_IN_FLIGHT, PAGES_HELD } from './in-flight';
import { OpenFirstReads, twelveMonthsBefore } from './open-first-sync';
import { SYNCED_ENTITIES, parseEntity, type ParsedRow, type SyncedEntity } from './schemas';

export const PAGE_SIZE = 1000;
/** QuickBooks keeps 30 days of changes for CDC; older gaps need a full sync. */
const CDC_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** A CDC answer holds at most 1000 objects over all its entities; that many means some may have been cut off. */
const CDC_CAP = 1000;
/** The next CDC asks from a little before this one's answer, so a change at the edge is not lost. */
const CURSOR_OVERLAP_MS = 60_000;

/** `open-first`: the first sync after a connect, open part only; `backfill`: the history after it. */
export type SyncMode = 'full' | 'incremental' | 'auto' | 'open-first' | 'backfill';

export interface SyncDeps {
  client: QuickBooksClient;
  copy: QuickBooksCopyRepository;
  state: SyncStateRepository;
  companies: CompaniesRepository;
  clock: Clock;
  logger: Logger;
  /** Told what QuickBooks counted and what each page stored, for the company page's progress. */
  progress?: SyncProgress;
}

/** Where a running sync reports how far it has got. */
export interface SyncProgress {
  counted(realmId: string, entity: SyncedEntity, total: number): Promise<void>;
  stored(realmId: string, entity: SyncedEntity, rows: number): Promise<void>;
}

/** Entities QuickBooks deletes (names are only made inactive): their deletions need checking. */
const DELETABLE: ReadonlySet<SyncedEntity> = new Set(['Invoice', 'Payment', 'CreditMemo']);

/**
 * Keeps Ardesk's copy of one company in step with QuickBooks. A full sync counts each entity
 * and reads its pages (ordered by Id, 1000 at a time) up to 10 requests in flight for the
 * company, then sweeps rows QuickBooks no longer has. An incremental sync is one CDC call for all
 * entities since the last success; a capped answer is narrowed (see applyChanges) until every
 * entity's changes have arrived. The first sync after a connect reads the open part of the
 * company first (`open-first`) and its history later (`backfill`; see OpenFirstReads). An entity
 * that does not parse is skipped and reported; the rest of the sync completes.
 */
export class CompanySync {
  private readonly phases: OpenFirstReads;

  constructor(private readonly deps: SyncDeps) {
    this.phases = new OpenFirstReads({ client: deps.client, copy: deps.copy, store: (realmId, entity, rows, run, report) => this.store(realmId, entity, rows, run, report) });
  }

  async run(realmId: string, mode: SyncMode = 'auto'): Promise<SyncReport> {
    const started = this.deps.clock.now();
    try {
      const state = await this.deps.state.get(realmId);
      const cursor = state?.cdc_cursor ?? null;
      // No cursor yet, or a gap longer than CDC remembers: only a full sync (or an open-first one) can be right.
      const stale = !cursor || started.getTime() - cursor.getTime() > CDC_WINDOW_MS;
      const report =
        mode === 'open-first' && stale
          ? await this.openFirst(realmId)
          : mode === 'backfill' && cursor && state?.worklist_ready_at
            ? await this.backfill(realmId, cursor, { run: state.run, worklistReadyAt: state.worklist_ready_at, lastFullAt: state.last_full_at })
            : // A reconnect whose copy CDC can still bring up to date needs no first sync: its changes do.
              // The company's details are read with the entities, in the same ten requests in flight.
              mode === 'full' || mode === 'backfill' || stale
              ? await this.full(realmId, SYNCED_ENTITIES, () => this.refreshCompanyInfo(realmId))
              : await this.incremental(realmId, cursor);
      if (report.mode === 'open') await this.refreshCompanyInfo(realmId);
      // The history's backfill leaves the cursor where the open part put it: the CDCs since then stand.
      const next = report.mode === 'backfill' ? null : new Date(report.cursor.getTime() - CURSOR_OVERLAP_MS);
      await this.deps.state.succeeded(realmId, report, next, this.deps.clock.now());
      this.deps.logger.info({ realmId, mode: report.mode, counts: report.counts, skipped: report.skipped.length, ms: Date.now() - started.getTime() }, 'sync done');
      return report;
    } catch (error) {
      await this.deps.state.failed(realmId, error instanceof Error ? error.message : String(error), this.deps.clock.now());
      throw error;
    }
  }

  /**
   * Reads these entities whole again, as a full sync does (the drift check found their counts
   * differ); the CDC cursor stays where it is, since the other entities were not read. Rows that
   * do not parse are skipped and logged, as in a sync. The rows stored, by entity.
   */
  async reread(realmId: string, entities: readonly SyncedEntity[]): Promise<Record<string, number>> {
    return (await this.full(realmId, entities)).counts;
  }

  /** The open part of the company first (see OpenFirstReads): the work list can be made at its end. */
  private async openFirst(realmId: string): Promise<SyncReport & { cursor: Date }> {
    const cursor = this.deps.clock.now();
    const run = await this.deps.state.nextRun(realmId);
    const report: SyncReport & { cursor: Date } = { mode: 'open', counts: {}, skipped: [], cursor };
    await this.phases.openPart(realmId, run, twelveMonthsBefore(this.deps.clock.businessNow()), report);
    return report;
  }

  /**
   * The history after an open part, stamped with the company's current run (the open part's, or
   * a later full sync's), then swept. Nothing to read when a full sync has run since the open part.
   */
  private async backfill(realmId: string, cursor: Date, state: { run: number; worklistReadyAt: Date; lastFullAt: Date | null }): Promise<SyncReport & { cursor: Date }> {
    const report: SyncReport & { cursor: Date } = { mode: 'backfill', counts: {}, skipped: [], cursor };
    if (state.lastFullAt && state.lastFullAt >= state.worklistReadyAt) return report;
    // Starts no later than the open part's 12 months did (that was earlier): the two overlap, never leave a gap.
    await this.phases.history(realmId, Number(state.run), twelveMonthsBefore(this.deps.clock.businessNow()), report);
    return report;
  }

  /**
   * Every row of `entities`, 10 requests in flight for the whole company (QuickBooks' limit):
   * each entity's `COUNT(*)` at once, then the pages, the largest entity's first, so the last
   * pages to come are a small entity's, whose storing and statistics take no time at the end.
   * `alongside`, a request of the same run (the company's details), goes in the same ten.
   */
  private async full(realmId: string, entities: readonly SyncedEntity[], alongside?: () => Promise<void>): Promise<SyncReport & { cursor: Date }> {
    // The cursor is taken before reading: anything changed during the sync is seen again by the next CDC.
    const cursor = this.deps.clock.now();
    const run = await this.deps.state.nextRun(realmId);
    const report: SyncReport & { cursor: Date } = { mode: 'full', counts: {}, skipped: [], cursor };
    const pool = new InFlight(MAX_IN_FLIGHT);
    const pages = new InFlight(PAGES_HELD);
    const besides = alongside ? pool.run(alongside) : Promise.resolve();
    besides.catch(() => undefined); // awaited below, after the entities
    try {
      const totals = await Promise.all(entities.map((entity) => pool.run(() => this.deps.client.count(realmId, entity, whereOf(entity)))));
      await Promise.all(entities.map((entity, i) => this.deps.progress?.counted(realmId, entity, totals[i]!)));
      const largestFirst = entities.map((entity, i) => ({ entity, total: totals[i]! })).sort((a, b) => b.total - a.total);
      await Promise.all(largestFirst.map(({ entity, total }) => this.fullEntity(realmId, entity, total, run, report, pool, pages)));
    } catch (error) {
      // Never left running past the run; the entities' failure is the one reported.
      await besides.catch(() => undefined);
      throw error;
    }
    await besides;
    return report;
  }

  /**
   * One entity whole, `total` rows as its `COUNT(*)` said: the pages are read in parallel
   * (ordered by Id, 1000 a page). A row created after the count changed after the cursor, so
   * the next CDC brings it.
   */
  private async fullEntity(realmId: string, entity: SyncedEntity, total: number, run: number, report: SyncReport, pool: InFlight, held: InFlight): Promise<void> {
    const where = whereOf(entity);
    const starts = Array.from({ length: Math.ceil(total / PAGE_SIZE) }, (_, i) => 1 + i * PAGE_SIZE);
    const stored = await Promise.all(
      // A request's slot is freed as soon as its answer is in, so storing a page never holds one
      // back; at most PAGES_HELD pages are asked for or waiting to be stored at a time.
      starts.map((start) =>
        held.run(async () => {
          const page = await pool.run(() => this.deps.client.query(realmId, entity, `${where}ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${PAGE_SIZE}`));
          return this.store(realmId, entity, page.rows, run, report);
        }),
      ),
    );
    const count = stored.reduce((sum, n) => sum + n, 0);
    await this.deps.copy.sweep(realmId, entity, run);
    if (count >= PAGE_SIZE) await this.deps.copy.analyze(entity);
    report.counts[entity] = count;
  }

  private async incremental(realmId: string, cursor: Date): Promise<SyncReport & { cursor: Date }> {
    const asked = this.deps.clock.now();
    const { changes, time } = await this.deps.client.changesSince(realmId, [...SYNCED_ENTITIES], cursor);
    const report: SyncReport & { cursor: Date } = { mode: 'incremental', counts: {}, skipped: [], cursor: time && !Number.isNaN(Date.parse(time)) ? new Date(time) : asked };
    const run = Number((await this.deps.state.get(realmId))?.run ?? 0);
    await this.applyChanges(realmId, [...SYNCED_ENTITIES], cursor, changes, run, report);
    return report;
  }

  /**
   * Applies one CDC answer over `entities`. An answer of CDC_CAP objects may have been cut off
   * anywhere (the cap is for the whole answer, and CDC has no paging), so it is narrowed until
   * every entity's changes are known: the entity the answer holds most of is read by a paged
   * `MetaData.LastUpdatedTime` query of its own, the others are asked for again in one CDC
   * (narrowed again if that one is capped too). Never a full re-read.
   */
  private async applyChanges(realmId: string, entities: SyncedEntity[], since: Date, changes: Record<string, Array<Record<string, unknown>>>, run: number, report: SyncReport): Promise<void> {
    const total = entities.reduce((sum, entity) => sum + (changes[entity]?.length ?? 0), 0);
    if (total < CDC_CAP) {
      for (const entity of entities) await this.applyEntityChanges(realmId, entity, changes[entity] ?? [], run, report);
      return;
    }
    const heaviest = [...entities].sort((a, b) => (changes[b]?.length ?? 0) - (changes[a]?.length ?? 0))[0]!;
    const rest = entities.filter((entity) => entity !== heaviest);
    this.deps.logger.info({ realmId, total, heaviest, rest }, 'CDC answer capped: narrowing it');
    if (rest.length > 0) {
      const again = await this.deps.client.changesSince(realmId, rest, since);
      await this.applyChanges(realmId, rest, since, again.changes, run, report);
    }
    await this.changedByQuery(realmId, heaviest, since, changes[heaviest] ?? [], run, report);
  }

  private async applyEntityChanges(realmId: string, entity: SyncedEntity, rows: Array<Record<string, unknown>>, run: number, report: SyncReport): Promise<void> {
    const deleted = rows.filter((row) => row.status === 'Deleted').map((row) => storableText(String(row.Id)));
    await this.deps.copy.remove(realmId, entity, deleted);
    const stored = await this.store(realmId, entity, rows.filter((row) => row.status !== 'Deleted'), run, report);
    report.counts[entity] = (report.counts[entity] ?? 0) + stored + deleted.length;
  }

  /**
   * One entity's changes since `since` when a capped CDC answer held only some of them (`seen`):
   * `COUNT(*)` of the rows changed since then says whether `seen` already holds them all; if not,
   * they are read by a query paged by Id. Deletions do not show in a query: the deletions `seen`
   * holds are applied, and for an entity QuickBooks can delete, a `COUNT(*)` of the whole entity
   * checks the copy; only if it differs are the ids read (not the rows) to find what is gone.
   */
  private async changedByQuery(realmId: string, entity: SyncedEntity, since: Date, seen: Array<Record<string, unknown>>, run: number, report: SyncReport): Promise<void> {
    const active = entity === 'Customer' || entity === 'Term' ? 'Active IN (true, false) AND ' : '';
    const where = `WHERE ${active}MetaData.LastUpdatedTime >= '${queryDateTime(since)}'`;
    const live = seen.filter((row) => row.status !== 'Deleted');
    const tombstones = seen.filter((row) => row.status === 'Deleted');
    const changed = await this.deps.client.count(realmId, entity, where);
    if (changed === live.length) {
      await this.applyEntityChanges(realmId, entity, seen, run, report);
    } else {
      await this.applyEntityChanges(realmId, entity, tombstones, run, report);
      for (let start = 1; start <= changed; start += PAGE_SIZE) {
        const page = await this.deps.client.query(realmId, entity, `${where} ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${PAGE_SIZE}`);
        report.counts[entity] = (report.counts[entity] ?? 0) + (await this.store(realmId, entity, page.rows, run, report));
        if (page.rows.length < PAGE_SIZE) break;
      }
    }
    if (!DELETABLE.has(entity)) return;
    const everything = await this.deps.client.count(realmId, entity, active ? `WHERE ${active.replace(/ AND $/, '')}` : '');
    if (everything === (await this.deps.copy.count(realmId, entity))) return;
    const present = new Set<string>();
    for (let start = 1; ; start += PAGE_SIZE) {
      const ids = await this.deps.client.ids(realmId, entity, `${active ? `WHERE ${active.replace(/ AND $/, '')} ` : ''}ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${PAGE_SIZE}`);
      for (const id of ids) present.add(id);
      if (ids.length < PAGE_SIZE) break;
    }
    const gone = (await this.deps.copy.ids(realmId, entity)).filter((id) => !present.has(id));
    await this.deps.copy.remove(realmId, entity, gone);
    report.counts[entity] = (report.counts[entity] ?? 0) + gone.length;
    this.deps.logger.info({ realmId, entity, gone: gone.length }, 'deletions found by comparing ids after a capped CDC answer');
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
    await this.deps.progress?.stored(realmId, entity, rows.length);
    return rows.length;
  }

  private async refreshCompanyInfo(realmId: string): Promise<void> {
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

/** SELECT * FROM Customer returns active customers only (and Term active terms); collections need the inactive too. */
function whereOf(entity: SyncedEntity): string {
  return entity === 'Customer' || entity === 'Term' ? 'WHERE Active IN (true, false) ' : '';
}

/**
 * A date-time as QuickBooks' query language writes it (`2026-11-20T09:00:00+00:00`, as in Intuit's
 * examples, without milliseconds), rounded down to the second so nothing at the edge is left out.
 */
export function queryDateTime(instant: Date): string {
  return `${instant.toISOString().slice(0, 19)}+00:00`;
}
