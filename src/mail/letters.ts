import type { Letter, OutboxDocument } from '../services/letters';

// Outbox documents and letters are made in src/services/letters.ts (context.services.letters).
// Their types are named here too, for src/mail/letter-pdf.ts, which lays a letter out on paper.

export type { Letter, OutboxDocument };
