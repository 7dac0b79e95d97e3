import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { BadRequestError } from '../errors';
import { PROJECT_ROOT } from '../paths';

/**
 * Letters, emails and call scripts (templates/): each a subject, an HTML body and a plain-text
 * body, written in Handlebars over one merge-data shape. A company may override any part; an
 * override is compiled, checked for unknown helpers and partials, and rendered against sample
 * data before it is saved, so a broken one is refused with its line and never reaches a customer.
 */

export const MESSAGE_TEMPLATES = ['verification', 'reminder', 'second_notice', 'demand_letter', 'final_notice', 'promise_confirmation', 'plan_confirmation', 'thank_you'] as const;
export const CALL_SCRIPTS = ['call_script_level_1', 'call_script_level_2', 'call_script_level_3', 'call_script_level_4', 'call_script_broken_promise'] as const;
export const TEMPLATE_NAMES = [...MESSAGE_TEMPLATES, ...CALL_SCRIPTS] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

export interface InvoiceLine {
  number: string;
  txnDate: string;
  dueDate: string;
  amount: number;
  balance: number;
  daysOverdue: number;
  payLink?: string | null;
}

export interface MergeData {
  locale: string;
  currency: string;
  today: string;
  /** Demand letters and final notices give this date to pay by. */
  payBy: string;
  company: { name: string; email?: string | null; phone?: string | null };
  /** `address`: the postal address block (name, then the QuickBooks billing address), for letters. */
  customer: { name: string; companyName?: string | null; address?: string[] };
  contact: { name: string; email?: string | null };
  approver?: { name: string; phone?: string | null } | null;
  invoices: InvoiceLine[];
  total: number;
  terms: { name: string; dueDays?: number | null };
  sender: { name: string };
  promise?: { amount: number; dueOn: string; madeOn: string } | null;
  plan?: { installments: Array<{ dueOn: string; amount: number }>; total: number } | null;
}

export interface Rendered {
  subject: string;
  html: string;
  text: string;
}

/** A letter rendered for print: `textAroundTable` holds the text before and after each invoice table. */
export interface PrintedLetter {
  subject: string;
  html: string;
  textAroundTable: string[];
}

const TABLE_MARKER = '[[ardesk:invoice-table]]';

export class TemplateError extends BadRequestError {
  constructor(
    readonly template: string,
    readonly part: TemplatePart,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${template} ${part}${line ? `, line ${line}` : ''}: ${reason}`, { template, part, line, reason });
  }
}

const TEMPLATE_DIR = path.join(PROJECT_ROOT, 'templates');
const PARTIALS: Record<string, string> = {
  layout: 'layout.html.hbs',
  invoiceTable: 'invoice-table.html.hbs',
  invoiceTableText: 'invoice-table.text.hbs',
  signature: 'signature.html.hbs',
  signatureText: 'signature.text.hbs',
};
const BUILT_IN_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing']);

export function formatMoney(value: unknown, data: Pick<MergeData, 'locale' | 'currency'>): string {
  const amount = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(amount)) return '';
  try {
    return new Intl.NumberFormat(data.locale, { style: 'currency', currency: data.currency }).format(amount);
  } catch {
    return `${data.currency} ${amount.toFixed(2)}`;
  }
}

export function formatDate(value: unknown, data: MergeData): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return '';
  const date = new Date(`${value.slice(0, 10)}T12:00:00Z`);
  return new Intl.DateTimeFormat(data.locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(date);
}

/** A Handlebars environment of our own: the helpers and partials the templates may use. */
function environment(): typeof Handlebars {
  const hb = Handlebars.create();
  const root = (options: Handlebars.HelperOptions) => options.data.root as MergeData;
  hb.registerHelper('money', (value: unknown, options: Handlebars.HelperOptions) => formatMoney(value, root(options)));
  hb.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) => formatDate(value, root(options)));
  hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
  for (const [name, file] of Object.entries(PARTIALS)) hb.registerPartial(name, fs.readFileSync(path.join(TEMPLATE_DIR, 'partials', file), 'utf8'));
  return hb;
}

function fileOf(name: TemplateName, part: TemplatePart): string {
  return path.join(TEMPLATE_DIR, `${name}.${part}.hbs`);
}

/** Every helper and partial a template names, with the line it is on. */
function referencesOf(program: hbs.AST.Program): Array<{ kind: 'helper' | 'partial'; name: string; line: number }> {
  const found: Array<{ kind: 'helper' | 'partial'; name: string; line: number }> = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; path?: { original?: unknown; type?: string }; params?: unknown[]; name?: { original?: unknown; type?: string }; loc?: { start: { line: number } } };
    const line = n.loc?.start.line ?? 0;
    if ((n.type === 'BlockStatement' || ((n.type === 'MustacheStatement' || n.type === 'SubExpression') && (n.params?.length ?? 0) > 0)) && n.path?.type === 'PathExpression') {
      found.push({ kind: 'helper', name: String(n.path.original), line });
    }
    if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && n.name?.type === 'PathExpression') found.push({ kind: 'partial', name: String(n.name.original), line });
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object' && value !== n.loc) visit(value);
    }
  };
  visit(program);
  return found;
}

export class TemplateBook {
  private readonly hb = environment();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  /** The shipped source of one part. */
  defaultSource(name: TemplateName, part: TemplatePart): string {
    return fs.readFileSync(fileOf(name, part), 'utf8');
  }

  /**
   * Compiles `source` and renders it against sample data; throws a TemplateError naming the
   * line and the reason when it cannot be used.
   */
  check(name: TemplateName, part: TemplatePart, source: string, sample: MergeData = sampleMergeData()): string {
    if (source.length > 100_000) throw new TemplateError(name, part, null, 'is longer than 100,000 characters');
    let program: hbs.AST.Program;
    try {
      program = this.hb.parse(source);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const line = /line (\d+)/i.exec(message)?.[1];
      throw new TemplateError(name, part, line ? Number(line) : null, message.split('\n').filter(Boolean).slice(-1)[0] ?? message);
    }
    for (const ref of referencesOf(program)) {
      if (ref.kind === 'helper' && !BUILT_IN_HELPERS.has(ref.name) && !this.hb.helpers[ref.name]) throw new TemplateError(name, part, ref.line, `unknown helper "${ref.name}"`);
      if (ref.kind === 'partial' && ref.name !== '@partial-block' && !this.hb.partials[ref.name]) throw new TemplateError(name, part, ref.line, `unknown partial "${ref.name}"`);
    }
    try {
      return this.compile(source, part)(sample);
    } catch (error) {
      const e = error as { message?: string; lineNumber?: number };
      throw new TemplateError(name, part, e.lineNumber ?? null, e.message ?? String(error));
    }
  }

  /** Renders the three parts of a template, each from its override when one is given. */
  render(name: TemplateName, data: MergeData, overrides: Partial<Record<TemplatePart, string>> = {}): Rendered {
    const part = (p: TemplatePart) => this.compile(overrides[p] ?? this.defaultSource(name, p), p)(data);
    const subject = part('subject').replace(/\s+/g, ' ').trim().slice(0, 250);
    return { subject, html: part('html'), text: part('text').replace(/\n{3,}/g, '\n\n').trim() + '\n' };
  }

  /**
   * A letter for printing and posting: the HTML body without the email frame, and the plain
   * text cut where the invoice table goes, so a PDF can draw the table as a table.
   */
  renderLetter(name: TemplateName, data: MergeData, overrides: Partial<Record<TemplatePart, string>> = {}): PrintedLetter {
    const partials = { layout: this.bareLayout, invoiceTableText: this.tableMarker };
    const part = (p: TemplatePart) => this.compile(overrides[p] ?? this.defaultSource(name, p), p)(data, { partials });
    const subject = part('subject').replace(/\s+/g, ' ').trim().slice(0, 250);
    const text = part('text').replace(/\n{3,}/g, '\n\n').trim();
    return { subject, html: part('html'), textAroundTable: text.split(TABLE_MARKER).map((piece) => piece.replace(/^\n+|\n+$/g, '')) };
  }

  private readonly bareLayout = this.hb.compile('{{> @partial-block }}');
  private readonly tableMarker = this.hb.compile(TABLE_MARKER);

  private compile(source: string, part: TemplatePart): Handlebars.TemplateDelegate {
    const key = `${part}\u0000${source}`;
    let template = this.compiled.get(key);
    if (!template) {
      // HTML is escaped; subjects and plain text are not HTML, so they are not.
      template = this.hb.compile(source, { noEscape: part !== 'html', strict: false, knownHelpersOnly: false });
      if (this.compiled.size > 500) this.compiled.clear();
      this.compiled.set(key, template);
    }
    return template;
  }
}

/** Realistic sample data: what the preview shows and what an override is checked against. */
export function sampleMergeData(): MergeData {
  return {
    locale: 'en-US',
    currency: 'USD',
    today: '2026-03-02',
    payBy: '2026-03-12',
    company: { name: 'Northwind Supply Co.', email: 'billing@northwind.test', phone: '(555) 010-2000' },
    customer: { name: 'Acme Builders', companyName: 'Acme Builders LLC', address: ['Acme Builders LLC', '4410 Quarry Rd', 'Springfield, IL 62704'] },
    contact: { name: 'Jordan Lee', email: 'ap@acme.test' },
    approver: { name: 'Sam Ortiz', phone: '(555) 010-3000' },
    invoices: [
      { number: '1043', txnDate: '2026-01-15', dueDate: '2026-02-14', amount: 2500, balance: 2500, daysOverdue: 16, payLink: 'https://pay.example.test/1043' },
      { number: '1057', txnDate: '2026-01-28', dueDate: '2026-02-27', amount: 1710, balance: 1710, daysOverdue: 3, payLink: null },
    ],
    total: 4210,
    terms: { name: 'Net 30', dueDays: 30 },
    sender: { name: 'Casey Morgan' },
    promise: { amount: 2500, dueOn: '2026-03-09', madeOn: '2026-03-02' },
    plan: { installments: [{ dueOn: '2026-03-09', amount: 2105 }, { dueOn: '2026-04-09', amount: 2105 }], total: 4210 },
  };
}

/** A locale for money and dates from the company's country. */
export function localeOf(country: string | null | undefined): string {
  const known: Record<string, string> = { US: 'en-US', CA: 'en-CA', GB: 'en-GB', UK: 'en-GB', AU: 'en-AU', NZ: 'en-NZ', IE: 'en-IE', IN: 'en-IN', ZA: 'en-ZA', FR: 'fr-FR', DE: 'de-DE' };
  return known[(country ?? 'US').toUpperCase()] ?? 'en-US';
}
