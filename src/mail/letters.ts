import type { Uses } from '../services';
import type { Letter, OutboxDocument } from '../services/letters';

// Outbox documents and letters live in src/services/letters.ts (context.services.letters); this
// wrapper stays only until the modules still importing it call the service.

export type { Letter, OutboxDocument };

/** @deprecated Use `context.services.letters.document(realmId, messageId, options)`. */
export function outboxDocument(context: Uses<'letters'>, realmId: string, messageId: string, options: { lettersOnly?: boolean } = {}): Promise<OutboxDocument> {
  return context.services.letters.document(realmId, messageId, options);
}
