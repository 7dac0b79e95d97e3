import { BacktestRuns, type BacktestRun } from './backtest-runs';

const run = (id: string, realmId: string, startedAt: number, done = false): BacktestRun => ({
  id,
  realmId,
  from: '2026-01-01',
  to: '2026-03-31',
  tried: { levelDays: [1, 15, 30, 45], dunningGapDays: 3, minDaysBetweenLevels: 7 },
  changed: false,
  progress: { phase: 'replaying', done: 0, total: 90 },
  startedAt,
  ...(done ? { failed: 'stopped' } : {}),
});

describe('the back-test runs a web process keeps', () => {
  it('makes room by forgetting the oldest finished run, never a running one', () => {
    const runs = new BacktestRuns(3);
    expect(runs.keep(run('a', 'r1', 1))).toBe(true);
    expect(runs.keep(run('b', 'r2', 2, true))).toBe(true);
    expect(runs.keep(run('c', 'r3', 3, true))).toBe(true);
    expect(runs.keep(run('d', 'r4', 4))).toBe(true);
    expect(runs.get('a')).toBeDefined(); // the oldest, but still running
    expect(runs.get('b')).toBeUndefined(); // the oldest finished one
    expect(runs.get('c')).toBeDefined();
  });

  it('refuses a new run when every kept one is still running, and keeps them all', () => {
    const runs = new BacktestRuns(2);
    runs.keep(run('a', 'r1', 1));
    runs.keep(run('b', 'r2', 2));
    expect(runs.keep(run('c', 'r3', 3))).toBe(false);
    expect([runs.get('a')?.id, runs.get('b')?.id, runs.get('c')]).toEqual(['a', 'b', undefined]);
  });

  it("finds a company's run still going, not a finished one or another company's", () => {
    const runs = new BacktestRuns();
    runs.keep(run('a', 'r1', 1, true));
    runs.keep(run('b', 'r2', 2));
    expect(runs.runningFor('r1')).toBeUndefined();
    expect(runs.runningFor('r2')?.id).toBe('b');
  });
});
