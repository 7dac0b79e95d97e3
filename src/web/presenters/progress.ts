import type { CompanyProgress, WorkProgressView } from '../../services/work-progress';

/** QuickBooks' entities in a collector's words, one and many. */
const ENTITY_WORDS: Readonly<Record<string, [string, string]>> = {
  Customer: ['customer', 'customers'],
  Invoice: ['invoice', 'invoices'],
  Payment: ['payment', 'payments'],
  CreditMemo: ['credit memo', 'credit memos'],
  Term: ['payment term', 'payment terms'],
};

export function entityWords(entity: string, n: number): string {
  const [one, many] = ENTITY_WORDS[entity] ?? [entity, entity];
  return n === 1 ? one : many;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export interface ProgressLine {
  /** The run in a sentence ("Reading from QuickBooks…", "Finished: …"). */
  headline: string;
  /** Per entity while a sync reads: rows so far and, for a full sync, out of how many. */
  bars: Array<{ label: string; value: number; max: number | null }>;
  active: boolean;
  state: WorkProgressView['state'];
  /** When it finished (for the page to write in the company's time). */
  finishedAt: Date | null;
  /** Done: the work list is ready. */
  done: boolean;
  error: string | null;
}

function syncLine(sync: WorkProgressView): ProgressLine {
  const bars = sync.entities.map((e) => ({ label: `${Math.min(e.rows, e.total ?? e.rows).toLocaleString('en-US')}${e.total !== null ? ` of ${e.total.toLocaleString('en-US')}` : ''} ${entityWords(e.entity, e.total ?? e.rows)}`, value: e.total !== null ? Math.min(e.rows, e.total) : e.rows, max: e.total }));
  const read = sync.entities.filter((e) => e.rows > 0).map((e) => count(e.rows, entityWords(e.entity, 1), entityWords(e.entity, 2)));
  const base = { bars, active: sync.active, state: sync.state, finishedAt: sync.finishedAt, error: sync.error };
  switch (sync.state) {
    case 'queued':
      return { ...base, bars: [], headline: sync.active ? 'Sync asked for: waiting for a worker to start it…' : 'Sync asked for, but no worker has started it for a while.', done: false };
    case 'running': {
      const full = sync.entities.some((e) => e.total !== null);
      const headline = !sync.active ? 'The sync stopped answering; the next one picks up from here.' : full ? 'Reading everything from QuickBooks…' : 'Asking QuickBooks what has changed…';
      return { ...base, headline, done: false };
    }
    case 'failed':
      return { ...base, bars: [], headline: 'The last sync did not finish.', done: false };
    default:
      return { ...base, bars: [], headline: `Sync finished: ${read.length ? read.join(', ') : 'nothing new'}.`, done: true };
  }
}

function cadenceLine(run: WorkProgressView): ProgressLine {
  const base = { bars: [], active: run.active, state: run.state, finishedAt: run.finishedAt, error: run.error };
  const accounts = run.accounts ?? 0;
  switch (run.state) {
    case 'queued':
      return { ...base, headline: run.active ? "The day's run is next: it starts when the sync's copy is stored…" : "The day's run was asked for, but no worker has started it for a while.", done: false };
    case 'running': {
      if (!run.active) return { ...base, headline: "The day's run stopped answering; the next one picks up from here.", done: false };
      const headline =
        run.step === 'deciding' ? `Deciding what to do for ${count(accounts, 'account', 'accounts')}…` : run.step === 'recording' ? `Queuing messages and calls for ${count(accounts, 'account', 'accounts')}…` : "The day's run is reading the accounts…";
      return { ...base, headline, done: false };
    }
    case 'failed':
      return { ...base, headline: "The day's run did not finish.", done: false };
    default:
      return {
        ...base,
        headline: `The day's run finished: ${count(accounts, 'account', 'accounts')} decided, ${count(run.messages ?? 0, 'message', 'messages')} queued, ${count(run.tasks ?? 0, 'new call', 'new calls')} to make.`,
        done: true,
      };
  }
}

/** The company page's progress panel: the latest sync and daily run in words. */
export function presentProgress(progress: CompanyProgress): { sync?: ProgressLine; cadence?: ProgressLine; active: boolean; any: boolean } {
  return { sync: progress.sync && syncLine(progress.sync), cadence: progress.cadence && cadenceLine(progress.cadence), active: progress.active, any: Boolean(progress.sync || progress.cadence) };
}
