/**
 * What PostgreSQL cannot hold in text or jsonb: the NUL character, and UTF-16 surrogates without
 * their other half (JavaScript strings may hold them; UTF-8 and JSON in the database may not).
 * QuickBooks lets its users type both, and a JSON body can carry both as escapes.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** True when `text` holds a character the database cannot store. */
export function hasUnstorable(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** `text` minus what the database cannot hold: NUL removed, a lone surrogate replaced by U+FFFD. */
export function storableText(text: string): string {
  return hasUnstorable(text) ? text.replace(UNSTORABLE_ALL, (found) => (found === '\u0000' ? '' : '\ufffd')) : text;
}

/** The same for every string (and object key) of a parsed JSON value, e.g. an entity QuickBooks sent. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableJson(item)]));
  return value;
}
