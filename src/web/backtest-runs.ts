import type { BacktestReport } from '../collections/backtest';
import type { LocalDate } from '../collections/calendar';
import type { PlaybookSettings } from '../collections/settings';
import type { BacktestProgress } from '../services/backtest';

/** The settings a person may try on the back-test page (nothing is saved). */
export type Tried = Pick<PlaybookSettings, 'levelDays' | 'dunningGapDays' | 'minDaysBetweenLevels'>;

export interface BacktestRun {
  id: string;
  realmId: string;
  from: LocalDate;
  to: LocalDate;
  tried: Tried;
  changed: boolean;
  progress: BacktestProgress;
  result?: { baseline: BacktestReport; variant?: BacktestReport };
  failed?: string;
  startedAt: number;
}

const finished = (run: BacktestRun) => Boolean(run.result || run.failed);

/**
 * The back-test runs this web process keeps, up to `capacity`: a new run takes the place of the
 * oldest finished one; a running one is never dropped (its page would vanish mid-run), so when
 * every kept run is still running a new one is refused.
 */
export class BacktestRuns {
  private readonly runs = new Map<string, BacktestRun>();

  constructor(private readonly capacity = 20) {}

  /** Keeps `run`; false when all `capacity` kept runs are still running. */
  keep(run: BacktestRun): boolean {
    if (this.runs.size >= this.capacity) {
      const oldest = [...this.runs.values()].filter(finished).sort((a, b) => a.startedAt - b.startedAt)[0];
      if (!oldest) return false;
      this.runs.delete(oldest.id);
    }
    this.runs.set(run.id, run);
    return true;
  }

  get(id: string): BacktestRun | undefined {
    return this.runs.get(id);
  }

  /** The company's run still going, if any: one at a time per company. */
  runningFor(realmId: string): BacktestRun | undefined {
    return [...this.runs.values()].find((run) => run.realmId === realmId && !finished(run));
  }
}
