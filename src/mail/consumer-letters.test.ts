import { TemplateEngine } from './render-engine';
import { MESSAGE_TEMPLATES, PERSONAL_TEMPLATES, sampleMergeData, TEMPLATE_NAMES, templateOf } from './templates';

/** What a business letter says and a consumer's must not: office boilerplate and an addressee line. */
const BUSINESS_BOILERPLATE = /Attention:|Thank you for your business|purchase order|value our relationship|appreciate your business|account of /i;

/** Personal customers get their own variant of every message: plain words, nothing a business letter carries. */
describe('consumer letters', () => {
  const engine = new TemplateEngine();

  it('every message has a consumer variant, and a personal customer gets it; a business the shipped one', () => {
    expect(PERSONAL_TEMPLATES.map((name) => name.replace(/_personal$/, ''))).toEqual([...MESSAGE_TEMPLATES]);
    for (const kind of MESSAGE_TEMPLATES) {
      expect(templateOf(kind, sampleMergeData('personal'))).toBe(`${kind}_personal`);
      expect(templateOf(kind, sampleMergeData('commercial'))).toBe(kind);
      expect(templateOf(kind, { customer: {} })).toBe(kind);
    }
    expect(templateOf('call_script_level_1', sampleMergeData('personal'))).toBe('call_script_level_1_personal');
    expect(templateOf('call_script_find_email', sampleMergeData('personal'))).toBe('call_script_find_email');
  });

  it.each([...PERSONAL_TEMPLATES])('%s is plain: greets by name, no business boilerplate, no "Attention:"', (name) => {
    const out = engine.render(name, sampleMergeData('personal'));
    for (const part of [out.subject, out.html, out.text]) expect(part).not.toMatch(BUSINESS_BOILERPLATE);
    expect(out.text).toContain('Dear Dana Whitfield,');
    const printed = engine.renderLetter(name, sampleMergeData('personal'));
    expect(printed.html).not.toMatch(BUSINESS_BOILERPLATE);
  });

  it('the business letters keep their addressee line; their variants differ from them', () => {
    expect(engine.render('demand_letter', sampleMergeData()).text).toContain('Attention: Jordan Lee');
    for (const kind of MESSAGE_TEMPLATES) expect(engine.render(`${kind}_personal`, sampleMergeData('personal')).text).not.toBe(engine.render(kind, sampleMergeData('personal')).text);
  });

  it('no shipped template says a dispute must be put in writing', () => {
    for (const name of TEMPLATE_NAMES) for (const part of Object.values(engine.render(name, sampleMergeData(name.endsWith('_personal') ? 'personal' : 'commercial')))) expect(part).not.toMatch(/must tell us in writing|in writing only/i);
    expect(engine.render('demand_letter', sampleMergeData()).text).toContain('If you dispute any part of this amount, please let us know before that date, by phone, email or letter, and tell us why.');
    expect(engine.render('demand_letter_personal', sampleMergeData('personal')).text).toContain('If you think any of it is wrong, please let us know, by phone, email or letter, and tell us why');
  });

  it.each([
    ['verification', 'commercial', 'As agreed, our terms are Net 30 (payment within 30 days of the invoice date): each invoice is due on the date shown above.'],
    ['verification_personal', 'personal', 'Each invoice is due on the date shown above: as agreed (Net 30), within 30 days of the invoice date.'],
  ] as const)('%s states what the terms agreed: their days, not only their name', (name, type, said) => {
    expect(engine.render(name, sampleMergeData(type)).text).toContain(said);
    expect(engine.render(name, { ...sampleMergeData(type), terms: { name: 'as stated on the invoice', dueDays: null } }).text).not.toContain('days of the invoice date');
  });
});
