import type { Response } from 'express';

/**
 * The policy of the pages that show a company's template output (a message, a letter, a
 * preview). That output is shown only in sandboxed frames (`srcdoc`, which inherit this policy),
 * so whatever HTML a template holds runs no script, posts no form, loads nothing from elsewhere
 * and cannot re-base the page's links. Letters and emails carry inline styles (mail clients need
 * them), so inline styles, and only those, get through; scripts stay our own files only. Every
 * other page has the app's policy, with the same locks on base-uri, form-action and object-src.
 */
export const TEMPLATE_PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function allowInlineStyles(res: Response): void {
  res.setHeader('Content-Security-Policy', TEMPLATE_PAGE_POLICY);
}

/**
 * The policy of the queue view (Bull Board, operators only): its React UI sets inline styles, so
 * those get through; scripts, connections, fonts and images stay our own (its web font from
 * Google is refused, and the system font stands in).
 */
export const QUEUE_VIEW_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
