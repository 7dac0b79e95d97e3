import { unconfiguredInWords, unconfiguredPromises } from '../collections/escalation-claims';
import type { OutboxRepository } from '../db/outbox-repository';
import { escalationOf } from '../mail/merge-data';
import { forPersonalCustomers, sampleMergeData, TEMPLATE_NAMES, TEMPLATE_PARTS, TemplateError, type Rendered, type TemplateBook, type TemplateName, type TemplatePart } from '../mail/templates';
import type { CompanySettingsService } from './company-settings';

/** Parts of a template as given: text to use, `null` to go back to the shipped part, absent to leave it. */
export type TemplateParts = Partial<Record<TemplatePart, string | null>>;

/** One part of a template: the shipped source and the company's override, if any. */
export interface TemplatePartSource {
  default: string;
  override: string | null;
}

export interface TemplatesDeps {
  outbox: Pick<OutboxRepository, 'overridesOf' | 'saveOverrides' | 'overriddenParts'>;
  templates: Pick<TemplateBook, 'check' | 'render' | 'defaultSource'>;
  /** The company's escalation settings: what a template may threaten. */
  settings: Pick<CompanySettingsService, 'settingsOf'>;
}

const sampleFor = (name: TemplateName) => sampleMergeData(forPersonalCustomers(name) ? 'personal' : 'commercial');

/** Text as a customer reads it: tags dropped, entities of punctuation undone. */
const readable = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/**
 * A company's own versions of the templates (letters, emails, call scripts). Every part given as
 * text is compiled and rendered against sample data before it is kept, so a part that cannot
 * render is refused (a TemplateError naming the part, the line and the reason) and the stored
 * templates stay as they were. So is one that, rendered against the company's own escalation
 * settings, threatens a step those settings do not say is real (an agency, court, charges,
 * credit reporting: src/collections/escalation-claims.ts).
 */
export class TemplatesService {
  constructor(private readonly deps: TemplatesDeps) {}

  /** Every template with the parts this company overrides. */
  async list(realmId: string): Promise<Array<{ name: TemplateName; overridden: TemplatePart[] }>> {
    const overridden = await this.deps.outbox.overriddenParts(realmId);
    return TEMPLATE_NAMES.map((name) => ({ name, overridden: overridden.get(name) ?? [] }));
  }

  /** The three parts of one template: shipped source and this company's override. */
  async partsOf(realmId: string, name: TemplateName): Promise<Record<TemplatePart, TemplatePartSource>> {
    const overrides = await this.deps.outbox.overridesOf(realmId, name);
    return Object.fromEntries(TEMPLATE_PARTS.map((part) => [part, { default: this.deps.templates.defaultSource(name, part), override: overrides[part] ?? null }])) as Record<TemplatePart, TemplatePartSource>;
  }

  /** Checks every part given as text (throws a TemplateError naming part, line and reason), then saves. */
  async save(realmId: string, name: TemplateName, parts: TemplateParts): Promise<void> {
    for (const part of TEMPLATE_PARTS) {
      const value = parts[part];
      if (typeof value === 'string') await this.deps.templates.check(name, part, value);
    }
    await this.refuseUnconfiguredThreats(realmId, name, parts);
    await this.deps.outbox.saveOverrides(realmId, name, parts);
  }

  /** The template as it would stand, rendered as the company's customers would read it, may threaten only configured steps. */
  private async refuseUnconfiguredThreats(realmId: string, name: TemplateName, parts: TemplateParts): Promise<void> {
    const stored = await this.deps.outbox.overridesOf(realmId, name);
    const overrides: Partial<Record<TemplatePart, string>> = {};
    for (const part of TEMPLATE_PARTS) {
      const value = parts[part] === undefined ? stored[part] : parts[part];
      if (typeof value === 'string') overrides[part] = value;
    }
    const settings = await this.deps.settings.settingsOf(realmId);
    const rendered = await this.deps.templates.render(name, { ...sampleFor(name), escalation: escalationOf(settings) }, overrides);
    // The parts being changed are blamed first.
    const order = [...TEMPLATE_PARTS].sort((a, b) => Number(parts[b] !== undefined) - Number(parts[a] !== undefined));
    for (const part of order) {
      const [found] = unconfiguredPromises(part === 'html' ? readable(rendered.html) : rendered[part], settings);
      if (found) throw new TemplateError(name, part, null, unconfiguredInWords(found));
    }
  }

  /** Back to the shipped template: every override of it removed. */
  async revert(realmId: string, name: TemplateName): Promise<void> {
    await this.deps.outbox.saveOverrides(realmId, name, { subject: null, html: null, text: null });
  }

  /** Renders a template against sample data, with the stored overrides and then the parts given. */
  async preview(realmId: string, name: TemplateName, parts: TemplateParts): Promise<Rendered> {
    const overrides: Partial<Record<TemplatePart, string>> = { ...(await this.deps.outbox.overridesOf(realmId, name)) };
    for (const part of TEMPLATE_PARTS) {
      const value = parts[part];
      if (typeof value === 'string') {
        await this.deps.templates.check(name, part, value);
        overrides[part] = value;
      }
    }
    // A consumer variant is previewed as a personal customer gets it.
    return this.deps.templates.render(name, sampleFor(name), overrides);
  }
}
