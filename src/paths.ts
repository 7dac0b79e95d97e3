import fs from 'node:fs';
import path from 'node:path';

/** The checkout's root (the folder with package.json), whether running from src/ or dist/. */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(__dirname);
export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views');
export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');
