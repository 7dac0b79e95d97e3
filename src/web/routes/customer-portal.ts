import express, { Router, type Request, type Response } from 'express';
import { z, ZodError } from 'zod';
import { quickBooksIdSchema } from '../../collections/collector-input';
import { BadRequestError } from '../../errors';
import type { Uses } from '../../services';
import { MAX_TOKEN_CHARS } from '../../services/customer-link-token';
import { PROBLEM_CATEGORIES } from '../../services/customer-pages';
import type { WebDeps } from '../deps';
import { zodProblems } from '../presenters/form-errors';
import { rateLimit } from '../rate-limit';

const tokenSchema = z.string().min(1).max(MAX_TOKEN_CHARS);
const answerQuery = z.object({ answer: z.enum(['in_order', 'problem']).catch('in_order'), done: z.literal('1').optional().catch(undefined) });
const statementQuery = z.object({ promised: z.literal('1').optional().catch(undefined) });
const stopQuery = z.object({ done: z.literal('1').optional().catch(undefined) });
/** The one-click unsubscribe's body (RFC 8058 §3.1), as a provider posts it. */
const ONE_CLICK = 'List-Unsubscribe=One-Click';

/**
 * A mail provider's one-click unsubscribe (RFC 8058): a POST to the List-Unsubscribe URL with no
 * cookie and no form token; the signed token in the URL is the proof. The only unsafe request of
 * the customer's pages that needs no CSRF token (app.ts exempts it).
 */
export function isOneClickUnsubscribe(req: Request): boolean {
  return req.method === 'POST' && /^\/c\/unsubscribe\/[^/]+$/.test(req.path);
}
const LAYOUT = 'customer';

/**
 * The rate limit of the customer's pages, by client address; mounted before sessions, so a
 * refused request costs no session and no database work.
 */
export function customerPageLimit(context: Pick<WebDeps, 'config' | 'clock'>) {
  return rateLimit({ limit: context.config.customerLinks.ratePerMinute, windowMs: 60_000, now: () => context.clock.now() });
}

/** A form's refusal, field by field, in the customer's words. */
function formErrors(error: unknown): Record<string, string> | undefined {
  if (error instanceof ZodError) return Object.fromEntries(zodProblems(error).map(({ field, message }) => [field || 'form', message]));
  if (error instanceof BadRequestError) return { [String(error.details?.field ?? 'form')]: error.message };
  return undefined;
}

function text(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The customer's own pages, public and signed-link only: `/c/answer/:token` (a verification
 * letter's two answers) and `/c/statement/:token` (the account's statement, its invoices' PDFs,
 * a promise to pay), and a personal customer's `/c/stop/:token` (*Stop contacting me*, confirmed
 * on the page) and `/c/unsubscribe/:token` (the same page on GET; a provider's one-click POST,
 * RFC 8058). The token opens exactly what it names (services.customerPages); every form
 * carries the session's CSRF token like every other form; customer text is escaped by the views.
 */
export function customerPortal(context: Uses<'customerPages'>): Router {
  const router = Router();
  const pages = context.services.customerPages;

  const answerPage = async (req: Request, res: Response, token: string, options: { status?: number; problem?: boolean; errors?: Record<string, string>; values?: Record<string, string | undefined> } = {}) => {
    const query = answerQuery.parse(req.query);
    const page = await pages.answerPage(token);
    const chosen = options.values?.category;
    res.status(options.status ?? 200).render('customer-answer', {
      layout: LAYOUT,
      title: `Your invoice${page.invoices.length > 1 ? 's' : ''} from ${page.company.name}`,
      page,
      token,
      problem: options.problem ?? query.answer === 'problem',
      done: query.done === '1',
      categories: Object.entries(PROBLEM_CATEGORIES).map(([value, label]) => ({ value, label, checked: value === chosen })),
      errors: options.errors,
      values: options.values ?? {},
    });
  };

  router.get('/c/answer/:token', async (req, res) => {
    await answerPage(req, res, tokenSchema.parse(req.params.token));
  });

  router.post('/c/answer/:token/in-order', async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    await pages.confirmInOrder(token, req.log);
    res.redirect(303, `/c/answer/${encodeURIComponent(token)}?answer=in_order&done=1`);
  });

  router.post('/c/answer/:token/problem', async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    const values = { category: text(req.body, 'category'), description: text(req.body, 'description') };
    try {
      await pages.reportProblem(token, values, req.log);
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      return answerPage(req, res, token, { status: 400, problem: true, errors, values });
    }
    res.redirect(303, `/c/answer/${encodeURIComponent(token)}?answer=problem&done=1`);
  });

  const statementPage = async (req: Request, res: Response, token: string, options: { status?: number; errors?: Record<string, string>; values?: Record<string, string | undefined> } = {}) => {
    const query = statementQuery.parse(req.query);
    const page = await pages.statement(token);
    res.status(options.status ?? 200).render('customer-statement', {
      layout: LAYOUT,
      title: `Your statement from ${page.company.name}`,
      page,
      token,
      promised: query.promised === '1',
      errors: options.errors,
      values: options.values ?? {},
    });
  };

  router.get('/c/statement/:token', async (req, res) => {
    await statementPage(req, res, tokenSchema.parse(req.params.token));
  });

  router.get('/c/statement/:token/invoices/:invoiceId/pdf', async (req, res) => {
    const invoiceId = quickBooksIdSchema.parse(req.params.invoiceId);
    const { number, pdf } = await pages.invoicePdf(tokenSchema.parse(req.params.token), invoiceId);
    res.type('application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="invoice-${number.replace(/[^\w.-]/g, '_')}.pdf"`);
    res.send(pdf);
  });

  router.post('/c/statement/:token/promise', async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    const values = { amount: text(req.body, 'amount'), dueOn: text(req.body, 'dueOn') };
    try {
      await pages.promise(token, values, req.log);
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      return statementPage(req, res, token, { status: 400, errors, values });
    }
    res.redirect(303, `/c/statement/${encodeURIComponent(token)}?promised=1#promise`);
  });

  const stopPage = async (req: Request, res: Response, token: string) => {
    const query = stopQuery.parse(req.query);
    const page = await pages.stopPage(token);
    res.render('customer-stop', { layout: LAYOUT, title: `Stop messages from ${page.company.name}`, page, token, done: query.done === '1' });
  };

  // The page asks to confirm; a GET never acts (mail scanners and link previews open links).
  router.get('/c/stop/:token', async (req, res) => {
    await stopPage(req, res, tokenSchema.parse(req.params.token));
  });
  router.get('/c/unsubscribe/:token', async (req, res) => {
    await stopPage(req, res, tokenSchema.parse(req.params.token));
  });

  router.post('/c/stop/:token', async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    await pages.stop(token, 'customer_link', req.log);
    res.redirect(303, `/c/stop/${encodeURIComponent(token)}?done=1`);
  });

  // Providers post urlencoded or multipart bodies; the multipart one is read as text (it is tiny).
  router.post('/c/unsubscribe/:token', express.text({ type: 'multipart/form-data', limit: '4kb' }), async (req, res) => {
    const token = tokenSchema.parse(req.params.token);
    const body: unknown = req.body;
    const oneClick = typeof body === 'string' ? /name="List-Unsubscribe"\s+One-Click\s/.test(body) : text(body, 'List-Unsubscribe') === 'One-Click';
    if (!oneClick) throw new BadRequestError(`This address takes only a one-click unsubscribe (a POST with the body ${ONE_CLICK}).`);
    await pages.stop(token, 'unsubscribe', req.log);
    res.type('text/plain').send('You are unsubscribed: we will not contact you again.\n');
  });

  return router;
}
