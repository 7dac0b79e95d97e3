import { randomBytes } from 'node:crypto';
import QuickBooks from 'node-quickbooks';
import { createAppContext, type AppContext } from '../src/app-context';
import { createLogger } from '../src/logger';
import { SYNCED_ENTITIES } from '../src/quickbooks/schemas';
import type { Figure } from './run';
import { benchConfig, clearSandboxLog, connectToSandbox, sandboxLog, startSandboxProcess, temporaryDatabase } from './support';

const REALM = '9341452088888888';
const CUSTOMERS = 20_000;
const INVOICES = 100_000;
const CHANGES = 1_000;
const LATENCY_MS = 50;
const PER_MINUTE = 500;

/** Samples this process's resident memory while `work` runs. */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const value = await work();
    return { value, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6) };
  } finally {
    clearInterval(timer);
  }
}

/** The naive approach: node-quickbooks fetchAll of every entity, every time. */
async function naiveFullRead(sandboxUrl: string, token: string): Promise<number> {
  const qbo = new QuickBooks('bench', 'bench', token, false, REALM, true, false, '75', '2.0', null);
  (qbo as unknown as { endpoint: string }).endpoint = `${sandboxUrl}/v3/company/`;
  let rows = 0;
  for (const entity of SYNCED_ENTITIES) {
    const finder = (qbo as unknown as Record<string, (c: object, cb: (e: unknown, b: { QueryResponse: Record<string, unknown[]> }) => void) => void>)[`find${entity === 'Customer' ? 'Customers' : entity === 'CreditMemo' ? 'CreditMemos' : `${entity}s`}`]!;
    const body = await new Promise<{ QueryResponse: Record<string, unknown[]> }>((resolve, reject) => finder.call(qbo, { fetchAll: true }, (e, b) => (e ? reject(e) : resolve(b))));
    rows += body.QueryResponse[entity]?.length ?? 0;
  }
  return rows;
}

/** 1,000 changes made in QuickBooks: sparse customer edits through the batch API, 30 a request. */
async function makeChanges(sandboxUrl: string, token: string): Promise<void> {
  const customers = Array.from({ length: CHANGES }, (_, i) => String(i + 1));
  for (let i = 0; i < customers.length; i += 30) {
    const ids = customers.slice(i, i + 30);
    const query = `SELECT * FROM Customer WHERE Id IN (${ids.map((id) => `'${id}'`).join(',')}) AND Active IN (true, false) MAXRESULTS 30`;
    const current = (await (await fetch(`${sandboxUrl}/v3/company/${REALM}/query?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })).json()) as { QueryResponse: { Customer: Array<{ Id: string; SyncToken: string }> } };
    const items = current.QueryResponse.Customer.map((c) => ({ bId: c.Id, operation: 'update', Customer: { Id: c.Id, SyncToken: c.SyncToken, sparse: true, Notes: `bench change ${Date.now()}` } }));
    const answer = await fetch(`${sandboxUrl}/v3/company/${REALM}/batch`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ BatchItemRequest: items }) });
    if (answer.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      i -= 30;
    }
  }
}

export async function syncBenchmark(): Promise<Figure[]> {
  const sandbox = await startSandboxProcess({ realmId: REALM, customers: CUSTOMERS, invoices: INVOICES, latencyMs: LATENCY_MS });
  const database = await temporaryDatabase();
  let context: AppContext | undefined;
  try {
    const config = benchConfig({ QBO_LOCAL_URL: sandbox.url, DATABASE_URL: database.url });
    context = await createAppContext(config, { logger: createLogger({ level: 'silent' }), queuePrefix: `ardesk-bench-${randomBytes(3).toString('hex')}` });
    const tokens = { access_token: (await connectToSandbox(context, sandbox.url, REALM, 'Bench Co')).accessToken };

    // Full sync.
    await clearSandboxLog(sandbox.url);
    const started = performance.now();
    const { value: report, peakMb } = await peakMemory(() => context!.sync.run(REALM, 'full'));
    const fullMs = performance.now() - started;
    const fullLog = await sandboxLog(sandbox.url, REALM);
    const pagingMinimum = SYNCED_ENTITIES.reduce((sum, entity) => sum + Math.floor((report.counts[entity] ?? 0) / 1000) + 1, 0) + 1; // + CompanyInfo
    const boundMs = (fullLog.length / PER_MINUTE) * 60_000;

    // Incremental sync of 1,000 changes: ours, then the naive re-read, on the same changes.
    await makeChanges(sandbox.url, tokens.access_token);
    await clearSandboxLog(sandbox.url);
    const incStarted = performance.now();
    const incremental = await context.sync.run(REALM, 'auto');
    const incMs = performance.now() - incStarted;
    const incLog = await sandboxLog(sandbox.url, REALM);
    await clearSandboxLog(sandbox.url);
    const naiveStarted = performance.now();
    const naiveRows = await naiveFullRead(sandbox.url, tokens.access_token);
    const naiveMs = performance.now() - naiveStarted;
    const naiveLog = await sandboxLog(sandbox.url, REALM);

    return [
      { benchmark: 'sync', measure: `full sync requests (${INVOICES.toLocaleString('en-US')} invoices, ${CUSTOMERS.toLocaleString('en-US')} customers, ${report.counts.Payment} payments)`, value: fullLog.length, unit: 'requests', target: `= paging minimum ${pagingMinimum}`, met: fullLog.length === pagingMinimum },
      { benchmark: 'sync', measure: `full sync wall time (rate-limit bound ${(boundMs / 1000).toFixed(1)} s at ${PER_MINUTE}/min, ${LATENCY_MS} ms latency)`, value: Math.round(fullMs), unit: 'ms', target: `<= 1.2 x bound = ${Math.round(boundMs * 1.2)} ms`, met: fullMs <= boundMs * 1.2 },
      { benchmark: 'sync', measure: 'full sync peak memory (rss)', value: peakMb, unit: 'MB', target: '<= 512 MB', met: peakMb <= 512 },
      { benchmark: 'sync', measure: `incremental sync of ${CHANGES} changes: ours (${incremental.mode}; ${incLog.map((e) => e.kind).filter((k, i, a) => a.indexOf(k) === i).join('+')})`, value: incLog.length, unit: 'requests', target: 'one CDC (+ re-read of entities a capped answer touched)' },
      { benchmark: 'sync', measure: 'incremental sync of 1,000 changes: ours, time', value: Math.round(incMs), unit: 'ms' },
      { benchmark: 'sync', measure: `incremental sync of 1,000 changes: naive fetchAll (${naiveRows} rows)`, value: naiveLog.length, unit: 'requests' },
      { benchmark: 'sync', measure: 'incremental sync of 1,000 changes: naive fetchAll, time', value: Math.round(naiveMs), unit: 'ms' },
    ];
  } finally {
    await context?.close();
    await database.drop().catch(() => undefined);
    sandbox.child.kill('SIGTERM');
  }
}
