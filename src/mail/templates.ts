import fs from 'node:fs';
import path from 'node:path';
import { centsToDecimal, decimalText, type Cents } from '../collections/money';
import { PROJECT_ROOT } from '../paths';
import { TemplateError } from './render-error';
import { DEFAULT_RENDER_BUDGET_MS, RenderPool } from './render-pool';

/**
 * Letters, emails and call scripts (templates/): each a subject, an HTML body and a plain-text
 * body, written in Handlebars over one merge-data shape. A company may override any part; an
 * override is compiled, checked for unknown helpers and partials, dynamic partials and deep
 * nesting, and rendered against sample data before it is saved, so a broken one is refused with
 * its line and never reaches a customer. Handlebars itself lives in render-engine.ts and runs only
 * in render threads. Amounts in the merge data are whole cents; `{{money …}}` writes them out.
 */

export const MESSAGE_TEMPLATES = ['verification', 'reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice', 'promise_confirmation', 'plan_confirmation', 'thank_you'] as const;
/**
 * The consumer variant of every message (`<kind>_personal`): what a personal customer gets. Plain
 * words, no business boilerplate (no "Attention:", no purchase orders, no "we value our
 * relationship"), and, as consumer-debt rules ask, nothing stronger than the record and the
 * company's settings support.
 */
export const PERSONAL_TEMPLATES = ['verification_personal', 'reminder_personal', 'overdue_statement_personal', 'second_notice_personal', 'demand_letter_personal', 'final_notice_personal', 'promise_confirmation_personal', 'plan_confirmation_personal', 'thank_you_personal'] as const;
export const CALL_SCRIPTS = ['call_script_level_1', 'call_script_level_2', 'call_script_level_3', 'call_script_level_4', 'call_script_broken_promise', 'call_script_find_email'] as const;
/**
 * The level scripts for calling a person: their name asked for, the account discussed only with
 * them, a voicemail that says nothing of the debt, and what to do when asked to stop calling.
 * Every level script (business and personal) has an opening, the ask, a closing and a voicemail
 * line, and names a next step only as the company's settings do.
 */
export const PERSONAL_CALL_SCRIPTS = ['call_script_level_1_personal', 'call_script_level_2_personal', 'call_script_level_3_personal', 'call_script_level_4_personal'] as const;
export const TEMPLATE_NAMES = [...MESSAGE_TEMPLATES, ...PERSONAL_TEMPLATES, ...CALL_SCRIPTS, ...PERSONAL_CALL_SCRIPTS] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
export type MessageTemplate = (typeof MESSAGE_TEMPLATES)[number];

const PERSONAL: ReadonlySet<string> = new Set([...PERSONAL_TEMPLATES, ...PERSONAL_CALL_SCRIPTS]);

/** Whether a template is written for personal customers (a consumer variant): previews use a personal sample. */
export function forPersonalCustomers(name: string): boolean {
  return PERSONAL.has(name);
}

/**
 * The template a message of this kind (or a level's call script) is written from for this
 * customer: a personal customer's is the consumer variant (the customer type is the playbook's, src/collections/accounts.ts,
 * carried in the merge data). The company's overrides are kept per template, so each variant
 * has its own.
 */
export function templateOf(kind: string, data: { customer: Pick<MergeData['customer'], 'type'> }): TemplateName {
  const personal = `${kind}_personal`;
  return (data.customer.type === 'personal' && PERSONAL.has(personal) ? personal : kind) as TemplateName;
}
export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

export interface InvoiceLine {
  number: string;
  txnDate: string;
  dueDate: string;
  amount: Cents;
  balance: Cents;
  daysOverdue: number;
  payLink?: string | null;
}

/**
 * The customer's own pages a message links to, each a signed link of its own
 * (src/services/customer-links.ts): the account's statement (dunning messages and letters), and
 * a verification letter's two answers.
 */
export interface CustomerLinks {
  statement: string;
  inOrder?: string;
  problem?: string;
  /** A personal customer's *Stop contacting me* page. */
  stop?: string;
  /** The same request as a one-click unsubscribe (RFC 8058): the List-Unsubscribe header's URL. */
  unsubscribe?: string;
}

export interface MergeData {
  locale: string;
  currency: string;
  today: string;
  /** Demand letters and final notices give this date to pay by. */
  payBy: string;
  /** `address`: the company's postal address (QuickBooks' CompanyAddr), the return address of letters. */
  company: { name: string; email?: string | null; phone?: string | null; address?: string[] };
  /**
   * `address`: the postal address block (name, then the QuickBooks billing address), for letters.
   * `type`: commercial or personal (the playbook's customer type); a personal customer's messages
   * are the consumer variants (`templateOf`).
   */
  customer: { name: string; companyName?: string | null; address?: string[]; type?: 'commercial' | 'personal' };
  /** The person the message is for, and their role when the collector recorded one. */
  contact: { name: string; role?: string | null; email?: string | null };
  /**
   * The first line of a letter or email, comma included: a business customer's contact by name
   * ("Dear Jordan Lee,"), a business with no named contact by its name ("Hello, Acme Builders LLC,"),
   * a personal customer by theirs.
   */
  greeting?: string;
  approver?: { name: string; phone?: string | null } | null;
  invoices: InvoiceLine[];
  /** The sum of the listed invoices' balances. */
  total: Cents;
  terms: { name: string; dueDays?: number | null };
  /**
   * Who writes (the company's sender identity): `name` is the collector's name, or the company's
   * accounts team when none is set (`named` false); `phone` the direct phone, else the company's
   * phone, else null; `replyTo` where replies go (the email's Reply-To) when set.
   */
  sender: { name: string; named?: boolean; title?: string | null; phone?: string | null; email?: string | null; replyTo?: string | null; fromAddress?: string | null };
  /**
   * How to pay without a pay link, each as lines: the remit-to address and the bank transfer
   * details the company gave; `any` when one is there; `unlinked` when a listed invoice has no
   * pay link (then the message says how to pay).
   */
  payment?: { remitTo: string[]; bankTransfer: string[]; any: boolean; unlinked?: boolean } | null;
  promise?: { amount: Cents; dueOn: string; madeOn: string } | null;
  plan?: { installments: Array<{ dueOn: string; amount: Cents }>; total: Cents } | null;
  /**
   * What the record says was done about the listed invoices, so a letter claims only that:
   * the days a dunning message about them was sent, the days a call to the account went
   * unanswered (no answer, voicemail, wrong person) and the days a call reached someone.
   */
  history?: { writtenOn: string[]; calledOn: string[]; spokeOn: string[] } | null;
  /**
   * What the company has said follows an unpaid final notice (its settings), so a letter threatens
   * only what is real: the agency it refers accounts to, small claims, the late fees or interest
   * its terms allow (the words to state), credit reporting; `any` when one of them is set.
   */
  escalation?: { agency: string | null; smallClaims: boolean; charges: string | null; creditReporting: boolean; any: boolean } | null;
  /** The customer's pages this message links to (none: a template shows no links). */
  links?: CustomerLinks | null;
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

export { TemplateError };

export const TEMPLATE_DIR = path.join(PROJECT_ROOT, 'templates');

/** The shipped source of one part. */
export function defaultSource(name: TemplateName, part: TemplatePart): string {
  return fs.readFileSync(path.join(TEMPLATE_DIR, `${name}.${part}.hbs`), 'utf8');
}

/**
 * An amount in cents as a letter writes it, in the company's locale and currency
 * (421000 → "$4,210.00"; an unknown currency: "XYZ 4210.00"). What is not a whole number of cents
 * writes nothing.
 */
export function formatMoney(cents: unknown, data: Pick<MergeData, 'locale' | 'currency'>): string {
  const amount = typeof cents === 'number' ? cents : Number(cents);
  if (cents === null || cents === undefined || cents === '' || !Number.isSafeInteger(amount)) return '';
  try {
    return new Intl.NumberFormat(data.locale, { style: 'currency', currency: data.currency }).format(decimalText(amount));
  } catch {
    return `${data.currency} ${centsToDecimal(amount)}`;
  }
}

export function formatDate(value: unknown, data: MergeData): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return '';
  const date = new Date(`${value.slice(0, 10)}T12:00:00Z`);
  return new Intl.DateTimeFormat(data.locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(date);
}

export interface TemplateBookOptions {
  /** How long one render (all parts of one message) may take before it is stopped. */
  renderBudgetMs?: number;
  /** Render threads a process keeps. */
  threads?: number;
}

/**
 * The templates as the rest of the app sees them. Checking and rendering run in render threads
 * with a time budget (render-pool.ts), so a template that loops too long is stopped with a
 * TemplateError saying so, and the process that asked keeps answering meanwhile.
 */
export class TemplateBook {
  private readonly pool: RenderPool;

  constructor(options: TemplateBookOptions = {}) {
    this.pool = new RenderPool({ budgetMs: options.renderBudgetMs ?? DEFAULT_RENDER_BUDGET_MS, threads: options.threads ?? 2 });
  }

  /** The shipped source of one part. */
  defaultSource(name: TemplateName, part: TemplatePart): string {
    return defaultSource(name, part);
  }

  /**
   * Checks `source` (what it names, how deep it nests) and renders it against sample data;
   * rejects with a TemplateError naming the line and the reason when it cannot be used.
   */
  check(name: TemplateName, part: TemplatePart, source: string): Promise<string> {
    return this.pool.run({ op: 'check', name, part, source }) as Promise<string>;
  }

  /** Renders the three parts of a template, each from its override when one is given. */
  render(name: TemplateName, data: MergeData, overrides: Partial<Record<TemplatePart, string>> = {}): Promise<Rendered> {
    return this.pool.run({ op: 'render', name, data, overrides }) as Promise<Rendered>;
  }

  /**
   * A letter for printing and posting: the HTML body without the email frame, and the plain
   * text cut where the invoice table goes, so a PDF can draw the table as a table.
   */
  renderLetter(name: TemplateName, data: MergeData, overrides: Partial<Record<TemplatePart, string>> = {}): Promise<PrintedLetter> {
    return this.pool.run({ op: 'renderLetter', name, data, overrides }) as Promise<PrintedLetter>;
  }

  /** Ends the render threads (they also end by themselves when idle). */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Realistic sample data: what the preview shows and what an override is checked against. */
/** Sample data for previews and checks: a business customer, or a personal one (`personal`). */
export function sampleMergeData(type: 'commercial' | 'personal' = 'commercial'): MergeData {
  const data = sampleBusinessData();
  if (type === 'commercial') return data;
  return { ...data, customer: { name: 'Dana Whitfield', companyName: null, address: ['Dana Whitfield', '27 Elm Street', 'Springfield, IL 62704'], type: 'personal' }, contact: { name: 'Dana Whitfield', email: 'dana@example.test' }, approver: null, greeting: 'Dear Dana Whitfield,' };
}

function sampleBusinessData(): MergeData {
  return {
    locale: 'en-US',
    currency: 'USD',
    today: '2026-03-02',
    payBy: '2026-03-12',
    company: { name: 'Northwind Supply Co.', email: 'billing@northwind.test', phone: '(555) 010-2000', address: ['100 Market Street', 'Springfield, IL 62701'] },
    customer: { name: 'Acme Builders', companyName: 'Acme Builders LLC', address: ['Acme Builders LLC', '4410 Quarry Rd', 'Springfield, IL 62704'], type: 'commercial' },
    contact: { name: 'Jordan Lee', email: 'ap@acme.test' },
    approver: { name: 'Sam Ortiz', phone: '(555) 010-3000' },
    invoices: [
      { number: '1043', txnDate: '2026-01-15', dueDate: '2026-02-14', amount: 250_000, balance: 250_000, daysOverdue: 16, payLink: 'https://pay.example.test/1043' },
      { number: '1057', txnDate: '2026-01-28', dueDate: '2026-02-27', amount: 171_000, balance: 171_000, daysOverdue: 3, payLink: null },
    ],
    total: 421_000,
    terms: { name: 'Net 30', dueDays: 30 },
    greeting: 'Dear Jordan Lee,',
    sender: { name: 'Casey Morgan', named: true, title: 'Accounts Receivable Manager', phone: '(555) 010-2044', email: 'casey@northwind.test', replyTo: 'casey@northwind.test' },
    payment: { remitTo: ['Northwind Supply Co.', 'PO Box 4410', 'Springfield, IL 62701'], bankTransfer: ['First Prairie Bank, routing 071000013, account 4410 2231'], any: true, unlinked: true },
    promise: { amount: 250_000, dueOn: '2026-03-09', madeOn: '2026-03-02' },
    plan: { installments: [{ dueOn: '2026-03-09', amount: 210_500 }, { dueOn: '2026-04-09', amount: 210_500 }], total: 421_000 },
    history: { writtenOn: ['2026-02-17', '2026-02-27'], calledOn: ['2026-02-24', '2026-02-26'], spokeOn: [] },
    escalation: { agency: null, smallClaims: false, charges: null, creditReporting: false, any: false },
    links: { statement: 'https://ardesk.example.test/c/statement/sample', inOrder: 'https://ardesk.example.test/c/answer/sample?answer=in_order', problem: 'https://ardesk.example.test/c/answer/sample?answer=problem' },
  };
}

/** A locale for money and dates from the company's country. */
export function localeOf(country: string | null | undefined): string {
  const known: Record<string, string> = { US: 'en-US', CA: 'en-CA', GB: 'en-GB', UK: 'en-GB', AU: 'en-AU', NZ: 'en-NZ', IE: 'en-IE', IN: 'en-IN', ZA: 'en-ZA', FR: 'fr-FR', DE: 'de-DE' };
  return known[(country ?? 'US').toUpperCase()] ?? 'en-US';
}
