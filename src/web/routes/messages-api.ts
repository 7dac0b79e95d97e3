import { Router } from 'express';
import { z } from 'zod';
import type { Uses } from '../../services';
import type { MessageCopy } from '../../services/letters';
import { loadCompany, requireSignIn } from '../access';

const uuid = z.string().uuid('is not a message id');

/**
 * `GET /api/realms/:realmId/messages/:id`: a message as the customer got it, from the copy kept
 * when it went out, with its SHA-256 (`sha256`: over the manifest of its parts' digests, see
 * src/mail/sent-copy.ts) and each part's; a letter's PDF as posted at `…/:id/pdf`. A message not yet
 * sent is rendered as it would go out now, with `stored: false` and no digest.
 */
export function messagesApi(context: Uses<'companyAccess' | 'letters'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { letters } = context.services;

  router.get('/api/realms/:realmId/messages/:messageId', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    res.json(messageJson(realmId, await letters.copyOf(realmId, uuid.parse(req.params.messageId))));
  });

  router.get('/api/realms/:realmId/messages/:messageId/pdf', requireSignIn, async (req, res) => {
    const { letter, pdf } = await letters.pdf(req.company!.realm_id, uuid.parse(req.params.messageId));
    if (letter.asSent?.parts.pdf) res.setHeader('Digest', `sha-256=${Buffer.from(letter.asSent.parts.pdf, 'hex').toString('base64')}`);
    res.type('application/pdf').send(pdf);
  });
  return router;
}

function messageJson(realmId: string, { document, subject, html, text, pdf }: MessageCopy) {
  const { asSent } = document;
  return {
    id: document.messageId,
    kind: document.kind,
    title: document.title,
    status: document.status,
    to: document.toAddress,
    customer: { name: document.data.customer.name },
    stored: Boolean(asSent),
    reRendered: document.reRendered,
    sentAt: asSent?.sentAt.toISOString() ?? null,
    dated: asSent?.dated ?? null,
    sha256: asSent?.sha256 ?? null,
    parts: asSent?.parts ?? null,
    subject,
    text,
    html,
    pdf: pdf ? `/api/realms/${realmId}/messages/${document.messageId}/pdf` : null,
  };
}
