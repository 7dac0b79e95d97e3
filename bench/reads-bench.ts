import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createAppContext, type AppContext } from '../src/app-context';
import type { Clock } from '../src/clock';
import { openDatabase, type Db } from '../src/db/database';
import { createLogger } from '../src/logger';
import { startWeb } from '../src/main/web';
import type { Figure } from './run';
import { benchConfig, connectToSandbox, startSandboxProcess, temporaryDatabase } from './support';

const DAYS = 30;
const DAY_MS = 24 * 3600_000;
const VERIFIER = 'reads-bench-verifier-token';
/** Notifications within this window make one CDC; the product's default is 30 s, the bench's burst lasts well under 1 s. */
const DEBOUNCE_SECONDS = 1;
/** The most the worker sends at once (MAIL_CONCURRENCY's default). */
const SENDING_AT_ONCE = 32;

interface CompanyShape {
  id: 'small' | 'large';
  realmId: string;
  customers: number;
  invoices: number;
  /** At most this many of them open (the rest of the history paid); left out: as generated. */
  open?: number;
  /** What the bookkeeper changes in QuickBooks each day, in one sitting. */
  edits: number;
  payments: number;
  target: number;
}

const COMPANIES: CompanyShape[] = [
  { id: 'small', realmId: '9341452066600001', customers: 60, invoices: 300, edits: 3, payments: 2, target: 150 },
  { id: 'large', realmId: '9341452066600002', customers: 20_000, invoices: 100_000, open: 5_000, edits: 30, payments: 20, target: 600 },
];

type Phase = 'daily sync run' | 'webhook CDCs' | 'balance re-reads before sending';

/** Requests of the bookkeeper, in QuickBooks itself: they are not Ardesk's reads and go past its meter. */
class Bookkeeper {
  private token = '';

  constructor(private readonly sandboxUrl: string, private readonly realmId: string) {}

  /** A token of its own for the day (the sandbox's clock moves a day at a time). */
  async signIn(): Promise<void> {
    const answer = await fetch(`${this.sandboxUrl}/_sandbox/realms/${this.realmId}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'bench' }) });
    this.token = ((await answer.json()) as { access_token: string }).access_token;
  }

  private async call<T>(pathAndQuery: string, init: RequestInit = {}): Promise<T> {
    for (;;) {
      const answer = await fetch(`${this.sandboxUrl}/v3/company/${this.realmId}/${pathAndQuery}`, { ...init, headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', 'content-type': 'application/json' } });
      if (answer.status === 429) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        continue;
      }
      if (!answer.ok) throw new Error(`bookkeeper's ${pathAndQuery.slice(0, 60)} answered ${answer.status}: ${await answer.text()}`);
      return (await answer.json()) as T;
    }
  }

  private query<T>(text: string): Promise<T> {
    return this.call<T>(`query?query=${encodeURIComponent(text)}&minorversion=75`);
  }

  /** A day's sitting: `edits` open invoices get a new private note (one batch), `payments` open invoices are paid $1. */
  async day(day: number, edits: number, payments: number): Promise<void> {
    const open = await this.query<{ QueryResponse: { Invoice?: Array<{ Id: string; SyncToken: string; CustomerRef: { value: string } }> } }>(
      `SELECT * FROM Invoice WHERE Balance > '1' STARTPOSITION ${1 + ((day * 7) % 40)} MAXRESULTS ${edits + payments}`,
    );
    const invoices = open.QueryResponse.Invoice ?? [];
    const edited = invoices.slice(0, edits);
    for (let i = 0; i < edited.length; i += 30) {
      const items = edited.slice(i, i + 30).map((invoice) => ({ bId: invoice.Id, operation: 'update', Invoice: { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: `day ${day}` } }));
      await this.call('batch?minorversion=75', { method: 'POST', body: JSON.stringify({ BatchItemRequest: items }) });
    }
    for (const invoice of invoices.slice(edits)) {
      const body = { CustomerRef: { value: invoice.CustomerRef.value }, TotalAmt: 1, Line: [{ Amount: 1, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] };
      await this.call('payment?minorversion=75', { method: 'POST', body: JSON.stringify(body) });
    }
  }
}

/** The company's counted reads by kind (query, read, cdc, report): the product's meter, SPEC §3. */
async function readsByKind(context: AppContext, realmId: string): Promise<Record<string, number>> {
  const rows = await sql<{ kind: string; n: string }>`select kind, sum(count) as n from quickbooks_reads where realm_id = ${realmId} group by kind`.execute(context.db);
  return Object.fromEntries(rows.rows.map((row) => [row.kind, Number(row.n)]));
}

/** The sum of the company's counted reads. */
async function countedReads(context: AppContext, realmId: string): Promise<number> {
  return Object.values(await readsByKind(context, realmId)).reduce((sum, n) => sum + n, 0);
}

/** Milliseconds from now to the next time of day `msIntoDay` (UTC). */
function untilNextUtc(msIntoDay: number): number {
  const now = Date.now();
  return (((msIntoDay - (now % DAY_MS)) % DAY_MS) + DAY_MS) % DAY_MS;
}

async function until(what: string, condition: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * One company's month of reads: the first full sync (apart), then 30 simulated days. Each day (UTC) the
 * daily sync run (03:30), the playbook (07:00) and the sends it makes due (each re-reads its
 * invoices' balances first; sent again at 20:00), and the bookkeeper's sitting in QuickBooks
 * (14:00), whose change notifications reach Ardesk's webhook route and bring their debounced CDC. Both clocks (Ardesk's
 * and the sandbox's) move a day at a time; nothing waits for a day to pass.
 */
async function month(shape: CompanyShape, sends: boolean): Promise<{ first: number; total: number; byPhase: Record<Phase, number>; byKind: Record<string, number>; fulls: number; cdcJobs: number; sent: number }> {
  const sandbox = await startSandboxProcess({ realmId: shape.realmId, customers: shape.customers, invoices: shape.invoices, ...(shape.open !== undefined ? { openInvoices: shape.open } : {}), latencyMs: 0 });
  const database = await temporaryDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-reads-bench-'));
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs), businessNow: () => new Date(Date.now() + offsetMs) };
  let context: AppContext | undefined;
  let db: Db | undefined;
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  try {
    const config = benchConfig({ QBO_LOCAL_URL: sandbox.url, DATABASE_URL: database.url, DATA_DIR: dataDir, INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER, SYNC_WEBHOOK_DEBOUNCE_SECONDS: String(DEBOUNCE_SECONDS) });
    // The database server is shared (other benches, tests): the bench's connections, at most
    // 8, are opened once and held to the end (none closed when idle, then refused when reopened).
    db = openDatabase(config, { poolSize: 8, idleTimeoutMillis: 0 });
    context = await createAppContext(config, { db, logger: createLogger({ level: 'silent' }), clock, queuePrefix: `ardesk-bench-${randomBytes(3).toString('hex')}` });
    web = await startWeb(context, 0);
    const advance = async (ms: number) => {
      offsetMs += ms;
      await fetch(`${sandbox.url}/_sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: ms / 1000 }) });
    };
    // The month's hours are UTC (the company's day in New York is five hours behind): it starts at
    // the next 03:30 UTC, whatever the hour the bench is run at, so its sends fall in the window.
    await advance(untilNextUtc(3.5 * 3600_000));
    await connectToSandbox(context, sandbox.url, shape.realmId, `Reads Bench ${shape.id}`);
    await fetch(`${sandbox.url}/_sandbox/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhook: { url: `${web.url}/webhooks/intuit`, verifierToken: VERIFIER, format: 'legacy', delayMs: 100 } }) });
    const { services } = context;
    const bookkeeper = new Bookkeeper(sandbox.url, shape.realmId);

    await services.sync.runScheduled(shape.realmId, 'full');
    const first = await countedReads(context, shape.realmId);
    const kindsAtFirst = await readsByKind(context, shape.realmId);
    const byPhase: Record<Phase, number> = { 'daily sync run': 0, 'webhook CDCs': 0, 'balance re-reads before sending': 0 };
    const measured = async (phase: Phase, work: () => Promise<unknown>) => {
      const before = await countedReads(context!, shape.realmId);
      await work();
      byPhase[phase] += (await countedReads(context!, shape.realmId)) - before;
    };
    const syncQueue = context.queues.queue('sync');
    const mailQueue = context.queues.queue('mail');
    let fulls = 0;
    let cdcJobs = 0;
    let sent = 0;
    /** Due messages out, SENDING_AT_ONCE at a time, as the worker sends them (each re-reads its invoices' balances first). */
    const sendDue = () =>
      measured('balance re-reads before sending', async () => {
        await services.mailDispatch.dispatchDue();
        const jobs = await mailQueue.getJobs(['waiting', 'prioritized']);
        for (let i = 0; i < jobs.length; i += SENDING_AT_ONCE) {
          const outcomes = await Promise.all(jobs.slice(i, i + SENDING_AT_ONCE).map((job) => services.messages.send((job.data as { messageId: string }).messageId)));
          sent += outcomes.filter((o) => o.status === 'sent').length;
        }
        await mailQueue.obliterate({ force: true });
      });

    for (let day = 1; day <= DAYS; day++) {
      // 03:30 (the day's first step: a day on from the start, which was the first sync).
      await advance(DAY_MS - (day === 1 ? 0 : 16.5 * 3600_000));
      await measured('daily sync run', async () => {
        const outcome = await services.sync.runScheduled(shape.realmId, 'daily');
        if ('mode' in outcome && outcome.mode === 'full') fulls++;
      });
      // The full re-read's cadence job is the worker's; the bench runs the playbook itself.
      await context.queues.queue('cadence').obliterate({ force: true });

      // 07:00: the playbook, and what it made due goes out.
      await advance(3.5 * 3600_000);
      if (sends) {
        await services.cadence.runDay(shape.realmId);
        await sendDue();
      }

      // 14:00: the bookkeeper's sitting; its notifications come to the webhook route.
      await advance(7 * 3600_000);
      await bookkeeper.signIn();
      const delivered = async () => ((await (await fetch(`${sandbox.url}/_sandbox/webhooks`)).json()) as unknown[]).length;
      const deliveredBefore = await delivered();
      await bookkeeper.day(day, shape.edits, shape.payments);
      await until('the change notifications', async () => (await delivered()) > deliveredBefore, 10_000);
      const firstNotice = Date.now();
      // Every notification of the sitting in (none for 200 ms), and the debounce window over (its
      // deduplication id gone, so tomorrow's notice queues a CDC of its own): the bench runs the
      // queued CDCs then, as the worker would once their delay ends.
      for (let seen = await delivered(); ; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const now = await delivered();
        if (now === seen) break;
        seen = now;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstNotice + DEBOUNCE_SECONDS * 1000 + 100 - Date.now())));
      await measured('webhook CDCs', async () => {
        const jobs = (await syncQueue.getJobs(['delayed', 'waiting'])).filter((job) => job.name === 'sync.realm');
        for (const job of jobs) {
          await services.sync.runScheduled(shape.realmId, (job.data as { mode: 'incremental' }).mode);
          await job.remove();
          cdcJobs++;
        }
      });
      // 20:00: whatever else came due today goes out.
      await advance(6 * 3600_000);
      if (sends) await sendDue();
    }
    const total = Object.values(byPhase).reduce((a, b) => a + b, 0);
    const byKind = Object.fromEntries(Object.entries(await readsByKind(context, shape.realmId)).map(([kind, n]) => [kind, n - (kindsAtFirst[kind] ?? 0)]).filter(([, n]) => Number(n) > 0));
    return { first, total, byPhase, byKind, fulls, cdcJobs, sent };
  } finally {
    await web?.stop();
    await context?.close();
    await db?.destroy();
    await database.drop().catch(() => undefined);
    sandbox.child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Issue 22's figures: a month of every read the product makes, for a small and a large company, driven by webhooks. */
export async function readsBenchmark(): Promise<Figure[]> {
  const figures: Figure[] = [];
  // BENCH_READS_ONLY=small runs one company (the large one takes long: the playbook's sends).
  // BENCH_READS_SYNC_ONLY=1 leaves the playbook and its sends out: the sync's own share, under other ids.
  const sends = !process.env.BENCH_READS_SYNC_ONLY;
  for (const shape of COMPANIES.filter((c) => !process.env.BENCH_READS_ONLY || c.id === process.env.BENCH_READS_ONLY)) {
    const result = await month(shape, sends);
    const parts = `${Object.entries(result.byPhase).map(([phase, n]) => `${phase} ${n}`).join(', ')}; by kind: ${Object.entries(result.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}`;
    figures.push(
      {
        id: `sync.reads_per_company_month_${shape.id}${sends ? '' : '_sync_only'}`,
        benchmark: 'sync',
        measure: `metered reads${sends ? '' : ' of the sync alone (no playbook, no sends)'} in ${DAYS} simulated days, ${shape.invoices.toLocaleString('en-US')}-invoice company, ${shape.edits} edits + ${shape.payments} payments a day through webhooks (${parts}; ${result.fulls} full re-read, ${result.cdcJobs} webhook CDCs, ${result.sent} messages sent)`,
        value: result.total,
        unit: 'reads',
        ...(sends ? { target: `<= ${shape.target}`, met: result.total <= shape.target } : {}),
      },
      { benchmark: 'sync', measure: `  first sync of the ${shape.invoices.toLocaleString('en-US')}-invoice company (once, at connect; not in the month)`, value: result.first, unit: 'reads' },
    );
  }
  return figures;
}
