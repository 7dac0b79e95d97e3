import { Router } from 'express';
import { z } from 'zod';
import type { Uses } from '../../services';
import { LETTERS, MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import { loadCompany, requireSignIn } from '../access';
import { allowInlineStyles } from '../csp';

const STATUSES = ['queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled'] as const;
const listQuery = z.object({ status: z.enum(STATUSES).optional(), page: z.coerce.number().int().min(1).max(10_000).default(1) });
const uuid = z.string().uuid('is not a message id');

/** The outbox: every message with where it stands, each letter printable and as a PDF. */
export function outboxPages(context: Uses<'companyAccess' | 'outbox' | 'letters'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { outbox, letters } = context.services;

  router.get('/companies/:realmId/outbox', requireSignIn, async (req, res) => {
    const { status, page } = listQuery.parse(req.query);
    const { messages, counts, more } = await outbox.page(req.company!.realm_id, { status, page });
    res.render('outbox', {
      title: 'Outbox',
      company: req.company,
      status,
      statuses: STATUSES.map((s) => ({ name: s, count: counts[s] ?? 0, current: s === status })),
      messages: messages.map((row) => ({ ...row, name: MESSAGE_NAMES[row.kind as MessageKind] ?? row.kind, letter: LETTERS.has(row.kind), invoices: row.invoice_ids.length })),
      previous: page > 1 ? page - 1 : null,
      next: more ? page + 1 : null,
    });
  });

  router.get('/companies/:realmId/outbox/:messageId', requireSignIn, async (req, res) => {
    // A template that cannot render is shown as such, with the facts of the message around it.
    const { document, preview, renderError } = await letters.shown(req.company!.realm_id, uuid.parse(req.params.messageId));
    allowInlineStyles(res);
    const sentAt = document.asSent?.sentAt.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? null;
    res.render('message', { title: preview?.subject ?? document.title, company: req.company, letter: document, sentAt, preview, renderError, isLetter: LETTERS.has(document.kind) });
  });

  router.get('/companies/:realmId/letters/:messageId', requireSignIn, async (req, res) => {
    const letter = await letters.print(req.company!.realm_id, uuid.parse(req.params.messageId));
    allowInlineStyles(res);
    res.render('letter', { title: `${letter.title}: ${letter.data.customer.name}`, layout: 'print', company: req.company, letter });
  });

  router.get('/companies/:realmId/letters/:messageId/pdf', requireSignIn, async (req, res) => {
    const { letter, pdf } = await letters.pdf(req.company!.realm_id, uuid.parse(req.params.messageId));
    const file = `${letter.kind}-${letter.data.customer.name}-${letter.data.today}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100);
    res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="${file}.pdf"`);
    res.send(pdf);
  });
  return router;
}
