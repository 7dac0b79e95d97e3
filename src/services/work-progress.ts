import type { Clock } from '../clock';
import type { WorkFigures, WorkProgressRepository, WorkProgressRow } from '../db/work-progress-repository';
import type { WorkKind } from '../db/schema';
import type { SyncProgress } from '../quickbooks/sync';

/** A run not heard from for this long (a worker killed mid-run, a job never picked up) is not shown as under way. */
export const STALLED_AFTER_MS = 10 * 60_000;

/** One step of a run as it starts, for whoever listens (the demo prints them). */
export interface WorkEvent {
  realmId: string;
  kind: WorkKind;
  state: 'queued' | 'running' | 'done' | 'failed';
  step: string;
  figures?: WorkFigures;
  error?: string;
}

export interface WorkProgressView {
  kind: WorkKind;
  state: WorkProgressRow['state'];
  /** Queued or running, and heard from lately. */
  active: boolean;
  step: string | null;
  /** Per entity: rows stored so far, and how many QuickBooks counted (full syncs). */
  entities: Array<{ entity: string; rows: number; total: number | null }>;
  accounts: number | null;
  messages: number | null;
  tasks: number | null;
  error: string | null;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface CompanyProgress {
  sync?: WorkProgressView;
  cadence?: WorkProgressView;
  /** Something is under way: the page keeps refreshing. */
  active: boolean;
}

/**
 * How far a company's long work has got (the sync, the daily run), kept where the web process
 * can read it while a worker does the work; the sync reports its rows through SyncProgress.
 */
export class WorkProgressService implements SyncProgress {
  private readonly listeners = new Set<(event: WorkEvent) => void>();

  constructor(private readonly deps: { progress: WorkProgressRepository; clock: Clock }) {}

  /** Calls `listener` with each step as it starts; the returned function stops it. */
  onStep(listener: (event: WorkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(event: WorkEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async queued(realmId: string, kind: WorkKind): Promise<void> {
    await this.deps.progress.queued(realmId, kind, this.deps.clock.now());
    this.tell({ realmId, kind, state: 'queued', step: 'queued' });
  }

  /**
   * Runs `work` as one run of `kind`: started, then done with the figures `summary` draws from
   * its result, or failed with its error (which goes on to the caller).
   */
  async track<T>(realmId: string, kind: WorkKind, step: string, work: () => Promise<T>, summary: (result: T) => WorkFigures): Promise<T> {
    await this.deps.progress.started(realmId, kind, step, this.deps.clock.now());
    this.tell({ realmId, kind, state: 'running', step });
    let result: T;
    try {
      result = await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.progress.finished(realmId, kind, { error: message }, this.deps.clock.now()).catch(() => undefined);
      this.tell({ realmId, kind, state: 'failed', step: 'failed', error: message });
      throw error;
    }
    const figures = summary(result);
    await this.deps.progress.finished(realmId, kind, figures, this.deps.clock.now());
    this.tell({ realmId, kind, state: 'done', step: figures.step ?? 'done', figures });
    return result;
  }

  /** A new step of a running run, with its figures so far. */
  async step(realmId: string, kind: WorkKind, step: string, figures: WorkFigures = {}): Promise<void> {
    await this.deps.progress.update(realmId, kind, { ...figures, step }, this.deps.clock.now());
    this.tell({ realmId, kind, state: 'running', step, figures });
  }

  async counted(realmId: string, entity: string, total: number): Promise<void> {
    await this.deps.progress.counted(realmId, entity, total, this.deps.clock.now());
  }

  async stored(realmId: string, entity: string, rows: number): Promise<void> {
    await this.deps.progress.stored(realmId, entity, rows, this.deps.clock.now());
  }

  async of(realmId: string): Promise<CompanyProgress> {
    const now = this.deps.clock.now().getTime();
    const views = (await this.deps.progress.of(realmId)).map((row) => view(row, now));
    const sync = views.find((v) => v.kind === 'sync');
    const cadence = views.find((v) => v.kind === 'cadence');
    return { sync, cadence, active: views.some((v) => v.active) };
  }
}

const ENTITY_ORDER = ['Customer', 'Invoice', 'Payment', 'CreditMemo', 'Term'];

function view(row: WorkProgressRow, now: number): WorkProgressView {
  const rows = row.rows ?? {};
  const totals = row.totals ?? {};
  const names = [...new Set([...Object.keys(totals), ...Object.keys(rows)])].sort((a, b) => rank(a) - rank(b));
  const underWay = row.state === 'queued' || row.state === 'running';
  return {
    kind: row.kind,
    state: row.state,
    active: underWay && now - new Date(row.updated_at).getTime() < STALLED_AFTER_MS,
    step: row.step,
    entities: names.map((entity) => ({ entity, rows: rows[entity] ?? 0, total: totals[entity] ?? null })),
    accounts: row.accounts,
    messages: row.messages,
    tasks: row.tasks,
    error: row.error,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function rank(entity: string): number {
  const i = ENTITY_ORDER.indexOf(entity);
  return i < 0 ? ENTITY_ORDER.length : i;
}
