import net from 'node:net';

function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port) || fallbackPort });
    socket.setTimeout(2000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** Fails the run at once, with the fix, when the real services the tests need are not there. */
export default async function globalSetup(): Promise<void> {
  const postgres = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redis = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const missing: string[] = [];
  if (!(await reachable(postgres, 5432))) missing.push(`PostgreSQL at ${new URL(postgres).host} (set TEST_DATABASE_URL or start it)`);
  if (!(await reachable(redis, 6379))) missing.push(`Redis at ${new URL(redis).host} (set TEST_REDIS_URL or start redis-server)`);
  if (missing.length) throw new Error(`The tests need real services that are not reachable:\n  ${missing.join('\n  ')}`);
}
