'use strict';
// `npm start` runs this first: it compiles src/ to dist/ when dist/ is missing or older than the
// sources, and does nothing otherwise (an image built with `npm run build` ships dist/ only).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'main', 'cli.js');

function newest(target) {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const name of fs.readdirSync(target)) latest = Math.max(latest, newest(path.join(target, name)));
  return latest;
}

const sources = ['src', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => path.join(root, name));
const hasSources = fs.existsSync(path.join(root, 'src'));
const built = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
if (!hasSources || (built && Math.max(...sources.map(newest)) <= built)) process.exit(0);

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!fs.existsSync(tsc)) {
  console.error('ardesk: dist/ is missing or older than src/, and TypeScript is not installed to build it. Run `npm ci && npm run build`.');
  process.exit(1);
}
console.error(built ? 'ardesk: src/ changed since the last build; building...' : 'ardesk: not built yet; building...');
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
// tsc leaves an unchanged output file alone: mark the build as fresh.
const now = new Date();
fs.utimesSync(entry, now, now);
