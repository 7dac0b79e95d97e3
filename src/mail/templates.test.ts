import { MESSAGE_TEMPLATES, CALL_SCRIPTS, TemplateBook, sampleMergeData } from './templates';

describe('templates', () => {
  const book = new TemplateBook();

  it.each([...MESSAGE_TEMPLATES, ...CALL_SCRIPTS])('%s renders a subject, an HTML body and a plain-text body', (name) => {
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

  it('the final notice names the escalation; the verification letter asks whether all is as ordered', () => {
    expect(book.render('final_notice', sampleMergeData()).text).toMatch(/collection agency or file a claim in small-claims court/);
    const verification = book.render('verification', sampleMergeData()).text;
    expect(verification).toMatch(/our terms are Net 30: payment is due on February 14, 2026/);
    expect(verification).toMatch(/Is everything as you ordered\?/);
  });

  it.each([
    ['an unclosed block', '<p>\n{{#if total}}\nyes', /line 3/],
    ['an unknown helper', 'a\nb\n{{shout customer.name}}', /line 3: unknown helper "shout"/],
    ['an unknown partial', '{{> nothing}}', /line 1: unknown partial "nothing"/],
  ])('refuses %s, naming the line', (_what, source, message) => {
    expect(() => book.check('reminder', 'html', source)).toThrow(message);
  });
});
