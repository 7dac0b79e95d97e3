import { MAX_BLOCK_DEPTH, TemplateEngine } from './render-engine';
import { MESSAGE_TEMPLATES, PERSONAL_TEMPLATES, CALL_SCRIPTS, TemplateBook, sampleMergeData } from './templates';

describe('templates', () => {
  // The engine is what runs inside a render thread; it is synchronous, so these tests call it directly.
  const book = new TemplateEngine();

  it.each([...MESSAGE_TEMPLATES, ...PERSONAL_TEMPLATES, ...CALL_SCRIPTS])('%s renders a subject, an HTML body and a plain-text body', (name) => {
    const out = book.render(name, sampleMergeData());
    expect(out.subject.length).toBeGreaterThan(10);
    expect(out.subject).not.toMatch(/\{\{|\n/);
    expect(out.html).toMatch(/<(p|h3|table)[ >]/);
    expect(out.text).not.toMatch(/<[a-z]+[ >]/i);
    for (const part of [out.subject, out.html, out.text]) expect(part).not.toMatch(/undefined|NaN|\[object Object\]/);
  });

  it('formats money and dates for the company currency and locale, and lists every invoice with the total', () => {
    const out = book.render('reminder', sampleMergeData());
    expect(out.subject).toBe('Friendly reminder: $4,210.00 past due with Northwind Supply Co.');
    expect(out.text).toContain('Invoice 1043  dated January 15, 2026  due February 14, 2026  amount $2,500.00  balance $2,500.00  (16 days overdue)');
    expect(out.text).toContain('Total: $4,210.00');
    expect(out.html).toContain('href="https://pay.example.test/1043"');
    const british = book.render('reminder', { ...sampleMergeData(), locale: 'en-GB', currency: 'GBP' });
    expect(british.text).toContain('due 14 February 2026');
    expect(british.subject).toContain('£4,210.00');
  });

  it('escapes untrusted names in HTML, and leaves plain text and subjects as written', () => {
    const data = { ...sampleMergeData(), customer: { name: '<script>alert(1)</script>' }, contact: { name: '<img src=x onerror=alert(1)>' } };
    const out = book.render('demand_letter', data);
    expect(out.html).not.toContain('<script>');
    expect(out.html).not.toContain('<img src=x');
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.text).toContain('<script>alert(1)</script>');
    expect(out.subject).toContain('<script>alert(1)</script>');
  });

  it('the final notice names the escalation the company set; the verification letter asks whether all is as ordered', () => {
    const escalation = { agency: 'Acme Recovery', smallClaims: true, charges: null, creditReporting: false, any: true };
    expect(book.render('final_notice', { ...sampleMergeData(), escalation }).text).toMatch(/refer the account to Acme Recovery, a collection agency;\n- file a claim in small-claims court;/);
    // One new invoice: its own due date (several are listed, each with its due date: see letter-claims.test.ts).
    const one = sampleMergeData();
    const verification = book.render('verification', { ...one, invoices: one.invoices.slice(0, 1), total: one.invoices[0]!.balance }).text;
    expect(verification).toMatch(/our terms are Net 30 \(payment within 30 days of the invoice date\): payment is due on February 14, 2026/);
    expect(verification).toMatch(/Is everything as you ordered\?/);
  });

  it.each([
    ['an unclosed block', '<p>\n{{#if total}}\nyes', /line 3/],
    ['an unknown helper', 'a\nb\n{{shout customer.name}}', /line 3: unknown helper "shout"/],
    ['an unknown partial', '{{> nothing}}', /line 1: unknown partial "nothing"/],
  ])('refuses %s, naming the line', (_what, source, message) => {
    expect(() => book.check('reminder', 'html', source)).toThrow(message);
  });

  it.each([
    ['a dynamic partial', '<p>\n{{> (lookup customer "name")}}', /line 2: a partial must be named \(dynamic partials are not allowed\)/],
    ['the log helper', '{{log "written to the log"}}', /line 1: unknown helper "log"/],
    ['the log helper as a subexpression', '{{#if (log)}}x{{/if}}', /line 1: unknown helper "log"/],
    ['blocks nested too deep', `${'{{#if total}}'.repeat(MAX_BLOCK_DEPTH)}\n{{#each invoices}}x{{/each}}${'{{/if}}'.repeat(MAX_BLOCK_DEPTH)}`, new RegExp(`line 2: blocks are nested ${MAX_BLOCK_DEPTH + 1} deep; at most ${MAX_BLOCK_DEPTH} are allowed`)],
    ['a partial nested too deep', `${'{{#if total}}'.repeat(MAX_BLOCK_DEPTH - 1)}\n{{> invoiceTable}}${'{{/if}}'.repeat(MAX_BLOCK_DEPTH - 1)}`, /line 2: blocks are nested \d+ deep/],
  ])('refuses %s, naming the line', (_what, source, message) => {
    expect(() => book.check('reminder', 'html', source)).toThrow(message);
  });

  it('counts an else-if chain as one level, and takes every shipped template', () => {
    const chain = `{{#if a}}1${Array.from({ length: 20 }, (_, i) => `{{else if b${i}}}${i}`).join('')}{{/if}}`;
    expect(book.check('reminder', 'html', chain)).toBe('');
    for (const name of [...MESSAGE_TEMPLATES, ...PERSONAL_TEMPLATES, ...CALL_SCRIPTS]) for (const part of ['subject', 'html', 'text'] as const) expect(() => book.check(name, part, new TemplateBook().defaultSource(name, part))).not.toThrow();
  });

  describe('in render threads', () => {
    const threads = new TemplateBook({ renderBudgetMs: 500 });
    afterAll(() => threads.close());

    it('renders as the engine does', async () => {
      expect(await threads.render('reminder', sampleMergeData())).toEqual(book.render('reminder', sampleMergeData()));
      await expect(threads.check('reminder', 'html', '{{shout total}}')).rejects.toThrow(/line 1: unknown helper "shout"/);
    });

    it('stops a render that runs past its budget, names the part, and renders the next one', async () => {
      const data = { ...sampleMergeData(), invoices: Array.from({ length: 30 }, () => sampleMergeData().invoices[0]!) };
      const loops = `${'{{#each @root.invoices}}'.repeat(6)}x${'{{/each}}'.repeat(6)}`;
      const started = Date.now();
      await expect(threads.render('reminder', data, { html: loops })).rejects.toThrow('reminder html: took longer than 0.5 seconds to render and was stopped');
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await threads.render('reminder', sampleMergeData())).subject).toContain('$4,210.00');
    });
  });
});
