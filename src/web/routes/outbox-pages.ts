import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app-context';
import { LETTERS, MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import { letterPdf } from '../../mail/letter-pdf';
import { letterFor, markPrinted, outboxDocument } from '../../mail/letters';
import { TemplateError } from '../../mail/templates';
import { loadCompany, requireSignIn } from '../access';
import { allowInlineStyles } from '../csp';

const PAGE_SIZE = 50;
const STATUSES = ['queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled'] as const;
const listQuery = z.object({ status: z.enum(STATUSES).optional(), page: z.coerce.number().int().min(1).max(10_000).default(1) });
const uuid = z.string().uuid('is not a message id');

/** The outbox: every message with where it stands, each letter printable and as a PDF. */
export function outboxPages(context: AppContext): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));

  router.get('/companies/:realmId/outbox', requireSignIn, async (req, res) => {
    const { status, page } = listQuery.parse(req.query);
    const realmId = req.company!.realm_id;
    const [rows, counts] = await Promise.all([
      context.repos.outbox.outboxPage(realmId, { status, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE }),
      context.repos.outbox.statusCounts(realmId),
    ]);
    res.render('outbox', {
      title: 'Outbox',
      company: req.company,
      status,
      statuses: STATUSES.map((s) => ({ name: s, count: Number(counts.find((c) => c.status === s)?.n ?? 0), current: s === status })),
      messages: rows.slice(0, PAGE_SIZE).map((row) => ({ ...row, name: MESSAGE_NAMES[row.kind as MessageKind] ?? row.kind, letter: LETTERS.has(row.kind), invoices: row.invoice_ids.length })),
      previous: page > 1 ? page - 1 : null,
      next: rows.length > PAGE_SIZE ? page + 1 : null,
    });
  });

  router.get('/companies/:realmId/outbox/:messageId', requireSignIn, async (req, res) => {
    const document = await outboxDocument(context, req.company!.realm_id, uuid.parse(req.params.messageId));
    // A template that cannot render is shown as such, with the facts of the message around it.
    const shown = await context.mail.templates.render(document.kind, document.data, document.overrides).then(
      (preview) => ({ preview, renderError: undefined }),
      (error: unknown) => {
        if (error instanceof TemplateError) return { preview: undefined, renderError: error.inPart };
        throw error;
      },
    );
    allowInlineStyles(res);
    res.render('message', { title: shown.preview?.subject ?? document.title, company: req.company, letter: document, ...shown, isLetter: LETTERS.has(document.kind) });
  });

  router.get('/companies/:realmId/letters/:messageId', requireSignIn, async (req, res) => {
    const letter = await letterFor(context, req.company!.realm_id, uuid.parse(req.params.messageId));
    await markPrinted(context, req.company!.realm_id, letter.messageId);
    allowInlineStyles(res);
    res.render('letter', { title: `${letter.title}: ${letter.data.customer.name}`, layout: 'print', company: req.company, letter });
  });

  router.get('/companies/:realmId/letters/:messageId/pdf', requireSignIn, async (req, res) => {
    const letter = await letterFor(context, req.company!.realm_id, uuid.parse(req.params.messageId));
    const pdf = await letterPdf(letter);
    await markPrinted(context, req.company!.realm_id, letter.messageId);
    const file = `${letter.kind}-${letter.data.customer.name}-${letter.data.today}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100);
    res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="${file}.pdf"`);
    res.send(pdf);
  });
  return router;
}
