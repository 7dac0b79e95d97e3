import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context';
import { collectorText } from '../../collections/collector-input';
import { NotFoundError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';
import { sampleMergeData, TEMPLATE_NAMES, TEMPLATE_PARTS, type TemplateName, type TemplatePart } from '../../mail/templates';

const source = collectorText({ max: 100_000 });
const partsBody = z.object({ subject: source.nullable().optional(), html: source.nullable().optional(), text: source.nullable().optional() }).strict();
export type TemplateParts = z.infer<typeof partsBody>;

export function templateName(value: unknown): TemplateName {
  const name = String(value);
  if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) throw new NotFoundError('No such template');
  return name as TemplateName;
}

/** Checks every part given as text (throws a TemplateError naming part, line and reason), then saves. */
export async function saveTemplate(context: AppContext, realmId: string, name: TemplateName, given: TemplateParts): Promise<void> {
  // The pages pass what was posted: the same rules as the API's before anything is stored.
  const parts = partsBody.parse(given);
  for (const part of TEMPLATE_PARTS) {
    const value = parts[part];
    if (typeof value === 'string') await context.mail.templates.check(name, part, value);
  }
  await context.repos.outbox.saveOverrides(realmId, name, parts);
}

/** Renders a template against sample data, with the stored overrides and then the parts given. */
export async function previewTemplate(context: AppContext, realmId: string, name: TemplateName, parts: TemplateParts) {
  const overrides: Partial<Record<TemplatePart, string>> = { ...(await context.repos.outbox.overridesOf(realmId, name)) };
  for (const part of TEMPLATE_PARTS) {
    const value = parts[part];
    if (typeof value === 'string') {
      await context.mail.templates.check(name, part, value);
      overrides[part] = value;
    }
  }
  return context.mail.templates.render(name, sampleMergeData(), overrides);
}

/**
 * Per-company template overrides (JSON API). Every part sent is compiled, checked and rendered
 * against sample data before anything is saved; a failure answers 400 naming the part, the line
 * and the reason, and leaves the stored templates as they were. `null` reverts a part.
 */
export function templateRoutes(context: AppContext): Router {
  const router = Router();
  router.use('/api', requireSignIn);
  router.param('realmId', loadCompany(context));
  const book = context.mail.templates;

  router.get('/api/realms/:realmId/templates', async (req, res) => {
    const overridden = await context.repos.outbox.overriddenParts(req.company!.realm_id);
    res.json({ templates: TEMPLATE_NAMES.map((name) => ({ name, overridden: overridden.get(name) ?? [] })) });
  });

  router.get('/api/realms/:realmId/templates/:name', async (req, res) => {
    const name = templateName(req.params.name);
    const overrides = await context.repos.outbox.overridesOf(req.company!.realm_id, name);
    res.json({ name, parts: Object.fromEntries(TEMPLATE_PARTS.map((part) => [part, { default: book.defaultSource(name, part), override: overrides[part] ?? null }])) });
  });

  router.put('/api/realms/:realmId/templates/:name', async (req, res) => {
    const name = templateName(req.params.name);
    const body = partsBody.parse(req.body ?? {});
    await saveTemplate(context, req.company!.realm_id, name, body);
    res.json({ name, saved: TEMPLATE_PARTS.filter((part) => body[part] !== undefined) });
  });

  router.post('/api/realms/:realmId/templates/:name/preview', async (req, res) => {
    const name = templateName(req.params.name);
    res.json(await previewTemplate(context, req.company!.realm_id, templateName(name), partsBody.parse(req.body ?? {})));
  });
  return router;
}
