/** Where the tests find the real services (CI and the dev machine run them locally). */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A complete, valid environment for loadConfig; tests override what they exercise. */
export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    SESSION_SECRET: 'test-session-secret-0123456789abcdef0123',
    TOKEN_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
    INTUIT_CLIENT_ID: 'test-client-id',
    INTUIT_CLIENT_SECRET: 'test-client-secret-value',
    INTUIT_ENVIRONMENT: 'local',
    QBO_LOCAL_URL: 'http://127.0.0.1:1',
    REDIS_URL: TEST_REDIS_URL,
    DATA_DIR: '/tmp/ardesk-test',
    // Many workers run side by side in the tests: each picks a free health port, and stops at once.
    WORKER_HEALTH_PORT: '0',
    SHUTDOWN_DRAIN_MS: '0',
    // Companies the tests connect send as the playbook decides; the review before sending has its
    // own tests (test/mail/send-review, test/e2e/first-run-review), which use the product's default.
    SEND_REVIEW_DEFAULT: 'off',
    ...overrides,
  };
}
