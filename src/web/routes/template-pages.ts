import { Router, type Request, type Response } from 'express';
import type { Uses } from '../../services';
import { MESSAGE_NAMES } from '../../collections/message-kinds';
import { TemplateError, TEMPLATE_PARTS, type Rendered, type TemplateName } from '../../mail/templates';
import { loadCompany, requireSignIn } from '../access';
import { allowInlineStyles } from '../csp';
import { templateProblem } from '../presenters/form-errors';
import { templateName, templateParts, type TemplateParts } from './templates';

const TITLES: Record<string, string> = {
  ...MESSAGE_NAMES,
  ...Object.fromEntries(Object.entries(MESSAGE_NAMES).map(([kind, title]) => [`${kind}_personal`, `${title}, personal customers`])),
  call_script_level_1: 'Call script, level 1',
  call_script_level_2: 'Call script, level 2',
  call_script_level_3: 'Call script, level 3',
  call_script_level_4: 'Call script, level 4',
  call_script_broken_promise: 'Call script, broken promise',
  call_script_find_email: 'Call script, find an email',
  call_script_level_1_personal: 'Call script, level 1, personal customers',
  call_script_level_2_personal: 'Call script, level 2, personal customers',
  call_script_level_3_personal: 'Call script, level 3, personal customers',
  call_script_level_4_personal: 'Call script, level 4, personal customers',
};

/** What the form posted: each part as text (a newline-normalised copy of what was typed). */
function postedParts(req: Request): TemplateParts {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const parts: TemplateParts = {};
  for (const part of TEMPLATE_PARTS) if (typeof body[part] === 'string') parts[part] = (body[part] as string).replace(/\r\n/g, '\n');
  return parts;
}

/**
 * The template pages: the list, and one form per template to edit its three parts, preview them
 * against sample data, save (refused with the part, line and reason when it cannot render, the
 * text typed kept in the form), or go back to the shipped version.
 */
export function templatePages(context: Uses<'companyAccess' | 'templates'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { templates } = context.services;

  const showForm = async (req: Request, res: Response, name: TemplateName, extra: { parts?: TemplateParts; error?: TemplateError; preview?: Rendered; saved?: boolean } = {}) => {
    const sources = await templates.partsOf(req.company!.realm_id, name);
    const parts = TEMPLATE_PARTS.map((part) => {
      const source = extra.parts?.[part] ?? sources[part].override ?? sources[part].default;
      // What is wrong, in words, next to the part it is in.
      const error = extra.error?.part === part ? templateProblem(extra.error, source) : undefined;
      return { part, label: { subject: 'Subject', html: 'HTML body', text: 'Plain-text body' }[part], source, overridden: sources[part].override !== null, rows: part === 'subject' ? 2 : 16, error };
    });
    if (extra.error) res.status(400);
    if (extra.preview) allowInlineStyles(res);
    res.render('template-edit', { title: TITLES[name], company: req.company, name, heading: TITLES[name], parts, error: extra.error ? { message: parts.find((p) => p.error)?.error ?? templateProblem(extra.error) } : null, preview: extra.preview, saved: extra.saved, anyOverride: parts.some((p) => p.overridden) });
  };

  router.get('/companies/:realmId/templates', requireSignIn, async (req, res) => {
    const list = await templates.list(req.company!.realm_id);
    res.render('templates', { title: 'Templates', company: req.company, templates: list.map(({ name, overridden }) => ({ name, title: TITLES[name], overridden: overridden.join(', ') })) });
  });

  router.get('/companies/:realmId/templates/:name', requireSignIn, async (req, res) => {
    await showForm(req, res, templateName(req.params.name), { saved: req.query.saved === '1' });
  });

  router.post('/companies/:realmId/templates/:name', requireSignIn, async (req, res) => {
    const name = templateName(req.params.name);
    const parts = postedParts(req);
    try {
      // What was posted passes the same rules as the API's before anything is stored.
      await templates.save(req.company!.realm_id, name, templateParts(parts));
    } catch (error) {
      if (error instanceof TemplateError) return showForm(req, res, name, { parts, error });
      throw error;
    }
    res.redirect(303, `/companies/${req.company!.realm_id}/templates/${name}?saved=1`);
  });

  router.post('/companies/:realmId/templates/:name/preview', requireSignIn, async (req, res) => {
    const name = templateName(req.params.name);
    const parts = postedParts(req);
    try {
      await showForm(req, res, name, { parts, preview: await templates.preview(req.company!.realm_id, name, parts) });
    } catch (error) {
      if (error instanceof TemplateError) return showForm(req, res, name, { parts, error });
      throw error;
    }
  });

  router.post('/companies/:realmId/templates/:name/revert', requireSignIn, async (req, res) => {
    const name = templateName(req.params.name);
    await templates.revert(req.company!.realm_id, name);
    res.redirect(303, `/companies/${req.company!.realm_id}/templates/${name}`);
  });
  return router;
}
