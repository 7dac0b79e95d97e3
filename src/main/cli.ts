import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDatabaseConfig, loadDotEnv } from '../config';
import { DatabaseInUseError } from '../db/pglite-lock';
import { PROJECT_ROOT } from '../paths';

// The rest of the program is loaded by the command that needs it (`await import`), so --help and
// --version answer at once instead of loading the database, queue and web modules first.
const appContext = () => import('../app-context');

const CONFIGURATION = 'Configuration comes from the environment, and from a .env file in the current folder for what the environment does not set (see .env.example).';
import { centsToDecimal, centsToNumber } from '../collections/money';
import type { BacktestReport } from '../collections/backtest';
import type { PlaybookSettings } from '../collections/settings';
import type { BacktestComparison, BacktestProgress } from '../services/backtest';
import { workListJson } from '../web/presenters/money-json';

const USAGE = `Usage: ardesk <command> [options]

Commands:
  web          serve the web app and API (PORT)
  worker       run the background jobs (sync, cadence, mail, notes); health on WORKER_HEALTH_PORT
  start        web and worker in one process (small installs, embedded database)
  inbound      receive replies and bounces: SMTP listener and/or IMAP poller (README, Inbound mail)
  migrate      bring the database schema up to date and exit
  sandbox      the local QuickBooks Online emulator (ardesk sandbox --help)
  sync         sync one company now: ardesk sync --realm R [--full]
  cadence      run the playbook for one company: ardesk cadence --realm R [--as-of YYYY-MM-DD]
  worklist     the calls to make: ardesk worklist --realm R [--as-of YYYY-MM-DD] [--json]
  backtest     the playbook replayed on the company's history: ardesk backtest --realm R --from D1 --to D2
  demo         the whole product on this machine: sandbox, web, worker (ardesk demo [--reset])
  help         show this text

Every command answers --help (-h). ardesk --version prints the version.
${CONFIGURATION}`;

/** Each command's own help: what it does and its options. Printing it does nothing else. */
const HELP: Record<string, string> = {
  web: `Usage: ardesk web

Serves the pages, the JSON API, the Connect flow and Intuit's webhooks on PORT, with /healthz,
/readyz and /metrics. Only queues work: run workers too (ardesk worker), or ardesk start.
Migrates the database first. SIGTERM drains (SHUTDOWN_DRAIN_MS) and stops within 25 s.
${CONFIGURATION}`,
  worker: `Usage: ardesk worker

Runs the background jobs: syncing each company's copy of QuickBooks, the daily playbook, sending,
notes, retention. Run as many as you like, on as many machines. Answers /healthz, /readyz and
/metrics on WORKER_HEALTH_PORT (default 3001). SIGTERM stops within 25 s: jobs in flight get 20 s,
then are released for another worker.
${CONFIGURATION}`,
  start: `Usage: ardesk start

The web app and a worker in one process: for small installs and the embedded database (which one
process at a time may open). Health and metrics on PORT. npm start builds first if needed.
${CONFIGURATION}`,
  inbound: `Usage: ardesk inbound

Receives the mail that comes back: customers' replies, automatic replies and bounces. With
INBOUND_ADDRESS (and INBOUND_SECRET) set, listens for SMTP on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT
(default 127.0.0.1:2525; the MX of a subdomain, or a relay's target) and takes mail for that
address and its tagged forms only. With INBOUND_IMAP_URL set (imap(s)://user:password@host:port/
MAILBOX), polls that mailbox every INBOUND_POLL_SECONDS (default 60). Either or both.
${CONFIGURATION}`,
  migrate: `Usage: ardesk migrate

Brings the database schema up to date (DATABASE_URL, or the embedded database in DATA_DIR) and
exits. Every process also migrates when it starts, under a lock.
${CONFIGURATION}`,
  sync: `Usage: ardesk sync --realm R [--full]

Syncs one company's copy of QuickBooks now and prints what changed.
  --realm R   the QuickBooks company id (realmId)
  --full      a full sync instead of the incremental one
${CONFIGURATION}`,
  cadence: `Usage: ardesk cadence --realm R [--as-of YYYY-MM-DD]

Runs one day of the collection playbook for a company and prints what it recorded; running a day
twice records nothing new.
  --realm R            the QuickBooks company id (realmId)
  --as-of YYYY-MM-DD   the day to run (default: today on the business clock)
${CONFIGURATION}`,
  worklist: `Usage: ardesk worklist --realm R [--as-of YYYY-MM-DD] [--json]

Prints the calls to make, largest overdue balance first.
  --realm R            the QuickBooks company id (realmId)
  --as-of YYYY-MM-DD   the day (default: today on the business clock)
  --json               the whole work list as JSON
${CONFIGURATION}`,
  backtest: `Usage: ardesk backtest --realm R --from YYYY-MM-DD --to YYYY-MM-DD [--json] [settings]

Replays the collection playbook day by day over the window on the company's own history (the
copy of QuickBooks: invoices, payments and the credit memos they apply), with its settings, as
if Ardesk had been connected on the first day. Sends nothing, writes nothing, and nobody answers
a call. Prints when each late invoice would have been reminded and really paid, messages and
calls per week, the busiest days, the share of late dollars paid after the first contact, and the
accounts that would have had a final notice. Progress goes to stderr.
  --realm R                 the QuickBooks company id (realmId)
  --from, --to YYYY-MM-DD   the window, both days included
  --json                    the whole report as JSON (amounts in currency units)
Settings to try instead of the company's (the two runs are shown side by side; nothing is saved):
  --level-days A,B,C,D      days overdue at which levels 1-4 are entered, e.g. 5,15,30,60
  --gap-days N              no two dunning emails to one customer closer than N days
  --min-days-between-levels N
${CONFIGURATION}`,
  demo: `Usage: ardesk demo [--reset] [--port P] [--sandbox-port P] [--data-dir DIR]

The whole product on this machine (npm run demo): the local QuickBooks sandbox with a generated
company, the web app and a worker, the embedded database and the mail outbox in ./var.
  --reset              start over: delete the data folder first
  --port P             web port (default 3000)
  --sandbox-port P     sandbox port (default 4010)
  --data-dir DIR       data folder (default ./var)
The demo makes its own configuration and reads no .env.`,
  help: USAGE,
};

/** A command's help text; the sandbox's comes from the sandbox. */
async function helpOf(command: string): Promise<string | undefined> {
  if (command === 'sandbox') return (await import('../sandbox/command')).SANDBOX_USAGE;
  return HELP[command];
}

/** Commands that make their own configuration and so read no .env. */
const SELF_CONFIGURED = new Set(['demo', 'sandbox']);

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** True when `args` ask for help: any --help or -h before a lone `--`. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

async function run(command: string | undefined, args: string[]): Promise<void> {
  switch (command) {
    case 'sandbox': {
      const { runSandboxCommand } = await import('../sandbox/command');
      const running = await runSandboxCommand(args, (line) => process.stdout.write(`${line}\n`));
      if (!running) return;
      const stop = () => void running.stop().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      return;
    }
    case 'migrate': {
      parseArgs({ args, options: {}, strict: true });
      const [{ openDatabase }, { migrateToLatest }] = await Promise.all([import('../db/database'), import('../db/migrate')]);
      const db = openDatabase(loadDatabaseConfig());
      try {
        const { applied } = await migrateToLatest(db);
        process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'Database is up to date.\n');
      } finally {
        await db.destroy();
      }
      return;
    }
    case 'sync': {
      const { values } = parseArgs({ args, options: { realm: { type: 'string' }, full: { type: 'boolean', default: false } }, strict: true });
      if (!values.realm) fail('ardesk sync needs --realm <QuickBooks company id>', 2);
      const context = await (await appContext()).createAppContext(loadConfig());
      try {
        const report = await context.services.companySync.runNow(values.realm, values.full ? 'full' : 'auto');
        process.stdout.write(`${JSON.stringify({ realmId: values.realm, ...report }, null, 2)}\n`);
      } finally {
        await context.close();
      }
      return;
    }
    case 'cadence': {
      const { values } = parseArgs({ args, options: { realm: { type: 'string' }, 'as-of': { type: 'string' } }, strict: true });
      if (!values.realm) fail('ardesk cadence needs --realm <QuickBooks company id>', 2);
      if (values['as-of'] && !/^\d{4}-\d{2}-\d{2}$/.test(values['as-of'])) fail('--as-of must be a date, YYYY-MM-DD', 2);
      const context = await (await appContext()).createAppContext(loadConfig());
      try {
        process.stdout.write(`${JSON.stringify(await context.services.cadence.runDay(values.realm, values['as-of']), null, 2)}\n`);
      } finally {
        await context.close();
      }
      return;
    }
    case 'worklist': {
      const { values } = parseArgs({ args, options: { realm: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
      if (!values.realm) fail('ardesk worklist needs --realm <QuickBooks company id>', 2);
      if (values['as-of'] && !/^\d{4}-\d{2}-\d{2}$/.test(values['as-of'])) fail('--as-of must be a date, YYYY-MM-DD', 2);
      const context = await (await appContext()).createAppContext(loadConfig());
      try {
        const list = await context.services.workList.forDay(values.realm, values['as-of'], { limit: Number.MAX_SAFE_INTEGER });
        // The API's shape (GET /api/realms/:realmId/worklist): amounts in currency units.
        if (values.json) process.stdout.write(`${JSON.stringify(workListJson(list), null, 2)}\n`);
        else {
          process.stdout.write(`Work list for ${list.date}: ${list.items.length} call(s)\n`);
          for (const item of list.items) process.stdout.write(`${centsToDecimal(item.overdueBalance).padStart(12)}  L${item.level}  ${item.customer.name}  ${item.flags.join(' ')}\n`);
        }
      } finally {
        await context.close();
      }
      return;
    }
    case 'backtest':
      return backtestCommand(args);
    case 'web': {
      parseArgs({ args, options: {}, strict: true });
      const [{ startWeb }, { stopOnSignals }] = await Promise.all([import('./web'), import('./shutdown')]);
      const context = await (await appContext()).createAppContext(loadConfig());
      const web = await startWeb(context);
      stopOnSignals(context, { web });
      return;
    }
    case 'worker': {
      parseArgs({ args, options: {}, strict: true });
      const [{ startWorker }, { startWorkerHealth }, { stopOnSignals, WORK_GRACE_MS }] = await Promise.all([import('./worker'), import('./worker-health'), import('./shutdown')]);
      const context = await (await appContext()).createAppContext(loadConfig());
      const health = await startWorkerHealth(context);
      const worker = await startWorker(context, { shutdownGraceMs: WORK_GRACE_MS });
      stopOnSignals(context, { worker, health });
      return;
    }
    case 'start': {
      parseArgs({ args, options: {}, strict: true });
      const [{ startWeb }, { startWorker }, { stopOnSignals, WORK_GRACE_MS }] = await Promise.all([import('./web'), import('./worker'), import('./shutdown')]);
      const context = await (await appContext()).createAppContext(loadConfig());
      const worker = await startWorker(context, { shutdownGraceMs: WORK_GRACE_MS });
      const web = await startWeb(context);
      stopOnSignals(context, { web, worker });
      return;
    }
    case 'inbound': {
      parseArgs({ args, options: {}, strict: true });
      const [{ startInbound, InboundNotConfigured }, { stopOnSignals }] = await Promise.all([import('./inbound'), import('./shutdown')]);
      const context = await (await appContext()).createAppContext(loadConfig());
      try {
        stopOnSignals(context, { inbound: await startInbound(context) });
      } catch (error) {
        await context.close();
        if (error instanceof InboundNotConfigured) fail(error.message, 2);
        throw error;
      }
      return;
    }
    case 'demo': {
      const { startDemo } = await import('./demo');
      const demo = await startDemo(args, (line) => process.stdout.write(`${line}\n`));
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        process.stdout.write(`\n${signal}: stopping the demo...\n`);
        void demo.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      return;
    }
    case undefined:
    case 'help':
      process.stdout.write(`${(args[0] && (await helpOf(args[0]))) || USAGE}\n`);
      return;
    default:
      fail(`Unknown command "${command}".\n\n${USAGE}`, 2);
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The settings a back-test tries instead of the company's, from the command line. */
function settingsOverrides(values: { 'level-days'?: string; 'gap-days'?: string; 'min-days-between-levels'?: string }): Partial<PlaybookSettings> | null {
  const overrides: Partial<PlaybookSettings> = {};
  const whole = (text: string, name: string) => {
    if (!/^\d+$/.test(text.trim())) fail(`--${name} takes whole days (got "${text}")`, 2);
    return Number(text);
  };
  if (values['level-days'] !== undefined) {
    const days = values['level-days'].split(',').map((d) => whole(d, 'level-days'));
    if (days.length !== 4 || days.some((d, i) => i > 0 && d <= days[i - 1]!)) fail(`--level-days takes four increasing numbers of days, e.g. 5,15,30,60 (got "${values['level-days']}")`, 2);
    overrides.levelDays = days as PlaybookSettings['levelDays'];
  }
  if (values['gap-days'] !== undefined) overrides.dunningGapDays = whole(values['gap-days'], 'gap-days');
  if (values['min-days-between-levels'] !== undefined) overrides.minDaysBetweenLevels = whole(values['min-days-between-levels'], 'min-days-between-levels');
  return Object.keys(overrides).length ? overrides : null;
}

/** A progress bar on a terminal; elsewhere a line every tenth of the way. */
function progressOnStderr(): (progress: BacktestProgress) => void {
  let shown = -1;
  return ({ phase, done, total }) => {
    if (phase === 'loading') return void process.stderr.write('backtest: reading the history...\n');
    const share = total ? done / total : 1;
    if (process.stderr.isTTY) {
      const width = 30;
      process.stderr.write(`\r[${'#'.repeat(Math.round(share * width)).padEnd(width)}] ${done}/${total} days${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth > shown) {
      shown = tenth;
      process.stderr.write(`backtest: ${done}/${total} days replayed\n`);
    }
  };
}

/** The report with its amounts in currency units, as the API shows money. */
function backtestJson(report: BacktestReport) {
  const { lateInvoices, escalations, totals, ...rest } = report;
  return {
    ...rest,
    totals: { ...totals, lateDollars: centsToNumber(totals.lateDollars), paidAfterFirstContact: centsToNumber(totals.paidAfterFirstContact) },
    escalations: escalations.map((e) => ({ ...e, balance: centsToNumber(e.balance) })),
    lateInvoices: lateInvoices.map((i) => ({ ...i, lateBalance: centsToNumber(i.lateBalance), paidAfterContact: centsToNumber(i.paidAfterContact) })),
  };
}

const LATE_SHOWN = 25;
const percent = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);
const days = (value: number | null) => (value === null ? '-' : `${value} days`);
const kinds = (counts: Partial<Record<string, number>>) => Object.entries(counts).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';

function backtestText(report: BacktestReport): string {
  const t = report.totals;
  const lines = [
    `Back-test ${report.from} to ${report.to} (${report.days} days), levels at ${report.settings.levelDays.join('/')} days overdue, ${report.settings.dunningGapDays} days between emails. Nothing was sent.`,
    `Messages: ${t.sentMessages} (${kinds(t.messages)}); busiest days: ${report.busiestDays.map((d) => `${d.day} (${d.messages})`).join(', ') || 'none'}`,
    `Calls put on the list: ${t.callsOpened}`,
    `Late invoices: ${t.lateInvoices}, ${centsToDecimal(t.lateDollars)} late; first reminder a median ${days(t.medianDaysDueToFirstReminder)} after the due date`,
    `Paid after the first contact: ${centsToDecimal(t.paidAfterFirstContact)} (${percent(t.paidAfterFirstContactShare)} of late dollars); median ${days(t.medianDaysFirstContactToPaid)} from first contact to payment (facts of the history, not effects of the contact)`,
    `Accounts escalated to a final notice: ${report.escalations.length}`,
    ...report.escalations.map((e) => `  ${e.on}  ${centsToDecimal(e.balance).padStart(12)}  ${e.name}`),
    '',
    'Week      messages  calls  raised  list (max)  by kind',
    ...report.weeks.map((w) => `${w.week}  ${String(w.totalMessages).padStart(8)}  ${String(w.callsOpened).padStart(5)}  ${String(w.callsRaised).padStart(6)}  ${String(w.listMax).padStart(10)}  ${kinds(w.messages)}`),
    '',
    `Late invoices (${Math.min(LATE_SHOWN, report.lateInvoices.length)} of ${report.lateInvoices.length}; --json for all):`,
    'Invoice     due         first reminder  later steps                     paid',
    ...report.lateInvoices.slice(0, LATE_SHOWN).map((i) => {
      const later = i.steps.filter((s) => s.kind !== 'level').slice(1).map((s) => `${s.on.slice(5)} ${s.kind}`).join(', ');
      return `${(i.docNumber ?? i.invoiceId).padEnd(10)}  ${i.dueDate}  ${(i.firstReminderOn ?? '-').padEnd(14)}  ${(later || '-').padEnd(30)}  ${i.paidOn ?? 'not paid'}`;
    }),
  ];
  if (t.unexplainedBalances) lines.push('', `${t.unexplainedBalances} invoice(s) changed without a payment in the history: dated the day QuickBooks last changed them.`);
  return `${lines.join('\n')}\n`;
}

function comparisonText({ baseline, variant }: BacktestComparison): string {
  const rows: Array<[string, (r: BacktestReport) => string]> = [
    ['levels (days overdue)', (r) => r.settings.levelDays.join('/')],
    ['days between emails', (r) => String(r.settings.dunningGapDays)],
    ['messages sent', (r) => String(r.totals.sentMessages)],
    ['dunning messages', (r) => String(['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice'].reduce((n, k) => n + (r.totals.messages[k as keyof typeof r.totals.messages] ?? 0), 0))],
    ['calls put on the list', (r) => String(r.totals.callsOpened)],
    ['first reminder after due', (r) => days(r.totals.medianDaysDueToFirstReminder)],
    ['late dollars paid after contact', (r) => percent(r.totals.paidAfterFirstContactShare)],
    ['first contact to payment', (r) => days(r.totals.medianDaysFirstContactToPaid)],
    ['final notices (accounts)', (r) => String(r.escalations.length)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Back-test ${baseline.from} to ${baseline.to}, side by side. Nothing was sent.`,
    `${''.padEnd(width)}  ${'company settings'.padStart(18)}  ${'tried'.padStart(18)}`,
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value(baseline).padStart(18)}  ${value(variant).padStart(18)}`),
    '',
  ].join('\n');
}

async function backtestCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { realm: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false }, 'level-days': { type: 'string' }, 'gap-days': { type: 'string' }, 'min-days-between-levels': { type: 'string' } },
    strict: true,
  });
  if (!values.realm) fail('ardesk backtest needs --realm <QuickBooks company id>', 2);
  if (!values.from || !values.to || !DAY.test(values.from) || !DAY.test(values.to)) fail('ardesk backtest needs --from and --to, dates YYYY-MM-DD', 2);
  if (values.from > values.to) fail(`--to (${values.to}) is before --from (${values.from})`, 2);
  const variant = settingsOverrides(values);
  const context = await (await appContext()).createAppContext(loadConfig());
  try {
    const request = { realmId: values.realm, from: values.from, to: values.to, onProgress: progressOnStderr() };
    if (variant) {
      const comparison = await context.services.backtest.compare({ ...request, variant });
      process.stdout.write(values.json ? `${JSON.stringify({ baseline: backtestJson(comparison.baseline), variant: backtestJson(comparison.variant) }, null, 2)}\n` : comparisonText(comparison));
    } else {
      const report = await context.services.backtest.run(request);
      process.stdout.write(values.json ? `${JSON.stringify(backtestJson(report), null, 2)}\n` : backtestText(report));
    }
  } finally {
    await context.close();
  }
}

/** What to run instead of a command whose embedded database another process has open. */
function instead(command: string | undefined, args: string[], error: DatabaseInUseError): string {
  const { pid } = error.holder;
  const at = args.indexOf('--realm');
  const realm = (at >= 0 ? args[at + 1] : args.find((arg) => arg.startsWith('--realm='))?.slice(8)) ?? ':realmId';
  const ask = (what: string) => `Ask the running Ardesk instead: ${what}.`;
  const advice: Record<string, string> = {
    sync: ask(`the Sync button on the company page, or POST /api/realms/${realm}/sync`),
    cadence: ask(`POST /api/realms/${realm}/cadence/run[?date=YYYY-MM-DD]`),
    worklist: ask(`the work list page, or GET /api/realms/${realm}/worklist[?date=YYYY-MM-DD]`),
    migrate: `Process ${pid} brought the database up to date when it started; to migrate again, stop it first, then run ardesk migrate.`,
  };
  return [
    advice[command ?? ''] ?? `Stop process ${pid} first, or run web and worker as one process (ardesk start).`,
    'Separate processes need a PostgreSQL server: set DATABASE_URL.',
    `If process ${pid} is not Ardesk, delete ${error.lockFile}.`,
  ].join('\n');
}

export function main(argv: string[]): void {
  const [command, ...args] = argv;
  // Help and the version are answered before anything is read, opened or started.
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`ardesk ${version()}\n`);
    return;
  }
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== undefined && asksForHelp(args)) {
    void helpOf(command).then((help) => {
      if (!help) fail(`Unknown command "${command}".\n\n${USAGE}`, 2);
      process.stdout.write(`${help}\n`);
    });
    return;
  }
  try {
    if (!SELF_CONFIGURED.has(command ?? '')) loadDotEnv();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  run(command, args).catch((error: unknown) => {
    if (error instanceof ConfigError) fail(error.message);
    const code = (error as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS_')) return void helpOf(command ?? '').then((help) => fail(`ardesk ${command}: ${(error as Error).message}\n\n${help ?? USAGE}`, 2));
    if (error instanceof DatabaseInUseError) fail(`${error.message}\n${instead(command, args, error)}`);
    fail(`ardesk ${command ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
}
