import { playbookSettings, type PlaybookSettings } from '../collections/settings';
import { TemplateBook, TemplateError, type TemplatePart } from '../mail/templates';
import { TemplatesService } from './templates';

/** Saving a template: refused when, as the company's customers would read it, it threatens a step the settings do not name. */
describe('saving a template that promises an unconfigured action', () => {
  const book = new TemplateBook({ threads: 1 });
  afterAll(() => book.close());

  const serviceWith = (settings: Partial<PlaybookSettings>, stored: Partial<Record<TemplatePart, string>> = {}) => {
    const saved: unknown[] = [];
    const service = new TemplatesService({
      outbox: { overridesOf: async () => stored, saveOverrides: async (_realmId, name, parts) => void saved.push([name, parts]), overriddenParts: async () => new Map() },
      templates: book,
      settings: { settingsOf: async () => playbookSettings(settings) },
    });
    return { service, saved };
  };
  const threat = '<p>Pay by {{date payBy}} or we will pass your account to a collection agency.</p>';

  it('refuses an agency the settings do not name, in the collector\'s words, and saves nothing', async () => {
    const { service, saved } = serviceWith({});
    const refusal = await service.save('r1', 'final_notice', { html: threat }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TemplateError);
    expect((refusal as TemplateError).part).toBe('html');
    expect((refusal as TemplateError).reason).toBe('it threatens to pass the account to a collection agency ("Pay by March 12, 2026 or we will pass your account to a collection agency."), but the company\'s settings do not say you do that. Either name the agency under "What the final notice may say follows" in Settings, or take the sentence out (or put it inside the {{#if escalation...}} block for that step).');
    expect(saved).toEqual([]);
  });

  it('saves it once the company names its agency, and always saves a threat kept inside its setting\'s block', async () => {
    const configured = serviceWith({ collectionAgency: 'Keystone Recovery LLC' });
    await configured.service.save('r1', 'final_notice', { html: threat });
    expect(configured.saved).toEqual([['final_notice', { html: threat }]]);
    const guarded = serviceWith({});
    await guarded.service.save('r1', 'demand_letter', { text: '{{#if escalation.agency}}We may refer the account to {{escalation.agency}}, a collection agency.{{/if}}\nPlease pay {{money total}}.' });
    expect(guarded.saved).toHaveLength(1);
  });

  it('checks the template as it would stand: a stored threat in another part is refused too; the shipped templates all save', async () => {
    const { service } = serviceWith({}, { text: 'We will report you to the credit bureaus.' });
    await expect(service.save('r1', 'reminder', { subject: 'Reminder' })).rejects.toMatchObject({ part: 'text', reason: expect.stringContaining('to report the account to credit bureaus') });
    const shipped = serviceWith({});
    for (const name of ['final_notice', 'final_notice_personal', 'demand_letter', 'call_script_level_4'] as const) await shipped.service.save('r1', name, { subject: book.defaultSource(name, 'subject') });
    expect(shipped.saved).toHaveLength(4);
  });
});
