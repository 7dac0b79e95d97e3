#!/usr/bin/env node
'use strict';
/**
 * Rendered samples of every posted letter (`npm run letters:samples`): each letter, for a
 * business and for a personal customer, made into the very PDF Ardesk posts (src/mail/letter-pdf.ts,
 * from the compiled dist/), then each page drawn as a PNG with `pdftoppm` (Debian's
 * poppler-utils) into docs/letters/. The sample data is the templates' own (sampleMergeData).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist', 'src');
const { TemplateEngine } = require(path.join(dist, 'mail', 'render-engine'));
const { letterPdf } = require(path.join(dist, 'mail', 'letter-pdf'));
const { sampleMergeData, templateOf } = require(path.join(dist, 'mail', 'templates'));
const { escalationOf } = require(path.join(dist, 'mail', 'merge-data'));
const { playbookSettings } = require(path.join(dist, 'collections', 'settings'));
const { LETTERS, MESSAGE_NAMES } = require(path.join(dist, 'collections', 'message-kinds'));

const out = path.join(root, 'docs', 'letters');
const DPI = '60';

/** The samples: every letter for each customer type, and the final notice once with every escalation step set. */
function samples() {
  const list = [];
  for (const kind of LETTERS) {
    for (const type of ['commercial', 'personal']) list.push({ file: `${kind}-${type === 'personal' ? 'personal' : 'business'}`, kind, data: sampleMergeData(type) });
  }
  const configured = escalationOf(playbookSettings({ collectionAgency: 'Keystone Recovery LLC', filesSmallClaims: true, collectionCharges: 'interest of 1.5% a month on overdue balances, as our terms state', reportsToCreditBureaus: true }));
  list.push({ file: 'final_notice-business-escalation-set', kind: 'final_notice', data: { ...sampleMergeData('commercial'), escalation: configured } });
  return list;
}

async function main() {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
  } catch {
    console.error('pdftoppm is missing: install poppler-utils (apt-get install poppler-utils) and run again.');
    process.exit(1);
  }
  fs.mkdirSync(out, { recursive: true });
  for (const old of fs.readdirSync(out)) if (old.endsWith('.png')) fs.rmSync(path.join(out, old));
  const engine = new TemplateEngine();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-letters-'));
  const made = [];
  try {
    for (const sample of samples()) {
      const template = templateOf(sample.kind, sample.data);
      const printed = engine.renderLetter(template, sample.data);
      const pdf = await letterPdf({ kind: sample.kind, title: MESSAGE_NAMES[sample.kind], data: sample.data, printed });
      const pdfPath = path.join(work, `${sample.file}.pdf`);
      fs.writeFileSync(pdfPath, pdf);
      execFileSync('pdftoppm', ['-png', '-r', DPI, pdfPath, path.join(out, sample.file)]);
      made.push(...fs.readdirSync(out).filter((name) => name.startsWith(`${sample.file}-`) && name.endsWith('.png')));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`Wrote ${made.length} page(s) to docs/letters/: ${[...new Set(made)].sort().join(', ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
