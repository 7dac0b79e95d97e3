import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createAppContext, type AppContext } from '../src/app-context';
import { centsToDecimal, sumCents, toCents } from '../src/collections/money';
import { createLogger } from '../src/logger';
import { startWorker } from '../src/main/worker';
import type { Figure } from './run';
import { benchConfig, clearSandboxLog, connectToSandbox, sandboxLog, startSandboxProcess, temporaryDatabase } from './support';

const REALM = '9341452077777777';
const MESSAGES = 2_000;
const LATENCY_MS = 50;
const KINDS = ['reminder', 'second_notice', 'verification', 'demand_letter'];

/** A local SMTP server that accepts everything and counts what arrives. */
async function countingSmtp(): Promise<{ url: string; received: () => number; stop: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received: () => received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Queues MESSAGES messages over the open invoices of the synced company, one to three each. */
async function queueMessages(context: AppContext): Promise<void> {
  const open = await context.db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'balance']).where('realm_id', '=', REALM).where('balance', '>', '0').orderBy('customer_id').execute();
  const rows = Array.from({ length: MESSAGES }, (_, n) => {
    const first = (n * 7) % open.length;
    const invoices = open.slice(first, first + 1 + (n % 3)).filter((i) => i.customer_id === open[first]!.customer_id);
    return {
      realm_id: REALM,
      customer_id: open[first]!.customer_id,
      kind: KINDS[n % KINDS.length]!,
      to_address: `ap+${n}@customer.test`,
      invoice_ids: JSON.stringify(invoices.map((i) => i.id)),
      total: centsToDecimal(sumCents(invoices.map((i) => toCents(i.balance)))),
      send_at: new Date('2026-03-03T14:00:00Z'),
      key: `bench:${n}`,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await context.db.insertInto('messages').values(rows.slice(i, i + 500)).execute();
}

/** Issue #7's figure: messages a second through the real path (queue, fresh balances, templates, SMTP). */
export async function mailBenchmark(): Promise<Figure[]> {
  const sandbox = await startSandboxProcess({ realmId: REALM, customers: 800, invoices: 4000, latencyMs: LATENCY_MS });
  const smtp = await countingSmtp();
  const database = await temporaryDatabase();
  let context: AppContext | undefined;
  try {
    const config = benchConfig({ QBO_LOCAL_URL: sandbox.url, DATABASE_URL: database.url, SMTP_URL: smtp.url, MAIL_FROM: 'Bench AR <ar@bench.test>', ARDESK_NOW: '2026-03-03T15:00:00Z' });
    context = await createAppContext(config, { logger: createLogger({ level: 'silent' }), queuePrefix: `ardesk-bench-${randomBytes(3).toString('hex')}` });
    await connectToSandbox(context, sandbox.url, REALM, 'Mail Bench Co');
    await context.sync.run(REALM, 'full');
    await queueMessages(context);
    await clearSandboxLog(sandbox.url);

    const worker = await startWorker(context, { shutdownGraceMs: 5_000 });
    const started = performance.now();
    await context.queues.enqueue('mail.dispatch', {}, { jobId: 'bench-dispatch' });
    let settled = 0;
    while (settled < MESSAGES && performance.now() - started < 180_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const row = await context.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('n')).where('realm_id', '=', REALM).where('status', 'in', ['sent', 'failed', 'cancelled', 'uncertain']).executeTakeFirstOrThrow();
      settled = Number(row.n);
    }
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    const byStatus = await context.db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('realm_id', '=', REALM).groupBy('status').execute();
    const sent = Number(byStatus.find((s) => s.status === 'sent')?.n ?? 0);
    const queries = (await sandboxLog(sandbox.url, REALM)).filter((entry) => entry.kind === 'query').length;
    const perSecond = Math.round(sent / seconds);
    return [
      { benchmark: 'mail', measure: `${MESSAGES.toLocaleString('en-US')} messages through the worker to a local SMTP server (QuickBooks latency ${LATENCY_MS} ms, Intuit's rate limits on)`, value: perSecond, unit: 'msg/s', target: '>= 100 msg/s', met: perSecond >= 100 },
      { benchmark: 'mail', measure: `  ended ${byStatus.map((s) => `${s.status} ${s.n}`).join(', ')}; the SMTP server received`, value: smtp.received(), unit: 'messages' },
      { benchmark: 'mail', measure: '  QuickBooks balance re-reads (shared by messages sent together)', value: queries, unit: 'queries' },
    ];
  } finally {
    await context?.close();
    await database.drop().catch(() => undefined);
    await smtp.stop();
    sandbox.child.kill();
  }
}
