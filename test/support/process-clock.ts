/**
 * Debian's `faketime` (libfaketime) moves a process's clock through its environment:
 * LD_PRELOAD loads the library, FAKETIME* say how far. The suite runs under it to prove that no
 * test depends on the real date.
 */
export function isFakedClockVariable(key: string): boolean {
  return key === 'LD_PRELOAD' || key === 'DONT_FAKE_MONOTONIC' || key.startsWith('FAKETIME');
}

/**
 * The variables that give a child process the test process's clock: under `faketime` the
 * `ardesk` processes a test starts (workers, the CLI) run on the same moved clock as the test
 * process and the app inside it, as the machines of one deployment share one time. Empty when
 * the suite runs on the real clock. The servers stay on the real clock (`realTimeEnv`).
 */
export function processClockEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (!process.env.LD_PRELOAD?.includes('faketime')) return env;
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && isFakedClockVariable(key)) env[key] = value;
  return env;
}
