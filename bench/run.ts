import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/paths';
import { sandboxBenchmark } from './sandbox-bench';
import { syncBenchmark } from './sync-bench';
import { playbookBenchmark } from './playbook-bench';
import { cadenceBenchmark } from './cadence-bench';
import { mailBenchmark } from './mail-bench';
import { notesBenchmark } from './notes-bench';
import { backtestBenchmark } from './backtest-bench';
import { readsBenchmark } from './reads-bench';
import { scaleBenchmark } from './scale-bench';

/**
 * `npm run bench [-- name ...]`: runs the benchmarks, prints one table of figures with their
 * targets, and writes the results as JSON to bench/results/. Figures, not pass/fail tests.
 */
export interface Figure {
  /** The figure's id in latest.json when the issues name it; else one made from the measure. */
  id?: string;
  benchmark: string;
  measure: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

export type Benchmark = () => Promise<Figure[]>;

const BENCHMARKS: Record<string, Benchmark> = {
  sandbox: sandboxBenchmark,
  sync: syncBenchmark,
  playbook: playbookBenchmark,
  cadence: cadenceBenchmark,
  mail: mailBenchmark,
  notes: notesBenchmark,
  backtest: backtestBenchmark,
  reads: readsBenchmark,
  scale: scaleBenchmark,
};

/** A stable id for a figure: the benchmark and the first words of its measure, e.g. `cadence.get-worklist-at-20-000`. */
export function figureId(figure: Figure): string {
  if (figure.id) return figure.id;
  const words = figure.measure.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().split(' ').slice(0, 6);
  return `${figure.benchmark}.${words.join('-')}`;
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => [f.benchmark, f.measure, `${f.value} ${f.unit}`, f.target ?? '', f.met === undefined ? '' : f.met ? 'yes' : 'NO']);
  const header = ['benchmark', 'measure', 'value', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs one benchmark in a child process, so each one's memory figures are its own. */
function runIsolated(name: string): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Figure[]) : reject(new Error(`benchmark ${name} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(await BENCHMARKS[args[1]!]!()));
    return;
  }
  const wanted = args.filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !BENCHMARKS[name]);
  if (unknown.length) throw new Error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const figures: Figure[] = [];
  for (const name of wanted.length ? wanted : Object.keys(BENCHMARKS)) {
    process.stderr.write(`running ${name}...\n`);
    figures.push(...(await runIsolated(name)));
  }
  process.stdout.write(`${table(figures)}\n`);
  const dir = path.join(PROJECT_ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, figures }, null, 2));
  // The issues read their figures from latest.json: one {id, value, unit, target, met} per figure.
  const latest = path.join(dir, 'latest.json');
  fs.writeFileSync(latest, JSON.stringify(figures.map((f) => ({ id: figureId(f), value: f.value, unit: f.unit, target: f.target ?? null, met: f.met ?? null })), null, 2));
  process.stdout.write(`results written to ${path.relative(process.cwd(), file)} and ${path.relative(process.cwd(), latest)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
