import { backtestDays, type BacktestOptions, type BacktestReport } from '../collections/backtest';
import type { ReceivablesHistory } from '../collections/receivables-as-of';
import type { LocalDate } from '../collections/calendar';
import { playbookSettings, type PlaybookSettings } from '../collections/settings';
import type { BacktestRepository } from '../db/backtest-repository';
import type { CompanySettingsService } from './company-settings';

export interface BacktestProgress {
  phase: 'loading' | 'replaying';
  /** Days replayed so far, of `total` (for every run of a comparison together). */
  done: number;
  total: number;
}

export interface BacktestRequest {
  realmId: string;
  from: LocalDate;
  to: LocalDate;
  /** Settings that differ from the company's for this back-test only (nothing is saved). */
  overrides?: Partial<PlaybookSettings>;
  onProgress?: (progress: BacktestProgress) => void;
}

export interface BacktestComparison {
  baseline: BacktestReport;
  variant: BacktestReport;
}

export interface BacktestDeps {
  settings: Pick<CompanySettingsService, 'company' | 'settingsOf'>;
  history: Pick<BacktestRepository, 'loadHistory'>;
}

/**
 * The playbook replayed on a company's own history (issue 25): the history is read once, the
 * pure back-test runs over it with the company's settings (or overrides of them), and nothing
 * is sent or written.
 */
/** Lets the event loop answer what waits (other requests, the progress page) between turns of a replay. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The back-test taking turns with the rest of the process: after about `turnMs` of work it
 * awaits `pause` (the web process's lets the event loop answer other requests), so a year's
 * replay never holds the process for more than a moment. The report's timings are measured here.
 */
export async function runBacktestInTurns(history: ReceivablesHistory, options: BacktestOptions, pause: () => Promise<void>, turnMs = 50): Promise<BacktestReport> {
  const days = backtestDays(history, { stopwatch: () => performance.now(), ...options });
  let since = performance.now();
  for (;;) {
    const step = days.next();
    if (step.done) return step.value;
    if (performance.now() - since >= turnMs) {
      await pause();
      since = performance.now();
    }
  }
}

export class BacktestService {
  constructor(private readonly deps: BacktestDeps) {}

  async run(request: BacktestRequest): Promise<BacktestReport> {
    const [report] = await this.replay(request, [request.overrides ?? {}]);
    return report!;
  }

  /** The company's settings and `variant` side by side, on the same history. */
  async compare(request: BacktestRequest & { variant: Partial<PlaybookSettings> }): Promise<BacktestComparison> {
    const [baseline, variant] = await this.replay(request, [request.overrides ?? {}, { ...request.overrides, ...request.variant }]);
    return { baseline: baseline!, variant: variant! };
  }

  private async replay(request: BacktestRequest, variants: Array<Partial<PlaybookSettings>>): Promise<BacktestReport[]> {
    if (request.from > request.to) throw new RangeError(`the back-test window ends (${request.to}) before it starts (${request.from})`);
    const company = await this.deps.settings.company(request.realmId);
    const base = await this.deps.settings.settingsOf(request.realmId, company.timezone);
    const settings = variants.map((v) => playbookSettings({ ...base, ...v }));
    request.onProgress?.({ phase: 'loading', done: 0, total: 0 });
    const history = await this.deps.history.loadHistory(request.realmId, base.timezone);
    const reports: BacktestReport[] = [];
    let before = 0;
    let days = 0;
    for (const each of settings) {
      const report = await runBacktestInTurns(history, {
        from: request.from,
        to: request.to,
        settings: each,
        onProgress: ({ done, total }) => {
          days = total;
          request.onProgress?.({ phase: 'replaying', done: before + done, total: total * settings.length });
        },
      }, nextTurn);
      before += days;
      reports.push(report);
    }
    return reports;
  }
}
