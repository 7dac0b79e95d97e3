import { execFileSync } from 'node:child_process';

/**
 * The text a PDF shows, as a reader would copy it: poppler's `pdftotext` (Debian poppler-utils),
 * which reads embedded fonts through their ToUnicode maps as any PDF viewer does.
 */
export function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}
