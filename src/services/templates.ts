import type { OutboxRepository } from '../db/outbox-repository';
import { PERSONAL_TEMPLATES, sampleMergeData, TEMPLATE_NAMES, TEMPLATE_PARTS, type Rendered, type TemplateBook, type TemplateName, type TemplatePart } from '../mail/templates';

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
}

/**
 * A company's own versions of the templates (letters, emails, call scripts). Every part given as
 * text is compiled and rendered against sample data before it is kept, so a part that cannot
 * render is refused (a TemplateError naming the part, the line and the reason) and the stored
 * templates stay as they were.
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
    await this.deps.outbox.saveOverrides(realmId, name, parts);
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
    return this.deps.templates.render(name, sampleMergeData((PERSONAL_TEMPLATES as readonly string[]).includes(name) ? 'personal' : 'commercial'), overrides);
  }
}
