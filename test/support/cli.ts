import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processClockEnv } from './process-clock';

export const ARDESK_BIN = path.resolve(__dirname, '../../bin/ardesk');

/**
 * An empty folder to run `ardesk` in: it reads a .env from its current folder, and a developer's
 * .env in the checkout must not change what a test runs.
 */
export const CLEAN_CWD = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-cwd-'));
process.once('exit', () => fs.rmSync(CLEAN_CWD, { recursive: true, force: true }));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiled `ardesk` command (npm test builds it first), on the test process's clock, and
 * collects what it printed.
 */
export function runArdesk(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000, options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ARDESK_BIN, ...args], { env: { PATH: process.env.PATH, ...processClockEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd ?? CLEAN_CWD });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ardesk ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': the process may exit before its output has all been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
