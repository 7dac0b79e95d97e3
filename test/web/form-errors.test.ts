import { z } from 'zod';
import { BadRequestError } from '../../src/errors';
import { TemplateError } from '../../src/mail/render-error';
import { toProblem } from '../../src/web/error-handler';
import { callFormErrors, plainIssueMessage, settingsFormErrors, templateProblem } from '../../src/web/presenters/form-errors';
import { playbookSettingsSchema } from '../../src/collections/settings';

const issuesOf = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a refusal');
  return parsed.error;
};

/** The words each refusal is given: zod's generic messages, the forms' fields, the template parser's errors. */
describe('form errors in words', () => {
  it("reads zod's generic messages in words and keeps the ones we wrote", () => {
    const schema = z.object({ a: z.number(), b: z.number().int().max(60), c: z.enum(['x', 'y']), d: z.string().min(1), e: z.email(), f: z.array(z.number()).min(1), g: z.number().min(0, 'cannot be negative') }).strict();
    const error = issuesOf(schema, { a: Number.NaN, b: 61, c: 'z', d: '', e: 'no', f: [], g: -1, extra: 1 });
    expect(error.issues.map(plainIssueMessage)).toEqual(['must be a number', 'must be at most 60', 'must be one of: x, y', 'is required', 'must be an email address, like name@example.com', 'needs at least one', 'cannot be negative', 'has a field we do not take: extra']);
    expect(plainIssueMessage(issuesOf(z.object({ n: z.number() }), {}).issues[0]!)).toBe('is required');
  });

  it('gives the API the same words, with the code and the fields kept', () => {
    const problem = toProblem(issuesOf(z.object({ promise: z.object({ amount: z.number() }) }), { promise: { amount: Number.NaN } }));
    expect(problem).toEqual({ status: 400, code: 'invalid_input', message: 'promise.amount: must be a number', details: { fields: [{ field: 'promise.amount', message: 'must be a number' }] } });
  });

  it('puts each problem of the call form next to its field', () => {
    const outcome = z.object({ promise: z.object({ amount: z.number(), dueOn: z.string() }) });
    expect(callFormErrors(issuesOf(outcome, { promise: { amount: Number.NaN, dueOn: '2026-12-01' } }), { outcome: 'promised', promiseAmount: '' }).fields).toEqual({ promiseAmount: 'Enter the amount promised, like 125.50' });
    expect(callFormErrors(issuesOf(outcome, { promise: { amount: Number.NaN, dueOn: '2026-12-01' } }), { outcome: 'promised', promiseAmount: '1,600' }).fields.promiseAmount).toMatch(/^The amount must be a number, like 125\.50/);
    const plan = z.object({ plan: z.object({ installments: z.array(z.object({ dueOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD'), amount: z.number() })) }) });
    const typed = '2026-12-01 500\n\n1/15/2027 500';
    expect(callFormErrors(issuesOf(plan, { plan: { installments: [{ dueOn: '2026-12-01', amount: 500 }, { dueOn: '1/15/2027', amount: 500 }] } }), { outcome: 'cannot_pay', installments: typed }).fields).toEqual({ installments: 'Line 3: the date must be written like 2026-12-01 (year-month-day), then the amount' });
    const refused = callFormErrors(new BadRequestError('promise.dueOn: a promise cannot be due in the past'), { outcome: 'promised', promiseAmount: '10', promiseDueOn: '2026-01-01' });
    expect(refused).toEqual({ fields: { promiseDueOn: 'A promise cannot be due in the past' }, others: [] });
    expect(callFormErrors(new BadRequestError('Something else went wrong'), {}).others).toEqual(['Something else went wrong']);
  });

  it('puts each problem of the settings next to its field', () => {
    const error = issuesOf(playbookSettingsSchema.partial(), { timezone: 'Mars/Olympus', levelDays: [3, 2, 23, 45], dunningGapDays: Number.NaN, aAccountShare: 5, callWindows: { commercial: { days: [], startHour: 9, endHour: 12 }, personal: { days: [1], startHour: 9, endHour: 25 } } });
    expect(settingsFormErrors(error)).toEqual({
      fields: {
        timezone: 'The time zone must be a name like America/New_York or Europe/London',
        levels: 'Each level must start later than the one before (e.g. 3, 13, 23, 45 days)',
        dunningGapDays: 'The days between two dunning emails must be a whole number of days',
        aAccountPercent: 'The A-account share must be a number from 10 to 100 (%)',
        commercialDays: 'Tick at least one day',
        personalEnd: 'The To hour must be an hour from 0 to 24',
      },
      others: [],
    });
  });

  it("names the template part and the line without the parser's tokens", () => {
    // The parser's own errors as the render engine keeps them: the line, and the last line of its message.
    const unclosed = { source: 'Hello\n\n{{#each invoices}}\n{{#if total}}x{{/if}}\n' };
    const error = new TemplateError('reminder', 'text', 5, "Expecting 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', got 'EOF'");
    expect(templateProblem(error, unclosed.source)).toBe('The text part has a {{#each}} that is never closed (line 3); add {{/each}} where it ends');
    expect(templateProblem(new TemplateError('reminder', 'html', 3, "Expecting 'ID', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'DATA', got 'INVALID'"))).toBe('The HTML part could not be read at line 3: a {{ … }} is not closed or has a stray character');
    expect(templateProblem(new TemplateError('reminder', 'subject', 1, "Expecting 'EOF', got 'OPEN_ENDBLOCK'"))).toBe('The subject has a closing {{/…}} with no block opened before it (line 1)');
    expect(templateProblem(new TemplateError('reminder', 'html', 1, "if doesn't match each - 1:3"))).toBe('The HTML part has a {{#if}} closed by {{/each}} (line 1); close it with {{/if}}');
    expect(templateProblem(new TemplateError('reminder', 'html', 2, 'unknown helper "shout"'))).toBe('The HTML part has a problem (line 2): unknown helper "shout"');
  });
});
