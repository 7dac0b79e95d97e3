import type { AppContext } from '../app-context';
import { ASKS_FOR_MONEY, LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import type { MessageKind } from '../collections/model';
import { NotFoundError } from '../errors';
import { mergeDataFor } from './merge-data';
import type { MergeData, PrintedLetter, TemplateName, TemplatePart } from './templates';

/**
 * An outbox message as a document: its merge data and the company's overrides, ready to render
 * on screen, or (verification letter, demand letter, final notice) laid out for paper. It lists
 * what its email listed when it was sent, otherwise the invoices the local copy of QuickBooks
 * still shows open.
 */
export interface OutboxDocument {
  messageId: string;
  kind: TemplateName & MessageKind;
  title: string;
  status: string;
  toAddress: string;
  data: MergeData;
  overrides: Partial<Record<TemplatePart, string>>;
}

export interface Letter extends OutboxDocument {
  printed: PrintedLetter;
}

export async function outboxDocument(context: AppContext, realmId: string, messageId: string, options: { lettersOnly?: boolean } = {}): Promise<OutboxDocument> {
  const { db } = context;
  const message = await context.repos.outbox.documentOf(realmId, messageId);
  if (!message || (options.lettersOnly && !LETTERS.has(message.kind))) throw new NotFoundError(options.lettersOnly ? 'No such letter' : 'No such message');

  let listed = message.listed_invoice_ids;
  if (!listed) {
    listed = message.invoice_ids;
    if (ASKS_FOR_MONEY.has(message.kind) && listed.length) {
      const openIds = new Set(await context.repos.mergeData.openInvoiceIds(realmId, listed));
      listed = listed.filter((id) => openIds.has(id));
    }
  }
  // No fresh answers from QuickBooks here: the merge data takes balances from the local copy.
  const [data, overrides] = await Promise.all([mergeDataFor(db, message, new Map(), context.clock.businessNow(), listed), context.repos.outbox.overridesOf(realmId, message.kind)]);
  const kind = message.kind as OutboxDocument['kind'];
  return { messageId: message.id, kind, title: MESSAGE_NAMES[kind], status: message.status, toAddress: message.to_address, data, overrides };
}

/** A letter laid out for paper: the HTML body without the email frame, the text around the table. */
export async function letterFor(context: AppContext, realmId: string, messageId: string): Promise<Letter> {
  const document = await outboxDocument(context, realmId, messageId, { lettersOnly: true });
  return { ...document, printed: await context.mail.templates.renderLetter(document.kind, document.data, document.overrides) };
}

/** Notes the first time a letter was printed or downloaded, for the outbox list. */
export async function markPrinted(context: AppContext, realmId: string, messageId: string): Promise<void> {
  await context.repos.outbox.markPrinted(realmId, messageId, context.clock.now());
}
