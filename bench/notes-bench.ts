import { randomBytes } from 'node:crypto';
import { createAppContext, type AppContext } from '../src/app-context';
import { NOTES_PER_BATCH } from '../src/services/notes';
import { createLogger } from '../src/logger';
import type { Figure } from './run';
import { benchConfig, clearSandboxLog, connectToSandbox, sandboxLog, startSandboxProcess, temporaryDatabase } from './support';

const REALM = '9341452066666666';
const NOTES = 1_000;
const LATENCY_MS = 50;

/** Issue #8's figure: 1,000 pending notes written to QuickBooks, counted in batch requests. */
export async function notesBenchmark(): Promise<Figure[]> {
  const sandbox = await startSandboxProcess({ realmId: REALM, customers: 300, invoices: 1500, latencyMs: LATENCY_MS });
  const database = await temporaryDatabase();
  let context: AppContext | undefined;
  try {
    context = await createAppContext(benchConfig({ QBO_LOCAL_URL: sandbox.url, DATABASE_URL: database.url }), { logger: createLogger({ level: 'silent' }), queuePrefix: `ardesk-bench-${randomBytes(3).toString('hex')}` });
    await connectToSandbox(context, sandbox.url, REALM, 'Notes Bench Co');
    await context.sync.run(REALM, 'full');
    const invoices = await context.db.selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', REALM).execute();
    await context.db
      .insertInto('activities')
      .values(Array.from({ length: NOTES }, (_, n) => {
        const invoice = invoices[n % invoices.length]!;
        return { realm_id: REALM, customer_id: invoice.customer_id, invoice_ids: JSON.stringify([invoice.id]), kind: 'call', summary: 'called: left a voicemail', occurred_on: '2026-03-02', key: `bench:${n}` };
      }))
      .execute();
    await clearSandboxLog(sandbox.url);
    const started = performance.now();
    const run = await context.services.notes.writePending(REALM, { maxBatches: 1000 });
    const ms = performance.now() - started;
    const batches = (await sandboxLog(sandbox.url, REALM)).filter((entry) => entry.kind === 'batch');
    const minimum = Math.ceil(NOTES / NOTES_PER_BATCH);
    return [
      { benchmark: 'notes', measure: `${NOTES.toLocaleString('en-US')} pending notes: batch requests (minimum ${minimum}); ${run.written} written`, value: batches.length, unit: 'requests', target: `<= ${minimum}`, met: batches.length <= minimum && run.written === NOTES },
      { benchmark: 'notes', measure: '  notes per batch request', value: Math.round((run.written / Math.max(1, batches.length)) * 10) / 10, unit: 'notes', target: '30 a batch', met: run.written / Math.max(1, batches.length) >= 29 },
      { benchmark: 'notes', measure: `  time to write them (QuickBooks latency ${LATENCY_MS} ms; Intuit allows 40 batch requests a minute)`, value: Math.round(ms), unit: 'ms' },
      { benchmark: 'notes', measure: '  batch requests throttled (429)', value: batches.filter((b) => b.status === 429).length, unit: 'requests', target: '0', met: batches.every((b) => b.status !== 429) },
    ];
  } finally {
    await context?.close();
    await database.drop().catch(() => undefined);
    sandbox.child.kill();
  }
}
