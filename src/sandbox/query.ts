import { faults } from './faults';

/**
 * The QuickBooks query language: `SELECT * | COUNT(*) | f1, f2 FROM Entity [WHERE c AND c ...]
 * [ORDERBY f [ASC|DESC], ...] [STARTPOSITION n] [MAXRESULTS n]`. Keywords are case-insensitive;
 * there is no OR and no JOIN; operators are =, <, >, <=, >=, IN and LIKE.
 */

export type Literal = string | number | boolean;

export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'IN' | 'LIKE';
  value: Literal | Literal[];
}

export interface ParsedQuery {
  entity: string;
  count: boolean;
  fields: string[] | '*';
  where: Condition[];
  orderBy: Array<{ field: string; desc: boolean }>;
  startPosition: number;
  maxResults: number;
}

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_RESULTS_LIMIT = 1000;

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string; value?: Literal };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw faults.invalidQuery(`Encountered unterminated string literal in ${text}`);
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: value, value });
    } else if (/[<>=]/.test(ch)) {
      const two = text.slice(i, i + 2);
      const op = two === '<=' || two === '>=' ? two : ch;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else if (/[(),*]/.test(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    } else if (/[-\d]/.test(ch) && /^-?\d/.test(text.slice(i, i + 2))) {
      const match = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][\w.]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    } else {
      throw faults.invalidQuery(`Encountered " "${ch}" "" at line 1, column ${i + 1}.`);
    }
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }
  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw faults.invalidQuery(`Encountered "<EOF>" at line 1 in ${this.source}`);
    return token;
  }
  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }
  private expectKeyword(word: string): void {
    const token = this.next();
    if (token.kind !== 'word' || token.text.toUpperCase() !== word) throw faults.invalidQuery(`Encountered "${token.text}", expected ${word}`);
  }
  private expectPunct(p: string): void {
    const token = this.next();
    if (token.text !== p) throw faults.invalidQuery(`Encountered "${token.text}", expected "${p}"`);
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return token.value!;
    if (token.kind === 'word' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
    throw faults.invalidQuery(`Encountered "${token.text}" where a value was expected`);
  }

  private positiveInteger(what: string): number {
    const token = this.next();
    if (token.kind !== 'number' || !Number.isInteger(token.value) || (token.value as number) < 0) throw faults.invalidQuery(`${what} must be a whole number`);
    return token.value as number;
  }

  parse(): ParsedQuery {
    this.expectKeyword('SELECT');
    let count = false;
    let fields: string[] | '*' = '*';
    if (this.peek()?.text === '*') {
      this.next();
    } else if (this.isKeyword('COUNT')) {
      this.next();
      this.expectPunct('(');
      this.expectPunct('*');
      this.expectPunct(')');
      count = true;
    } else {
      fields = [];
      do {
        const token = this.next();
        if (token.kind !== 'word') throw faults.invalidQuery(`Encountered "${token.text}" in the select list`);
        fields.push(token.text);
      } while (this.peek()?.text === ',' && this.next());
    }
    this.expectKeyword('FROM');
    const entityToken = this.next();
    if (entityToken.kind !== 'word') throw faults.invalidQuery(`invalid context declaration: ${entityToken.text}`);
    const query: ParsedQuery = { entity: entityToken.text, count, fields, where: [], orderBy: [], startPosition: 1, maxResults: DEFAULT_MAX_RESULTS };

    if (this.isKeyword('WHERE')) {
      this.next();
      do {
        query.where.push(this.condition());
      } while (this.isKeyword('AND') && this.next());
      if (this.isKeyword('OR')) throw faults.invalidQuery('OR is not supported');
    }
    while (this.peek()) {
      const keyword = this.next();
      const word = keyword.text.toUpperCase();
      if (word === 'ORDERBY' || (word === 'ORDER' && this.isKeyword('BY') && this.next())) {
        do {
          const field = this.next();
          if (field.kind !== 'word') throw faults.invalidQuery(`Encountered "${field.text}" after ORDERBY`);
          let desc = false;
          if (this.isKeyword('DESC') || this.isKeyword('ASC')) desc = this.next().text.toUpperCase() === 'DESC';
          query.orderBy.push({ field: field.text, desc });
        } while (this.peek()?.text === ',' && this.next());
      } else if (word === 'STARTPOSITION') {
        query.startPosition = Math.max(1, this.positiveInteger('STARTPOSITION'));
      } else if (word === 'MAXRESULTS') {
        query.maxResults = this.positiveInteger('MAXRESULTS');
        if (query.maxResults > MAX_RESULTS_LIMIT) throw faults.invalidQuery(`value ${query.maxResults} is too large. Max allowed value is ${MAX_RESULTS_LIMIT}`);
      } else {
        throw faults.invalidQuery(`Encountered "${keyword.text}" at the end of ${this.source}`);
      }
    }
    return query;
  }

  private condition(): Condition {
    const field = this.next();
    if (field.kind !== 'word') throw faults.invalidQuery(`Encountered "${field.text}" where a property name was expected`);
    const opToken = this.next();
    const opText = opToken.text.toUpperCase();
    if (opText === 'IN') {
      this.expectPunct('(');
      const values: Literal[] = [];
      do {
        values.push(this.literal());
      } while (this.peek()?.text === ',' && this.next());
      this.expectPunct(')');
      return { field: field.text, op: 'IN', value: values };
    }
    if (opText === 'LIKE') return { field: field.text, op: 'LIKE', value: this.literal() };
    if (opToken.kind === 'op') return { field: field.text, op: opToken.text as Condition['op'], value: this.literal() };
    throw faults.invalidQuery(`Encountered "${opToken.text}": operator expected (=, <, >, <=, >=, IN, LIKE)`);
  }
}

export function parseQuery(text: string): ParsedQuery {
  const trimmed = text.trim();
  if (!trimmed) throw faults.invalidQuery('the query is empty');
  return new Parser(tokenize(trimmed), trimmed).parse();
}

/** The value of a property path; a reference object (`CustomerRef`) compares by its `value`. */
export function fieldValue(entity: Record<string, unknown>, path: string): unknown {
  let value: unknown = entity;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    // The name as written first (nearly always): looking through every key is for another case.
    const key = Object.hasOwn(record, part) ? part : Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : record[key];
  }
  if (value && typeof value === 'object' && 'value' in (value as object)) return (value as { value: unknown }).value;
  return value;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

function compare(actual: unknown, expected: Literal): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  if (typeof actual === 'number') return actual - Number(expected);
  if (typeof actual === 'boolean') return actual === (expected === true || expected === 'true') ? 0 : 1;
  const text = String(actual);
  const other = String(expected);
  if (DATE_LIKE.test(text) && DATE_LIKE.test(other)) {
    // Dates without a time compare as dates; date-times compare as instants.
    if (text.length === 10 || other.length === 10) return text.slice(0, 10).localeCompare(other.slice(0, 10));
    return Date.parse(text) - Date.parse(other);
  }
  if (/^-?\d+(\.\d+)?$/.test(text) && /^-?\d+(\.\d+)?$/.test(other)) return Number(text) - Number(other);
  return text.toLowerCase().localeCompare(other.toLowerCase());
}

function like(actual: unknown, pattern: Literal): boolean {
  if (actual === undefined || actual === null) return false;
  const regex = new RegExp(`^${String(pattern).split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'is');
  return regex.test(String(actual));
}

export function matches(entity: Record<string, unknown>, condition: Condition): boolean {
  const actual = fieldValue(entity, condition.field);
  switch (condition.op) {
    case 'IN':
      return (condition.value as Literal[]).some((v) => compare(actual, v) === 0);
    case 'LIKE':
      return like(actual, condition.value as Literal);
    case '=':
      return compare(actual, condition.value as Literal) === 0;
    default: {
      const order = compare(actual, condition.value as Literal);
      if (order === undefined || Number.isNaN(order)) return false;
      return condition.op === '<' ? order < 0 : condition.op === '>' ? order > 0 : condition.op === '<=' ? order <= 0 : order >= 0;
    }
  }
}

export function sortEntities<T extends Record<string, unknown>>(rows: T[], orderBy: ParsedQuery['orderBy']): T[] {
  const keys = orderBy.length ? orderBy : [{ field: 'Id', desc: false }];
  // Each row's sort values are read (and dates parsed) once, not on every comparison.
  const decorated = rows.map((row) => ({
    row,
    values: keys.map(({ field }) => {
      const value = fieldValue(row, field);
      if (value === undefined || value === null) return undefined;
      if (field.toLowerCase() === 'id' || typeof value === 'number') return Number(value);
      const text = String(value);
      return DATE_LIKE.test(text) && text.length > 10 ? Date.parse(text) : text;
    }),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const left = a.values[i];
      const right = b.values[i];
      let order: number;
      if (left === right) order = 0;
      else if (left === undefined) order = -1;
      else if (right === undefined) order = 1;
      else if (typeof left === 'number' && typeof right === 'number') order = left - right;
      // QuickBooks orders text by ordinal comparison: "PG&E" comes before "Pam".
      else order = String(left) < String(right) ? -1 : 1;
      if (order !== 0) return keys[i]!.desc ? -order : order;
    }
    return 0;
  });
  return decorated.map((d) => d.row);
}
