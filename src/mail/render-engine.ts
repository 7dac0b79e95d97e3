import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { defaultSource, formatDate, formatMoney, sampleMergeData, TemplateError, TEMPLATE_DIR, type MergeData, type PrintedLetter, type Rendered, type TemplateName, type TemplatePart } from './templates';

/**
 * The Handlebars side of the templates, synchronous: it runs inside a render thread
 * (render-worker.ts), never on a process's main thread, because a template can loop for as long
 * as its author likes. What a template may use is checked here before it is saved: only our
 * helpers and partials, partials named in the text, and blocks nested at most MAX_BLOCK_DEPTH deep
 * (loops inside loops multiply: 26 of them over two invoices are 67 million rounds).
 */

export const MAX_BLOCK_DEPTH = 8;
/** A letter of a few hundred invoices is well under this; more means a template runs away. */
export const MAX_OUTPUT_CHARS = 2_000_000;

const PARTIALS: Record<string, string> = {
  layout: 'layout.html.hbs',
  invoiceTable: 'invoice-table.html.hbs',
  invoiceTableText: 'invoice-table.text.hbs',
  signature: 'signature.html.hbs',
  signatureText: 'signature.text.hbs',
  customerLinks: 'customer-links.html.hbs',
  customerLinksText: 'customer-links.text.hbs',
};
// `log` is not among them: it writes whatever a template gives it into the process's log.
const BUILT_IN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'];
const BLOCKS = new Set(['BlockStatement', 'PartialBlockStatement', 'DecoratorBlock']);
const TABLE_MARKER = '[[ardesk:invoice-table]]';

const root = (options: Handlebars.HelperOptions) => options.data.root as MergeData;
const HELPERS: Record<string, Handlebars.HelperDelegate> = {
  money: (value: unknown, options: Handlebars.HelperOptions) => formatMoney(value, root(options)),
  date: (value: unknown, options: Handlebars.HelperOptions) => formatDate(value, root(options)),
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  eq: (a: unknown, b: unknown) => a === b,
  add: (a: unknown, b: unknown) => Number(a) + Number(b),
};
const ALLOWED_HELPERS = new Set([...BUILT_IN_HELPERS, ...Object.keys(HELPERS)]);

/** A Handlebars environment of our own: the helpers and partials the templates may use. */
function environment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.unregisterHelper('log');
  hb.registerHelper(HELPERS);
  for (const [name, file] of Object.entries(PARTIALS)) hb.registerPartial(name, fs.readFileSync(path.join(TEMPLATE_DIR, 'partials', file), 'utf8'));
  return hb;
}

/**
 * The depth at which a block's field sits: its program and `{{else}}` one level in; a chained
 * `{{else if}}` is the same block going on, so its own block does not go deeper.
 */
function depthInside(key: string, value: unknown, outside: number, inside: number): number {
  if (key === 'inverse' && (value as { chained?: boolean } | null)?.chained) return outside;
  return key === 'program' || key === 'inverse' ? inside : outside;
}

/** How deep the blocks of a template go. */
function blockDepth(program: hbs.AST.Program): number {
  let deepest = 0;
  const walk = (node: unknown, depth: number): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child) => walk(child, depth));
    const n = node as AstNode;
    const nested = n.type && BLOCKS.has(n.type) ? depth + 1 : depth;
    deepest = Math.max(deepest, nested);
    for (const [key, value] of Object.entries(n)) if (key !== 'loc') walk(value, depthInside(key, value, depth, nested));
  };
  walk(program, 0);
  return deepest;
}

interface AstNode {
  type?: string;
  path?: { type?: string; original?: unknown };
  name?: { type?: string; original?: unknown };
  params?: unknown[];
  hash?: { pairs?: unknown[] };
  loc?: { start: { line: number } };
}

interface Finding {
  line: number;
  reason: string;
}

/**
 * Walks a template once: the helpers and partials it names, and how deep its blocks go (a partial
 * counts as deep as its own blocks, where it is used). `partialDepth` gives a registered partial's.
 */
function problemsOf(program: hbs.AST.Program, known: { helper(name: string): boolean; partial(name: string): boolean }, partialDepth: (name: string) => number): Finding[] {
  const found: Finding[] = [];
  let deepest: { depth: number; line: number } | undefined;
  const visit = (node: unknown, depth: number): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child) => visit(child, depth));
    const n = node as AstNode;
    const line = n.loc?.start.line ?? 0;
    const nested = n.type && BLOCKS.has(n.type) ? depth + 1 : depth;
    const callsHelper = n.type === 'BlockStatement' || n.type === 'SubExpression' || (n.type === 'MustacheStatement' && ((n.params?.length ?? 0) > 0 || (n.hash?.pairs?.length ?? 0) > 0));
    if (callsHelper && n.path?.type === 'PathExpression' && !known.helper(String(n.path.original))) found.push({ line, reason: `unknown helper "${String(n.path.original)}"` });
    let reach = nested;
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
      if (n.name?.type !== 'PathExpression') found.push({ line, reason: 'a partial must be named (dynamic partials are not allowed)' });
      else if (n.name.original !== '@partial-block' && !known.partial(String(n.name.original))) found.push({ line, reason: `unknown partial "${String(n.name.original)}"` });
      else reach = nested + partialDepth(String(n.name.original));
    }
    if (reach > MAX_BLOCK_DEPTH && (!deepest || reach > deepest.depth)) deepest = { depth: reach, line: deepest?.line ?? line };
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'loc' && key !== 'strip' && key !== 'openStrip' && key !== 'closeStrip' && key !== 'inverseStrip') visit(value, depthInside(key, value, depth, nested));
    }
  };
  visit(program, 0);
  if (deepest) found.push({ line: deepest.line, reason: `blocks are nested ${deepest.depth} deep; at most ${MAX_BLOCK_DEPTH} are allowed` });
  return found.sort((a, b) => a.line - b.line);
}

/** The line of a Handlebars parse error, and its last line of text (the reason). */
function parseFailure(error: unknown): { line: number | null; reason: string } {
  const message = error instanceof Error ? error.message : String(error);
  const line = /line (\d+)/i.exec(message)?.[1];
  return { line: line ? Number(line) : null, reason: message.split('\n').filter(Boolean).slice(-1)[0] ?? message };
}

export class TemplateEngine {
  private readonly hb = environment();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly partialDepths = new Map<string, number>();

  constructor() {
    for (const [name, source] of Object.entries(this.hb.partials as Record<string, string>)) this.partialDepths.set(name, blockDepth(this.hb.parse(source)));
  }

  /**
   * Parses `source`, checks what it names and how deep it nests, and renders it against sample
   * data; throws a TemplateError naming the line and the reason when it cannot be used.
   */
  check(name: TemplateName, part: TemplatePart, source: string, sample: MergeData = sampleMergeData()): string {
    if (source.length > 100_000) throw new TemplateError(name, part, null, 'is longer than 100,000 characters');
    let program: hbs.AST.Program;
    try {
      program = this.hb.parse(source);
    } catch (error) {
      const { line, reason } = parseFailure(error);
      throw new TemplateError(name, part, line, reason);
    }
    const known = { helper: (helper: string) => ALLOWED_HELPERS.has(helper), partial: (partial: string) => Boolean(this.hb.partials[partial]) };
    const [problem] = problemsOf(program, known, (partial) => this.partialDepths.get(partial) ?? 0);
    if (problem) throw new TemplateError(name, part, problem.line, problem.reason);
    return this.renderPart(name, part, source, sample);
  }

  /** Renders the three parts of a template, each from its override when one is given. */
  render(name: TemplateName, data: MergeData, overrides: Partial<Record<TemplatePart, string>> = {}, onPart: (part: TemplatePart) => void = () => undefined): Rendered {
    const part = (p: TemplatePart) => {
      onPart(p);
      return this.renderPart(name, p, overrides[p] ?? defaultSource(name, p), data);
    };
    const subject = part('subject').replace(/\s+/g, ' ').trim().slice(0, 250);
    return { subject, html: part('html'), text: part('text').replace(/\n{3,}/g, '\n\n').trim() + '\n' };
  }

  /**
   * A letter for printing and posting: the HTML body without the email frame, and the plain
   * text cut where the invoice table goes, so a PDF can draw the table as a table.
   */
  renderLetter(name: TemplateName, data: MergeData, overrides: Partial<Record<TemplatePart, string>> = {}, onPart: (part: TemplatePart) => void = () => undefined): PrintedLetter {
    const partials = { layout: this.bareLayout, invoiceTableText: this.tableMarker };
    const part = (p: TemplatePart) => {
      onPart(p);
      return this.renderPart(name, p, overrides[p] ?? defaultSource(name, p), data, { partials });
    };
    const subject = part('subject').replace(/\s+/g, ' ').trim().slice(0, 250);
    const text = part('text').replace(/\n{3,}/g, '\n\n').trim();
    return { subject, html: part('html'), textAroundTable: text.split(TABLE_MARKER).map((piece) => piece.replace(/^\n+|\n+$/g, '')) };
  }

  private readonly bareLayout = this.hb.compile('{{> @partial-block }}');
  private readonly tableMarker = this.hb.compile(TABLE_MARKER);

  private renderPart(name: TemplateName, part: TemplatePart, source: string, data: MergeData, options?: Handlebars.RuntimeOptions): string {
    let output: string;
    try {
      output = this.compile(source, part)(data, options);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      const e = error as { message?: string; lineNumber?: number };
      if (e instanceof RangeError) throw new TemplateError(name, part, null, 'calls itself without end');
      const failure = parseFailure(error);
      throw new TemplateError(name, part, e.lineNumber ?? failure.line, e.message ? failure.reason : String(error));
    }
    if (output.length > MAX_OUTPUT_CHARS) throw new TemplateError(name, part, null, `renders to more than ${MAX_OUTPUT_CHARS.toLocaleString('en-US')} characters`);
    return output;
  }

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
