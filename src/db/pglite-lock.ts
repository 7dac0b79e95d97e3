import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';

/** Who holds the embedded database, as written in its lock file. */
export interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

/** Another live process has the embedded database open. */
export class DatabaseInUseError extends AppError {
  constructor(
    readonly folder: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super('database_in_use', `The embedded database in ${folder} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}); only one process at a time can open it.`, {
      status: 503,
      details: { pid: holder.pid, command: holder.command },
    });
  }
}

/** Lock files this process holds. */
const held = new Set<string>();

export function lockFileOf(folder: string): string {
  return `${path.resolve(folder)}.lock`;
}

/**
 * Takes the lock of the embedded database in `folder`: PGlite is one Postgres backend, and a
 * second process opening the same folder sees another state and can corrupt it. The lock is a
 * file beside the folder, created atomically with the holder's pid; a lock whose process is gone
 * (killed, crashed) is taken over. Returns the release, which also runs when the process exits.
 */
export function lockEmbeddedDatabase(folder: string): () => void {
  const file = lockFileOf(folder);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine: LockHolder = { pid: process.pid, command: commandLine(), since: new Date().toISOString() };
  for (let attempt = 1; !create(file, mine); attempt++) {
    const holder = readHolder(file);
    // Our own pid in a lock we do not hold is a previous run's (a container restarts as pid 1).
    const live = holder && (holder.pid === process.pid ? held.has(file) : isAlive(holder.pid));
    if (live) throw new DatabaseInUseError(path.resolve(folder), file, holder);
    if (attempt >= 3) throw new Error(`Could not take the lock ${file}`);
    fs.rmSync(file, { force: true }); // stale: its process is gone
  }
  held.add(file);
  const release = () => {
    if (!held.delete(file)) return;
    process.off('exit', release);
    if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}

/** Creates `file` holding `holder`, atomically (content included); false if it exists already. */
function create(file: string, holder: LockHolder): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return Number.isInteger(holder.pid) && holder.pid! > 0 ? { pid: holder.pid!, command: String(holder.command ?? 'unknown'), since: String(holder.since ?? 'unknown') } : undefined;
  } catch {
    return undefined; // missing, or not a lock we can read: nobody we can name holds it
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** How this process was started, e.g. "ardesk start". */
function commandLine(): string {
  const script = process.argv[1] ? path.basename(process.argv[1]).replace(/\.js$/, '') : 'node';
  const name = script === 'cli' ? 'ardesk' : script;
  return [name, ...process.argv.slice(2, 3)].join(' ');
}
