import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** `intuit-signature` = base64(HMAC-SHA256(verifier token, raw body bytes)), compared in constant time. */
export function verifyWebhookSignature(verifierToken: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = createHmac('sha256', verifierToken).update(rawBody).digest();
  let given: Buffer;
  try {
    given = Buffer.from(signature, 'base64');
  } catch {
    return false;
  }
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookEvent {
  realmId: string;
  entity: string;
  id: string;
  operation: string;
  /** Identifies the event across Intuit's retries, for deduplication. */
  key: string;
}

const legacy = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1),
      dataChangeEvent: z
        .object({ entities: z.array(z.object({ name: z.string(), id: z.string(), operation: z.string(), lastUpdated: z.string().optional() }).passthrough()) })
        .optional(),
    }).passthrough(),
  ),
});

const cloudEvents = z.array(
  z.object({ id: z.string().min(1), type: z.string(), intuitaccountid: z.string().min(1), intuitentityid: z.string().optional(), time: z.string().optional() }).passthrough(),
);

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Reads either webhook format Intuit sends; undefined when the payload is neither. */
export function parseWebhook(payload: unknown): WebhookEvent[] | undefined {
  const asLegacy = legacy.safeParse(payload);
  if (asLegacy.success) {
    return asLegacy.data.eventNotifications.flatMap((notification) =>
      (notification.dataChangeEvent?.entities ?? []).map((e) => ({
        realmId: notification.realmId,
        entity: e.name,
        id: e.id,
        operation: e.operation,
        key: digest(`${notification.realmId}|${e.name}|${e.id}|${e.operation}|${e.lastUpdated ?? ''}`),
      })),
    );
  }
  const asCloud = cloudEvents.safeParse(payload);
  if (asCloud.success) {
    return asCloud.data.map((e) => {
      // type is qbo.<entity>.<verb>.v1
      const [, entity = '', verb = ''] = e.type.split('.');
      return { realmId: e.intuitaccountid, entity: entity.charAt(0).toUpperCase() + entity.slice(1), id: e.intuitentityid ?? '', operation: verb, key: digest(`ce|${e.id}`) };
    });
  }
  return undefined;
}
