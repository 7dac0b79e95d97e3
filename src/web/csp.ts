import type { Response } from 'express';

/**
 * Letters and emails carry inline styles (mail clients need them), so a page that shows one lets
 * inline styles, and only those, through; scripts stay our own files only.
 */
export function allowInlineStyles(res: Response): void {
  res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'");
}
