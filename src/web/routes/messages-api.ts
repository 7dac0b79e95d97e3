import { Router } from 'express';
import { z } from 'zod';
import type { Uses } from '../../services';
import { attachmentPart } from '../../mail/sent-copy';
import type { MessageCopy } from '../../services/letters';
import { loadCompany, requireSignIn } from '../access';

const uuid = z.string().uuid('is not a message id');
const position = z.coerce.number().int('is not an attachment number').min(1, 'is not an attachment number').max(1000, 'is not an attachment number');

/**
 * `GET /api/realms/:realmId/messages/:id`: a message as the customer got it, from the copy kept
 * when it went out, with its SHA-256 (`sha256`: over the manifest of its parts' digests, see
 * src/mail/sent-copy.ts) and each part's; a letter's PDF as posted at `…/:id/pdf`; each file the
 * email carried (its name, size, SHA-256, the `attachment.<n>` part of the manifest) at
 * `…/:id/attachments/:n`, the bytes kept with the copy. A message not yet sent is rendered as it
 * would go out now, with `stored: false`, no digest and no attachments.
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

  router.get('/api/realms/:realmId/messages/:messageId/attachments/:position', requireSignIn, async (req, res) => {
    const kept = await letters.attachment(req.company!.realm_id, uuid.parse(req.params.messageId), position.parse(req.params.position));
    res.setHeader('Digest', `sha-256=${Buffer.from(kept.sha256, 'hex').toString('base64')}`);
    res.attachment(kept.filename).type(kept.contentType).send(kept.content);
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
    attachments: (asSent?.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, part: attachmentPart(a.position), url: `/api/realms/${realmId}/messages/${document.messageId}/attachments/${a.position}` })),
  };
}
