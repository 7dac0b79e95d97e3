import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context';
import { NotFoundError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';
import { sampleMergeData, TEMPLATE_NAMES, TEMPLATE_PARTS, type TemplateName, type TemplatePart } from '../../mail/templates';

const source = z.string().max(100_000, 'is longer than 100,000 characters');
const partsBody = z.object({ subject: source.nullable().optional(), html: source.nullable().optional(), text: source.nullable().optional() }).strict();

function templateName(value: unknown): TemplateName {
  const name = String(value);
  if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) throw new NotFoundError('No such template');
  return name as TemplateName;
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
  const overridesOf = async (realmId: string, name: string) => Object.fromEntries((await context.repos.outbox.overridesOf(realmId, name)).map((o) => [o.part, o.source])) as Partial<Record<TemplatePart, string>>;

  router.get('/api/realms/:realmId/templates', async (req, res) => {
    const rows = await context.db.selectFrom('template_overrides').select(['name', 'part']).where('realm_id', '=', req.company!.realm_id).execute();
    res.json({ templates: TEMPLATE_NAMES.map((name) => ({ name, overridden: rows.filter((r) => r.name === name).map((r) => r.part) })) });
  });

  router.get('/api/realms/:realmId/templates/:name', async (req, res) => {
    const name = templateName(req.params.name);
    const overrides = await overridesOf(req.company!.realm_id, name);
    res.json({ name, parts: Object.fromEntries(TEMPLATE_PARTS.map((part) => [part, { default: book.defaultSource(name, part), override: overrides[part] ?? null }])) });
  });

  router.put('/api/realms/:realmId/templates/:name', async (req, res) => {
    const name = templateName(req.params.name);
    const body = partsBody.parse(req.body ?? {});
    for (const part of TEMPLATE_PARTS) {
      const value = body[part];
      if (typeof value === 'string') book.check(name, part, value);
    }
    const realmId = req.company!.realm_id;
    await context.db.transaction().execute(async (trx) => {
      for (const part of TEMPLATE_PARTS) {
        const value = body[part];
        if (value === null) await trx.deleteFrom('template_overrides').where('realm_id', '=', realmId).where('name', '=', name).where('part', '=', part).execute();
        else if (typeof value === 'string') {
          await trx
            .insertInto('template_overrides')
            .values({ realm_id: realmId, name, part, source: value })
            .onConflict((oc) => oc.columns(['realm_id', 'name', 'part']).doUpdateSet({ source: value, updated_at: new Date() }))
            .execute();
        }
      }
    });
    res.json({ name, saved: TEMPLATE_PARTS.filter((part) => body[part] !== undefined) });
  });

  router.post('/api/realms/:realmId/templates/:name/preview', async (req, res) => {
    const name = templateName(req.params.name);
    const body = partsBody.parse(req.body ?? {});
    const overrides = { ...(await overridesOf(req.company!.realm_id, name)) };
    for (const part of TEMPLATE_PARTS) {
      const value = body[part];
      if (typeof value === 'string') {
        book.check(name, part, value);
        overrides[part] = value;
      }
    }
    res.json(book.render(name, sampleMergeData(), overrides));
  });
  return router;
}
