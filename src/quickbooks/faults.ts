import { QuickBooksFault } from './errors';

/** Fault codes worth another try: throttled, or Intuit's own failures. */
const RETRYABLE_CODES = new Set(['3001', '10000']);

/**
 * Reads a QuickBooks answer as a fault, or returns undefined when it is a success. Knows the
 * `Fault` envelope (also inside a 200), the lower-case `fault` envelope of authentication
 * errors, and the XML throttle answer that arrives even when JSON was asked for.
 */
export function parseFault(status: number, text: string, intuitTid?: string): QuickBooksFault | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('<')) {
    if (status < 400 && !/<Fault/.test(trimmed)) return undefined;
    const code = /<Error[^>]*code="(\d+)"/.exec(trimmed)?.[1] ?? String(status);
    const message = /<Message>([^<]*)<\/Message>/.exec(trimmed)?.[1] ?? `HTTP ${status}`;
    const detail = /<Detail>([^<]*)<\/Detail>/.exec(trimmed)?.[1] ?? '';
    return new QuickBooksFault(status, code, message, detail, intuitTid, status === 429 || code === '3001' || status >= 500);
  }
  let body: Record<string, unknown> | undefined;
  try {
    body = trimmed ? (JSON.parse(trimmed) as Record<string, unknown>) : undefined;
  } catch {
    if (status >= 400) return new QuickBooksFault(status, String(status), `HTTP ${status}`, trimmed.slice(0, 200), intuitTid, status >= 500 || status === 429);
    return new QuickBooksFault(status, 'unparseable', 'QuickBooks answered with something that is not JSON', trimmed.slice(0, 200), intuitTid, true);
  }
  const upper = body?.Fault as { Error?: Array<{ Message?: string; Detail?: string; code?: string; element?: string }> } | undefined;
  const lower = (body?.fault as { error?: Array<{ message?: string; detail?: string; code?: string }> } | undefined)?.error;
  const first = upper?.Error?.[0] ?? (lower?.[0] ? { Message: lower[0].message, Detail: lower[0].detail, code: lower[0].code } : undefined);
  if (!first && status < 400) return undefined;
  const code = first?.code ?? String(status);
  const retryable = status === 429 || status >= 500 || RETRYABLE_CODES.has(code);
  return new QuickBooksFault(status, code, first?.Message ?? `HTTP ${status}`, first?.Detail ?? '', intuitTid, retryable, (first as { element?: string } | undefined)?.element);
}
