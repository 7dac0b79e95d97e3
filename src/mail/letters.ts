import type { AppContext } from '../app-context';
import { ASKS_FOR_MONEY, LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import type { MessageKind } from '../collections/model';
import { NotFoundError } from '../errors';
import { mergeDataFor, type FreshInvoice } from './merge-data';
import type { MergeData, PrintedLetter, TemplateName } from './templates';

/**
 * Letters for the post: the verification letter, the demand letter and the final notice of an
 * outbox message, laid out for paper (any other message can be shown the same way on screen). A letter lists what its email listed when it was sent,
 * otherwise the invoices the local copy of QuickBooks still shows open.
 */
export interface Letter {
  messageId: string;
  kind: MessageKind;
  title: string;
  status: string;
  toAddress: string;
  /** The postal address block: the customer's name, then its QuickBooks billing address. */
  address: string[];
  data: MergeData;
  printed: PrintedLetter;
}

interface BillAddr {
  Line1?: string;
  Line2?: string;
  Line3?: string;
  Line4?: string;
  Line5?: string;
  City?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
  Country?: string;
}

export function addressLines(name: string, companyName: string | null, raw: unknown): string[] {
  const bill = ((raw ?? {}) as { BillAddr?: BillAddr }).BillAddr ?? {};
  const cityLine = [bill.City, [bill.CountrySubDivisionCode, bill.PostalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const lines = [companyName && companyName !== name ? companyName : name, bill.Line1, bill.Line2, bill.Line3, bill.Line4, bill.Line5, cityLine, bill.Country];
  return lines.map((line) => (line ?? '').trim()).filter(Boolean);
}

export async function letterFor(context: AppContext, realmId: string, messageId: string, options: { lettersOnly?: boolean } = {}): Promise<Letter> {
  const { db } = context;
  const message = await db
    .selectFrom('messages')
    .select(['id', 'realm_id', 'customer_id', 'kind', 'to_address', 'invoice_ids', 'listed_invoice_ids', 'key', 'status'])
    .where('realm_id', '=', realmId)
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (!message || (options.lettersOnly && !LETTERS.has(message.kind))) throw new NotFoundError(options.lettersOnly ? 'No such letter' : 'No such message');

  const invoices = await db.selectFrom('qbo_invoices').select(['id', 'balance']).where('realm_id', '=', realmId).where('id', 'in', message.invoice_ids.length ? message.invoice_ids : ['']).execute();
  const local = new Map<string, FreshInvoice>(invoices.map((i) => [i.id, { id: i.id, balance: Number(i.balance), payLink: null }]));
  const listed =
    message.listed_invoice_ids ?? (ASKS_FOR_MONEY.has(message.kind) ? message.invoice_ids.filter((id) => (local.get(id)?.balance ?? 0) > 0.005) : message.invoice_ids);
  const data = await mergeDataFor(db, message, local, context.clock.businessNow(), listed);
  const overrides = await context.repos.outbox.overridesOf(realmId, message.kind);
  const customer = await db.selectFrom('qbo_customers').select(['display_name', 'company_name', 'raw']).where('realm_id', '=', realmId).where('id', '=', message.customer_id).executeTakeFirst();
  return {
    messageId: message.id,
    kind: message.kind as MessageKind,
    title: MESSAGE_NAMES[message.kind as MessageKind],
    status: message.status,
    toAddress: message.to_address,
    address: customer ? addressLines(customer.display_name, customer.company_name, customer.raw) : [data.customer.name],
    data,
    printed: context.mail.templates.renderLetter(message.kind as TemplateName, data, overrides),
  };
}

/** Notes the first time a letter was printed or downloaded, for the outbox list. */
export async function markPrinted(context: AppContext, realmId: string, messageId: string): Promise<void> {
  await context.db
    .updateTable('messages')
    .set({ printed_at: context.clock.now() })
    .where('realm_id', '=', realmId)
    .where('id', '=', messageId)
    .where('printed_at', 'is', null)
    .execute();
}
