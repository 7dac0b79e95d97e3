import { parseArgs } from 'node:util';
import { createAppContext, type AppContext } from '../app-context';
import { ConfigError, loadConfig, loadDatabaseConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { DatabaseInUseError } from '../db/pglite-lock';
import { runSandboxCommand } from '../sandbox/command';
import { centsToDecimal } from '../collections/money';
import { workListJson } from '../web/presenters/money-json';
import { startWeb } from './web';
import { startWorker } from './worker';
import { startDemo } from './demo';

const USAGE = `Usage: ardesk <command> [options]

Commands:
  web          serve the web app and API (PORT)
  worker       run the background jobs (sync, cadence, mail, notes)
  start        web and worker in one process (small installs, embedded database)
  migrate      bring the database schema up to date and exit
  sandbox      the local QuickBooks Online emulator (ardesk sandbox --help)
  sync         sync one company now: ardesk sync --realm R [--full]
  cadence      run the playbook for one company: ardesk cadence --realm R [--as-of YYYY-MM-DD]
  worklist     the calls to make: ardesk worklist --realm R [--as-of YYYY-MM-DD] [--json]
  demo         the whole product on this machine: sandbox, web, worker (ardesk demo [--reset])
  help         show this text

Configuration comes from the environment; see .env.example.`;

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Stops `stoppers` in order on SIGTERM/SIGINT, then exits; a second signal exits at once. */
function onShutdown(context: AppContext, stoppers: Array<() => Promise<void>>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    context.logger.info({ signal }, 'shutting down');
    for (const stop of stoppers) await stop().catch((error) => context.logger.error({ err: error }, 'error while stopping'));
    await context.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function run(command: string | undefined, args: string[]): Promise<void> {
  switch (command) {
    case 'sandbox': {
      const running = await runSandboxCommand(args, (line) => process.stdout.write(`${line}\n`));
      if (!running) return;
      const stop = () => void running.stop().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      return;
    }
    case 'migrate': {
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
      const context = await createAppContext(loadConfig());
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
      const context = await createAppContext(loadConfig());
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
      const context = await createAppContext(loadConfig());
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
      const context = await createAppContext(loadConfig());
      const web = await startWeb(context);
      onShutdown(context, [web.stop]);
      return;
    }
    case 'worker': {
      const context = await createAppContext(loadConfig());
      const worker = await startWorker(context);
      onShutdown(context, [() => worker.stop()]);
      return;
    }
    case 'start': {
      const context = await createAppContext(loadConfig());
      const worker = await startWorker(context);
      const web = await startWeb(context);
      onShutdown(context, [web.stop, () => worker.stop()]);
      return;
    }
    case 'demo': {
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
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
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
  run(argv[0], argv.slice(1)).catch((error: unknown) => {
    if (error instanceof ConfigError) fail(error.message);
    if (error instanceof DatabaseInUseError) fail(`${error.message}\n${instead(argv[0], argv.slice(1), error)}`);
    fail(`ardesk ${argv[0] ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
}
