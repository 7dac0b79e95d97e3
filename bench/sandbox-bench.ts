import { generateCompany } from '../src/sandbox/generator';
import { Sandbox } from '../src/sandbox/sandbox';
import { loadSeed } from '../src/sandbox/seed';
import { startSandbox } from '../src/sandbox/server';
import type { Figure } from './run';
import { percentile } from './support';

const REALM = '9341452099999999';

/** Issue #3's figures: generating a large company, then serving 1000-row pages of it. */
export async function sandboxBenchmark(): Promise<Figure[]> {
  const started = performance.now();
  const sandbox = new Sandbox();
  loadSeed(sandbox, generateCompany({ realmId: REALM, customers: 20_000, invoices: 100_000, asOf: new Date().toISOString().slice(0, 10) }));
  const generateMs = performance.now() - started;
  const running = await startSandbox({ sandbox });
  try {
    const token = sandbox.oauth.mintTokens('bench', REALM).access_token;
    const times: number[] = [];
    for (let page = 0; page < 20; page++) {
      const query = `SELECT * FROM Invoice ORDERBY Id STARTPOSITION ${page * 5000 + 1} MAXRESULTS 1000`;
      const t = performance.now();
      const response = await fetch(`${running.url}/v3/company/${REALM}/query?query=${encodeURIComponent(query)}&minorversion=75`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      const body = (await response.json()) as { QueryResponse: { maxResults: number } };
      times.push(performance.now() - t);
      if (body.QueryResponse.maxResults !== 1000) throw new Error(`page ${page} returned ${body.QueryResponse.maxResults} rows`);
    }
    const p95 = percentile(times, 95);
    return [
      { benchmark: 'sandbox', measure: 'generate 20,000 customers + 100,000 invoices', value: Math.round(generateMs), unit: 'ms', target: '< 30000 ms', met: generateMs < 30_000 },
      { benchmark: 'sandbox', measure: '1000-row invoice page, p95 of 20', value: Math.round(p95), unit: 'ms', target: '< 200 ms', met: p95 < 200 },
      { benchmark: 'sandbox', measure: '1000-row invoice page, median', value: Math.round(percentile(times, 50)), unit: 'ms' },
      { benchmark: 'sandbox', measure: 'heap after generation', value: Math.round(process.memoryUsage().heapUsed / 1e6), unit: 'MB' },
    ];
  } finally {
    await running.stop();
  }
}
