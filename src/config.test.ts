import { ConfigError, loadConfig, loadDatabaseConfig } from './config';
import { testEnv } from '../test/support/env';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('accepts a complete environment and derives the defaults', () => {
    const config = loadConfig(testEnv({ PORT: '4000', DATA_DIR: '/tmp/x', REDIS_URL: undefined, INTUIT_REDIRECT_URI: undefined }));
    expect(config.port).toBe(4000);
    expect(config.publicUrl).toBe('http://localhost:4000');
    expect(config.intuit.redirectUri).toBe('http://localhost:4000/callback');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.tokenKeys).toHaveLength(1);
    expect(config.tokenKeys[0]!.id).toBe('k1');
    expect(config.tokenKeys[0]!.key).toHaveLength(32);
    expect(Object.isFrozen(config.intuit)).toBe(true);
  });

  it('names TOKEN_ENCRYPTION_KEY when it is too short, without echoing it', () => {
    const problems = problemsOf(testEnv({ TOKEN_ENCRYPTION_KEY: 'short' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TOKEN_ENCRYPTION_KEY /);
    expect(problems[0]).toContain('32 bytes');
    expect(problems.join()).not.toContain('short ');
  });

  it('reports every bad variable at once, one line each', () => {
    const problems = problemsOf(testEnv({ SESSION_SECRET: undefined, PORT: 'eighty', INTUIT_ENVIRONMENT: 'staging', REDIS_URL: 'http://x', MAIL_FROM: 'nobody' }));
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['INTUIT_ENVIRONMENT', 'MAIL_FROM', 'PORT', 'REDIS_URL', 'SESSION_SECRET']);
    expect(problems.find((p) => p.startsWith('SESSION_SECRET'))).toContain('is required');
  });

  it('requires QBO_LOCAL_URL for the local sandbox and PUBLIC_URL in production', () => {
    expect(problemsOf(testEnv({ QBO_LOCAL_URL: undefined }))).toEqual([expect.stringMatching(/^QBO_LOCAL_URL is required when INTUIT_ENVIRONMENT=local/)]);
    expect(problemsOf(testEnv({ NODE_ENV: 'production' }))).toEqual([expect.stringMatching(/^PUBLIC_URL is required in production/)]);
  });

  it('reads a key rotation list: the first key encrypts, all decrypt', () => {
    const oldKey = 'a'.repeat(64);
    const newKey = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig(testEnv({ TOKEN_ENCRYPTION_KEY: `k2:${newKey},k1:${oldKey}` }));
    expect(config.tokenKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(problemsOf(testEnv({ TOKEN_ENCRYPTION_KEY: `k1:${oldKey},k1:${oldKey}` }))[0]).toContain('used twice');
  });

  it('validates ARDESK_NOW, API_TOKEN and SMTP_URL', () => {
    expect(loadConfig(testEnv({ ARDESK_NOW: '2026-03-02T09:30:00-05:00' })).frozenNow?.toISOString()).toBe('2026-03-02T14:30:00.000Z');
    const problems = problemsOf(testEnv({ ARDESK_NOW: 'tomorrow', API_TOKEN: 'abc', SMTP_URL: 'mail.example.com' }));
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['API_TOKEN', 'ARDESK_NOW', 'SMTP_URL']);
  });

  it('sizes the database pool for every job slot by default, and takes each queue\'s concurrency and the pool as settings', () => {
    const defaults = loadConfig(testEnv());
    expect(defaults.concurrency).toEqual({ sync: 8, cadence: 2, mail: 32, notes: 2, maintenance: 1 });
    const slots = Object.values(defaults.concurrency).reduce((sum, n) => sum + n, 0);
    expect(defaults.databasePoolSize).toBeGreaterThanOrEqual(slots);
    const tuned = loadConfig(testEnv({ SYNC_CONCURRENCY: '10', CADENCE_CONCURRENCY: '5', MAIL_CONCURRENCY: '8', NOTES_CONCURRENCY: '3', MAINTENANCE_CONCURRENCY: '2' }));
    expect(tuned.concurrency).toEqual({ sync: 10, cadence: 5, mail: 8, notes: 3, maintenance: 2 });
    expect(tuned.databasePoolSize).toBeGreaterThanOrEqual(28);
    expect(loadConfig(testEnv({ DATABASE_POOL_SIZE: '12' })).databasePoolSize).toBe(12);
    const problems = problemsOf(testEnv({ SYNC_CONCURRENCY: '0', DATABASE_POOL_SIZE: 'lots' }));
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['DATABASE_POOL_SIZE', 'SYNC_CONCURRENCY']);
    expect(problems.find((p) => p.startsWith('SYNC_CONCURRENCY'))).toContain('at least 1');
  });

  it('takes the daily jobs\' windows as HH:MM-HH:MM of the company\'s day: the nightly reconcile from 03:30 over two hours and the playbook from 07:00 over ten minutes by default', () => {
    expect(loadConfig(testEnv()).syncSchedule.windows).toEqual({ reconcile: { startMinute: 210, windowMinutes: 120 }, cadence: { startMinute: 420, windowMinutes: 10 } });
    expect(loadConfig(testEnv({ RECONCILE_WINDOW: '01:00-04:15', CADENCE_WINDOW: ' 06:45-08:00 ' })).syncSchedule.windows).toEqual({ reconcile: { startMinute: 60, windowMinutes: 195 }, cadence: { startMinute: 405, windowMinutes: 75 } });
    // Empty is unset; a window may close at midnight.
    expect(loadConfig(testEnv({ RECONCILE_WINDOW: '', CADENCE_WINDOW: '22:30-24:00' })).syncSchedule.windows.cadence).toEqual({ startMinute: 1350, windowMinutes: 90 });
  });

  it.each([
    ['3:30-5:30', "RECONCILE_WINDOW must be a window of the day as HH:MM-HH:MM (24-hour, each company's own time zone), e.g. 03:30-05:30"],
    ['03:30', "RECONCILE_WINDOW must be a window of the day as HH:MM-HH:MM (24-hour, each company's own time zone), e.g. 03:30-05:30"],
    ['03:30+120', "RECONCILE_WINDOW must be a window of the day as HH:MM-HH:MM (24-hour, each company's own time zone), e.g. 03:30-05:30"],
    ['03:60-05:30', "RECONCILE_WINDOW must be a window of the day as HH:MM-HH:MM (24-hour, each company's own time zone), e.g. 03:30-05:30"],
    ['24:00-24:30', 'RECONCILE_WINDOW must use times from 00:00 to 23:59 (24:00 only as the closing time)'],
    ['03:30-03:30', 'RECONCILE_WINDOW must close after it opens, the same day: a window cannot run past midnight (24:00 at the latest), e.g. 22:00-24:00'],
    ['23:00-01:00', 'RECONCILE_WINDOW must close after it opens, the same day: a window cannot run past midnight (24:00 at the latest), e.g. 22:00-24:00'],
    ['00:00-24:00', 'RECONCILE_WINDOW must be shorter than a whole day'],
  ])('refuses RECONCILE_WINDOW=%s, saying what a window must be', (value, problem) => {
    // The cadence window out of the way, so this line is the only one.
    expect(problemsOf(testEnv({ RECONCILE_WINDOW: value, CADENCE_WINDOW: '23:50-24:00' }))).toEqual([problem]);
  });

  it('refuses a playbook window that opens before the nightly reconcile\'s has closed, naming both', () => {
    const overlap = "CADENCE_WINDOW must open when RECONCILE_WINDOW (03:30-05:30) has closed, or later: the morning playbook runs on the copy the night's reconcile brought up to date";
    expect(problemsOf(testEnv({ CADENCE_WINDOW: '05:00-06:00' }))).toEqual([overlap]);
    expect(problemsOf(testEnv({ CADENCE_WINDOW: '02:00-02:30' }))).toEqual([overlap]);
    expect(problemsOf(testEnv({ RECONCILE_WINDOW: '06:00-08:00' }))).toEqual(["CADENCE_WINDOW must open when RECONCILE_WINDOW (06:00-08:00) has closed, or later: the morning playbook runs on the copy the night's reconcile brought up to date"]);
    // Right as the reconcile's closes is fine; a bad window is reported alone.
    expect(loadConfig(testEnv({ CADENCE_WINDOW: '05:30-05:40' })).syncSchedule.windows.cadence).toEqual({ startMinute: 330, windowMinutes: 10 });
    expect(problemsOf(testEnv({ CADENCE_WINDOW: 'at seven' }))).toEqual([expect.stringMatching(/^CADENCE_WINDOW must be a window of the day as HH:MM-HH:MM/)]);
  });

  it('needs only the database variables for migrations', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'postgres://u@h/db' })).toEqual({ databaseUrl: 'postgres://u@h/db', dataDir: expect.stringMatching(/var$/) });
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://h/db' })).toThrow(/DATABASE_URL must be a URL starting with postgres:/);
  });
});
