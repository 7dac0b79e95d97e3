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
import { centsToDecimal } from '../collections/money';
import { workListJson } from '../web/presenters/money-json';

const USAGE = `Usage: ardesk <command> [options]

Commands:
  web          serve the web app and API (PORT)
  worker       run the background jobs (sync, cadence, mail, notes); health on WORKER_HEALTH_PORT
  start        web and worker in one process (small installs, embedded database)
  migrate      bring the database schema up to date and exit
  sandbox      the local QuickBooks Online emulator (ardesk sandbox --help)
  sync         sync one company now: ardesk sync --realm R [--full]
  cadence      run the playbook for one company: ardesk cadence --realm R [--as-of YYYY-MM-DD]
  worklist     the calls to make: ardesk worklist --realm R [--as-of YYYY-MM-DD] [--json]
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
