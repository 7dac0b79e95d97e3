import { Router } from 'express';
import { z } from 'zod';
import type { Uses } from '../../services';
import { collectorText } from '../../collections/collector-input';
import { NotFoundError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';
import { TEMPLATE_NAMES, TEMPLATE_PARTS, type TemplateName } from '../../mail/templates';
import type { TemplateParts } from '../../services/templates';

const source = collectorText({ max: 100_000 });
const partsBody = z.object({ subject: source.nullable().optional(), html: source.nullable().optional(), text: source.nullable().optional() }).strict();
export type { TemplateParts };

export function templateName(value: unknown): TemplateName {
  const name = String(value);
  if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) throw new NotFoundError('No such template');
  return name as TemplateName;
}

/** The parts of a template as sent (the API's body, or what a form posted), by the same rules. */
export function templateParts(given: unknown): TemplateParts {
  return partsBody.parse(given ?? {});
}

/**
 * Per-company template overrides (JSON API). Every part sent is compiled, checked and rendered
 * against sample data before anything is saved; a failure answers 400 naming the part, the line
 * and the reason, and leaves the stored templates as they were. `null` reverts a part.
 */
export function templateRoutes(context: Uses<'companyAccess' | 'templates'>): Router {
  const router = Router();
  router.use('/api', requireSignIn);
  router.param('realmId', loadCompany(context));
  const { templates } = context.services;

  router.get('/api/realms/:realmId/templates', async (req, res) => {
    res.json({ templates: await templates.list(req.company!.realm_id) });
  });

  router.get('/api/realms/:realmId/templates/:name', async (req, res) => {
    const name = templateName(req.params.name);
    res.json({ name, parts: await templates.partsOf(req.company!.realm_id, name) });
  });

  router.put('/api/realms/:realmId/templates/:name', async (req, res) => {
    const name = templateName(req.params.name);
    const body = templateParts(req.body);
    await templates.save(req.company!.realm_id, name, body);
    res.json({ name, saved: TEMPLATE_PARTS.filter((part) => body[part] !== undefined) });
  });

  router.post('/api/realms/:realmId/templates/:name/preview', async (req, res) => {
    const name = templateName(req.params.name);
    res.json(await templates.preview(req.company!.realm_id, name, templateParts(req.body)));
  });
  return router;
}
