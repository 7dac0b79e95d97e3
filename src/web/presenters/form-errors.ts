import { ZodError, type z } from 'zod';
import { AppError } from '../../errors';
import { TemplateError } from '../../mail/render-error';

/**
 * What is wrong with what someone typed, in words: zod's generic messages made readable (the
 * JSON API's answers use the same), and the refusals of the forms placed next to their field.
 */

type Issue = z.core.$ZodIssue;

/** One problem: where (a dotted path, `''` for the whole input) and what, readable. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A form's problems: by the name of the form field each sits next to, and the rest. */
export interface FormErrors {
  fields: Record<string, string>;
  others: string[];
}

// zod's own messages (any message we wrote is kept as it is).
const GENERIC = /^(Invalid input|Invalid option|Invalid discriminator|Invalid (email|string|UUID|url|date|key|element|value)|Invalid$|Too small|Too big|Unrecognized key)/;

const TYPE_WORDS: Record<string, string> = {
  number: 'must be a number',
  int: 'must be a whole number',
  string: 'must be text',
  boolean: 'must be true or false',
  array: 'must be a list',
  tuple: 'must be a list',
  object: 'must be a set of fields (a JSON object)',
  date: 'must be a date like 2026-12-01',
};

const listed = (values: readonly unknown[]) => values.map((value) => String(value)).join(', ');

/** Our own wording of a rule, where a schema's message is terser than a person needs. */
const OWN_WORDS: Record<string, string> = {
  'must be a date, YYYY-MM-DD': 'must be a date like 2026-12-01 (year-month-day)',
};

/** The readable message of one zod issue: ours as written, zod's generic ones in words. */
export function plainIssueMessage(issue: Issue): string {
  if (!GENERIC.test(issue.message)) return OWN_WORDS[issue.message] ?? issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined && !/received NaN/.test(issue.message)) return 'is required';
      return TYPE_WORDS[issue.expected] ?? `must be ${issue.expected}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'is required' : `must be at least ${min} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? 'needs at least one' : `needs at least ${min}`;
      return issue.inclusive ? `must be at least ${min}` : `must be more than ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `is longer than ${max.toLocaleString('en-US')} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has more than ${max}`;
      return issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of: ${listed(issue.values)}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options?.length ? `must be one of: ${listed(options)}` : 'is not in a form we can read';
    }
    case 'invalid_format':
      if (issue.format === 'email') return 'must be an email address, like name@example.com';
      if (issue.format === 'uuid' || issue.format === 'guid') return 'must be an id given by Ardesk';
      return 'is not in a form we can read';
    case 'unrecognized_keys':
      return `${issue.keys.length === 1 ? 'has a field' : 'has fields'} we do not take: ${listed(issue.keys)}`;
    default:
      return 'is not valid';
  }
}

/** A zod error's problems, each at its dotted path, readable. */
export function zodProblems(error: ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.'), message: plainIssueMessage(issue) }));
}

/**
 * The problems a refusal names: a zod error's issues, or a 400 that reads `field: what` (the
 * services' own checks), or one problem of the whole form.
 */
export function problemsOf(error: unknown): FieldProblem[] {
  if (error instanceof ZodError) return zodProblems(error);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AppError && !(error instanceof TemplateError)) {
    const named = /^([A-Za-z][\w]*(?:\.[\w]+)*): (.+)$/s.exec(message);
    if (named) return [{ field: named[1]!, message: named[2]! }];
  }
  return [{ field: '', message }];
}

/** `the amount` + `must be a number` → `The amount must be a number`; a whole sentence stays one. */
export function sentence(label: string, message: string): string {
  const text = label && /^(must|is|are|cannot|contains|needs|has|should)\b/.test(message) ? `${label} ${message}` : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Problems placed on a form: `place` names the form field and words of each, or leaves it for the top. */
export function placeProblems(problems: FieldProblem[], place: (problem: FieldProblem) => { field: string; message: string } | undefined): FormErrors {
  const errors: FormErrors = { fields: {}, others: [] };
  for (const problem of problems) {
    const placed = place(problem);
    if (!placed) errors.others.push(sentence(problem.field, problem.message));
    else if (!errors.fields[placed.field]) errors.fields[placed.field] = placed.message;
  }
  return errors;
}

// —— The call outcome form ——

const CONTACT_FIELDS: Record<string, { wrong_person: string; email_found: string; label: string }> = {
  name: { wrong_person: 'contactName', email_found: 'foundName', label: 'the name' },
  role: { wrong_person: 'contactRole', email_found: 'foundRole', label: 'the role' },
  phone: { wrong_person: 'contactPhone', email_found: 'foundPhone', label: 'the phone number' },
  email: { wrong_person: 'contactEmail', email_found: 'foundEmail', label: 'the email' },
};

const NUMBER_LIKE = /^(must be a number|must be an amount like)/;

/** The line of the textarea the `index`th installment was typed on (blank lines are skipped). */
function installmentLine(typed: string, index: number): number {
  const lines = typed.split(/\r?\n/);
  let seen = -1;
  for (let line = 0; line < lines.length; line++) {
    if (lines[line]!.trim() && ++seen === index) return line + 1;
  }
  return index + 1;
}

/** The call sheet's refusal, each problem next to the field the collector typed it in. */
export function callFormErrors(error: unknown, form: Record<string, unknown>): FormErrors {
  const typed = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
  const outcome = typed('outcome');
  return placeProblems(problemsOf(error), ({ field, message }) => {
    if (field === 'outcome') return { field: 'outcome', message: 'Choose what happened on the call' };
    if (field === 'promise') return { field: 'promiseAmount', message: 'Enter the amount promised and the date it will be paid by' };
    if (field === 'promise.amount') {
      if (typed('promiseAmount').trim() === '') return { field: 'promiseAmount', message: 'Enter the amount promised, like 125.50' };
      if (/^\s*-\s*\d/.test(typed('promiseAmount'))) return { field: 'promiseAmount', message: 'The amount must be more than 0' };
      if (NUMBER_LIKE.test(message)) return { field: 'promiseAmount', message: 'The amount must be a number, like 125.50 (digits, then at most 2 decimals; no commas or currency signs)' };
      return { field: 'promiseAmount', message: sentence('the amount', message) };
    }
    if (field === 'promise.dueOn') {
      if (typed('promiseDueOn').trim() === '') return { field: 'promiseDueOn', message: 'Enter the date the payment is promised for' };
      return { field: 'promiseDueOn', message: sentence('the pay-by date', message) };
    }
    if (/^(promise|plan|dispute)\.invoiceIds/.test(field)) return { field: 'invoiceIds', message: sentence('the invoices', message) };
    const installment = /^plan\.installments\.(\d+)\.(dueOn|amount)$/.exec(field);
    if (installment) {
      const line = installmentLine(typed('installments'), Number(installment[1]));
      if (installment[2] === 'dueOn') return { field: 'installments', message: `Line ${line}: the date must be written like 2026-12-01 (year-month-day), then the amount` };
      if (message === 'is required') return { field: 'installments', message: `Line ${line}: the amount is missing; write the date, then the amount (2026-12-01 500.00)` };
      if (NUMBER_LIKE.test(message)) return { field: 'installments', message: `Line ${line}: the amount must be a number, like 500.00 (no commas or currency signs)` };
      return { field: 'installments', message: `Line ${line}: ${sentence('the amount', message)}` };
    }
    if (field.startsWith('plan')) {
      if (typed('installments').trim() === '' || message.startsWith('needs at least')) return { field: 'installments', message: 'Write at least one installment: a date and an amount on each line' };
      if (message.startsWith('has more than')) return { field: 'installments', message: 'A plan has at most 36 installments' };
      return { field: 'installments', message: sentence('the installments', message) };
    }
    if (field === 'dispute.category') return { field: 'disputeCategory', message: 'Choose what the dispute is about' };
    if (field === 'dispute.text') return { field: 'disputeText', message: message === 'is required' ? 'Say what is wrong' : sentence('what is wrong', message) };
    const contact = /^contact\.(\w+)$/.exec(field);
    if (contact && CONTACT_FIELDS[contact[1]!] && (outcome === 'wrong_person' || outcome === 'email_found')) {
      const known = CONTACT_FIELDS[contact[1]!]!;
      return { field: known[outcome], message: sentence(known.label, message) };
    }
    if (field === 'callBackOn') return { field: 'callBackOn', message: typed('callBackOn').trim() === '' ? 'Enter the date to call back on' : sentence('the call-back date', message) };
    if (field === 'notes') return { field: 'notes', message: sentence('the notes', message) };
    return undefined;
  });
}

// —— The settings form ——

const WINDOWS: Record<string, string> = { sendWindow: 'send', 'callWindows.commercial': 'commercial', 'callWindows.personal': 'personal' };
const SETTING_LABELS: Record<string, string> = {
  minDaysBetweenLevels: 'the days between two levels',
  dunningGapDays: 'the days between two dunning emails',
  verificationMaxAgeDays: 'the age of invoices that get a verification letter',
  promiseGraceDays: 'the grace days after a promise',
  customerPromiseMaxDays: 'the days ahead a customer may promise',
};

/** The settings form's refusal, each problem next to its field. */
export function settingsFormErrors(error: unknown): FormErrors {
  return placeProblems(problemsOf(error), ({ field, message }) => {
    if (field === 'timezone') return { field: 'timezone', message: 'The time zone must be a name like America/New_York or Europe/London' };
    if (field === 'levelDays') return { field: 'levels', message: 'Each level must start later than the one before (e.g. 3, 13, 23, 45 days)' };
    const level = /^levelDays\.(\d)$/.exec(field);
    if (level) return { field: 'levels', message: sentence(`level ${Number(level[1]) + 1}`, message) };
    if (SETTING_LABELS[field]) return { field, message: sentence(SETTING_LABELS[field]!, message) };
    if (field === 'aAccountShare') return { field: 'aAccountPercent', message: 'The A-account share must be a number from 10 to 100 (%)' };
    const window = /^(sendWindow|callWindows\.commercial|callWindows\.personal)(?:\.(days|startHour|endHour))?(?:\.\d+)?$/.exec(field);
    if (window) {
      const prefix = WINDOWS[window[1]!]!;
      if (window[2] === 'days') return { field: `${prefix}Days`, message: 'Tick at least one day' };
      if (window[2] === 'startHour') return { field: `${prefix}Start`, message: sentence('the From hour', message) };
      if (window[2] === 'endHour') return { field: `${prefix}End`, message: sentence('the To hour', message) };
      return { field: `${prefix}End`, message: sentence('', message) };
    }
    return undefined;
  });
}

// —— The template editor ——

const PART_WORDS: Record<string, string> = { subject: 'The subject', text: 'The text part', html: 'The HTML part' };

/** The first block opened in `source` and never closed: its name and line. */
function unclosedBlock(source: string): { name: string; line: number } | undefined {
  const open: Array<{ name: string; line: number }> = [];
  const tag = /\{\{~?\s*([#^/])\s*(?:>\s*)?([^\s}~]+)/g;
  for (let match = tag.exec(source); match; match = tag.exec(source)) {
    const line = source.slice(0, match.index).split('\n').length;
    if (match[1] === '/') {
      const at = open.map((block) => block.name).lastIndexOf(match[2]!);
      if (at >= 0) open.splice(at);
    } else open.push({ name: match[2]!, line });
  }
  return open[0];
}

/**
 * Why a template part cannot be used, in words: which part, the line, and what is wrong, never
 * the parser's token names. `source` is the part as typed, to find a block left open.
 */
export function templateProblem(error: TemplateError, source = ''): string {
  const part = PART_WORDS[error.part] ?? `The ${error.part} part`;
  const at = error.line ? ` (line ${error.line})` : '';
  const reason = error.reason;
  const mismatch = /^(\S+) doesn't match (\S+)/.exec(reason);
  if (mismatch) return `${part} has a {{#${mismatch[1]}}} closed by {{/${mismatch[2]}}}${at}; close it with {{/${mismatch[1]}}}`;
  if (!/Expecting '|got '|Parse error/.test(reason)) return `${part} has a problem${at}: ${reason}`;
  if (/got 'EOF'/.test(reason) && /OPEN_ENDBLOCK/.test(reason)) {
    const block = unclosedBlock(source);
    if (block) return `${part} has a {{#${block.name}}} that is never closed (line ${block.line}); add {{/${block.name}}} where it ends`;
    return `${part} has a {{#…}} block that is never closed (still open at the end${error.line ? `, line ${error.line}` : ''})`;
  }
  if (/got 'OPEN_ENDBLOCK'/.test(reason)) return `${part} has a closing {{/…}} with no block opened before it${at}`;
  if (/got 'INVERSE'/.test(reason) || /got 'OPEN_INVERSE_CHAIN'/.test(reason)) return `${part} has an {{else}} that does not belong to an open block${at}`;
  if (/got 'EOF'/.test(reason) || /got 'INVALID'/.test(reason) || /CLOSE/.test(reason)) return `${part} could not be read${error.line ? ` at line ${error.line}` : ''}: a {{ … }} is not closed or has a stray character`;
  return `${part} could not be read${error.line ? ` at line ${error.line}` : ''}: check the {{ … }} there`;
}
