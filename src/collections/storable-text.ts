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

/**
 * The same for every string (and object key) of a parsed JSON value, e.g. an entity QuickBooks
 * sent. Copy on write: a value with nothing to clean (nearly all of them) comes back as it is,
 * so a sync of 100,000 invoices allocates nothing for it.
 */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const clean = storableJson(value[i]);
      if (clean !== value[i]) (copy ??= value.slice())[i] = clean;
    }
    return copy ?? value;
  }
  if (value !== null && typeof value === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const cleanKey = storableText(key);
      const clean = storableJson(item);
      if (clean === item && cleanKey === key) continue;
      copy ??= { ...(value as Record<string, unknown>) };
      if (cleanKey !== key) delete copy[key];
      copy[cleanKey] = clean;
    }
    return copy ?? value;
  }
  return value;
}

/**
 * How JSON.stringify writes what the database cannot store: NUL as `\u0000`, a lone surrogate
 * as `\udXXX` (a paired one it writes as it is). A user's own backslash before such letters is a
 * false alarm, which only costs the slower path.
 */
const WRITTEN_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/**
 * A parsed JSON value (an entity QuickBooks sent) as the database can store it, with its JSON
 * text. The text is written once and looked through once: for nearly every value it holds
 * nothing to clean, and the value comes back as it is, without a walk over its strings.
 */
export function storableJsonText(value: unknown): { value: unknown; json: string } {
  const json = JSON.stringify(value);
  if (!WRITTEN_UNSTORABLE.test(json)) return { value, json };
  const clean = storableJson(value);
  return { value: clean, json: JSON.stringify(clean) };
}
