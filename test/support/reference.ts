import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths';

/** Intuit's real recordings, beside the checkout in shared/reference/qbo (read-only). */
export const REFERENCE_DIR = path.resolve(PROJECT_ROOT, '../shared/reference/qbo');

export function readReference<T = unknown>(relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, relative), 'utf8')) as T;
}

export interface RecordedExchange {
  request: { method: string; uri: string; body?: string };
  response: { status: number; headers: Record<string, string[]>; body?: string; body_json?: unknown };
}
