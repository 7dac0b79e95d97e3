import { localMoment } from '../collections/calendar';
import { LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import type { MessageKind } from '../collections/model';
import type { Clock } from '../clock';
import type { CoverageRepository } from '../db/coverage-repository';
import type { Db } from '../db/database';
import type { MergeDataRepository } from '../db/merge-data-repository';
import type { OutboxRepository } from '../db/outbox-repository';
import type { KeptAttachment, KeptAttachmentInfo, SentCopiesRepository, SentCopyRow } from '../db/sent-copies-repository';
import { NotFoundError } from '../errors';
import { letterPdf } from '../mail/letter-pdf';
import { mergeDataFor } from '../mail/merge-data';
import { TemplateError, templateOf, type MergeData, type PrintedLetter, type Rendered, type TemplateBook, type TemplateName, type TemplatePart } from '../mail/templates';
import type { CompanySettingsService } from './company-settings';
import type { CustomerLinksService } from './customer-links';
import { SendListing } from './send-message';

/**
 * An outbox message as a document. A sent message is its stored copy (sent_copies): the merge
 * data, text and PDF it went out with, never rendered again. A message not yet sent is its merge
 * data and the company's overrides, ready to preview on screen or (verification letter, demand
 * letter, final notice) laid out for paper, listing what the send would list now (SendListing:
 * nothing a pause, dispute, promise or plan covers, nothing paid; the local copy of QuickBooks
 * answering for the balances).
 */
export interface OutboxDocument {
  messageId: string;
  kind: TemplateName & MessageKind;
  /** The template it is written from: the kind's, or its consumer variant for a personal customer (`templateOf`). */
  template: TemplateName;
  title: string;
  status: string;
  toAddress: string;
  data: MergeData;
  overrides: Partial<Record<TemplatePart, string>>;
  /** The copy kept when it went out: its SHA-256 (src/mail/sent-copy.ts), its parts' and the time. */
  asSent: AsSent | null;
  /**
   * A message that went out (or may have: `uncertain`) without a kept copy, sent before copies
   * were kept or whose send did not finish: it can only be shown rendered again, and says so.
   */
  reRendered: boolean;
}

export interface AsSent {
  sha256: string;
  parts: Record<string, string>;
  sentAt: Date;
  /** The letter's date. */
  dated: string;
  /** The files the email carried, kept with it (their bytes: `LettersService.attachment`). */
  attachments: KeptAttachmentInfo[];
}

/** A message as it went out (or, not yet sent, as it would go out now). */
export interface MessageCopy {
  document: OutboxDocument;
  subject: string;
  html: string;
  text: string;
  /** A letter's PDF as posted, when a copy was kept. */
  pdf: Buffer | null;
}

export interface Letter extends OutboxDocument {
  printed: PrintedLetter;
}

/** A message as its page shows it: rendered, or the reason its template cannot render. */
export interface ShownMessage {
  document: OutboxDocument;
  preview?: Rendered;
  renderError?: string;
}

export interface LettersDeps {
  /** For the merge data (src/mail/merge-data.ts reads through its own repository). */
  db: Db;
  outbox: Pick<OutboxRepository, 'documentOf' | 'overridesOf' | 'markPrinted'>;
  sentCopies: Pick<SentCopiesRepository, 'find' | 'attachment'>;
  mergeData: Pick<MergeDataRepository, 'openInvoiceIds'>;
  /** The facts the coverage rule is decided from, as the send reads them. */
  coverage: Pick<CoverageRepository, 'factsFor'>;
  settings: Pick<CompanySettingsService, 'settingsOf'>;
  templates: Pick<TemplateBook, 'render' | 'renderLetter'>;
  /** The customer's pages a message links to. */
  links: Pick<CustomerLinksService, 'linksFor'>;
  clock: Clock;
}

/** Statuses of a message that went out, or may have. */
const WENT_OUT: ReadonlySet<string> = new Set(['sent', 'uncertain']);

/**
 * The outbox's messages as documents: on screen, printed, and as a PDF to post. A sent message
 * is always its stored copy; only a message not yet sent is rendered.
 */
export class LettersService {
  private readonly listing: SendListing;

  constructor(private readonly deps: LettersDeps) {
    this.listing = new SendListing(deps);
  }

  async document(realmId: string, messageId: string, options: { lettersOnly?: boolean } = {}): Promise<OutboxDocument> {
    return (await this.load(realmId, messageId, options)).document;
  }

  private async load(realmId: string, messageId: string, options: { lettersOnly?: boolean } = {}): Promise<{ document: OutboxDocument; copy?: SentCopyRow }> {
    const { outbox } = this.deps;
    const message = await outbox.documentOf(realmId, messageId);
    if (!message || (options.lettersOnly && !LETTERS.has(message.kind))) throw new NotFoundError(options.lettersOnly ? 'No such letter' : 'No such message');
    const kind = message.kind as OutboxDocument['kind'];
    const facts = { messageId: message.id, kind, title: MESSAGE_NAMES[kind], status: message.status, toAddress: message.to_address };
    const copy = WENT_OUT.has(message.status) ? await this.deps.sentCopies.find(realmId, message.id) : undefined;
    if (copy) {
      const asSent = { sha256: copy.sha256, parts: copy.parts, sentAt: copy.sentAt, dated: copy.dated, attachments: copy.attachments };
      const data = copy.mergeData as MergeData;
      return { document: { ...facts, template: templateOf(kind, data), data, overrides: {}, asSent, reRendered: false }, copy };
    }

    let listed = message.listed_invoice_ids;
    if (!listed) {
      const settings = await this.deps.settings.settingsOf(realmId);
      const today = localMoment(this.deps.clock.businessNow(), settings.timezone).date;
      const open = async (ids: string[]) => new Set(await this.deps.mergeData.openInvoiceIds(realmId, ids));
      listed = (await this.listing.of(message, today, settings, open)).listed;
    }
    // No fresh answers from QuickBooks here: the merge data takes balances from the local copy.
    const data = await mergeDataFor(this.deps.db, message, new Map(), this.deps.clock.businessNow(), listed, (m) => this.deps.links.linksFor(m));
    const template = templateOf(kind, data);
    const overrides = await outbox.overridesOf(realmId, template);
    return { document: { ...facts, template, data, overrides, asSent: null, reRendered: WENT_OUT.has(message.status) } };
  }

  /**
   * A message as it went out: its stored copy. A message not yet sent (or sent without a copy
   * kept, `reRendered`) is rendered as it would go out now.
   */
  async copyOf(realmId: string, messageId: string): Promise<MessageCopy> {
    const { document, copy } = await this.load(realmId, messageId);
    if (copy) return { document, subject: copy.subject, html: copy.html, text: copy.text, pdf: copy.pdf };
    const rendered = await this.deps.templates.render(document.template, document.data, document.overrides);
    return { document, ...rendered, pdf: null };
  }

  /**
   * A file a sent message carried, as the customer got it (kept with its copy), when the message
   * is this company's; else not found. A message not yet sent has none to show.
   */
  async attachment(realmId: string, messageId: string, position: number): Promise<KeptAttachment> {
    const kept = await this.deps.sentCopies.attachment(realmId, messageId, position);
    if (!kept) throw new NotFoundError('No such attachment');
    return kept;
  }

  /** A message for its page: a sent one as it went out; a template that cannot render is shown as such, with the facts around it. */
  async shown(realmId: string, messageId: string): Promise<ShownMessage> {
    const { document, copy } = await this.load(realmId, messageId);
    if (copy) return { document, preview: { subject: copy.subject, html: copy.html, text: copy.text } };
    return this.deps.templates.render(document.template, document.data, document.overrides).then(
      (preview) => ({ document, preview }),
      (error: unknown) => {
        if (error instanceof TemplateError) return { document, renderError: error.inPart };
        throw error;
      },
    );
  }

  /** A letter laid out for paper: the HTML body without the email frame, the text around the table. */
  async letter(realmId: string, messageId: string): Promise<Letter> {
    return (await this.loadLetter(realmId, messageId)).letter;
  }

  private async loadLetter(realmId: string, messageId: string): Promise<{ letter: Letter; pdf: Buffer | null }> {
    const { document, copy } = await this.load(realmId, messageId, { lettersOnly: true });
    if (copy?.letter) return { letter: { ...document, printed: copy.letter as PrintedLetter }, pdf: copy.pdf };
    return { letter: { ...document, printed: await this.deps.templates.renderLetter(document.template, document.data, document.overrides) }, pdf: null };
  }

  /** A letter to print: laid out, and noted as printed (the first time) for the outbox list. */
  async print(realmId: string, messageId: string): Promise<Letter> {
    const letter = await this.letter(realmId, messageId);
    await this.markPrinted(realmId, letter.messageId);
    return letter;
  }

  /** A letter as a PDF to post (a sent one: the very PDF kept when it went out), noted as printed. */
  async pdf(realmId: string, messageId: string): Promise<{ letter: Letter; pdf: Buffer }> {
    const { letter, pdf: kept } = await this.loadLetter(realmId, messageId);
    const pdf = kept ?? (await letterPdf(letter));
    await this.markPrinted(realmId, letter.messageId);
    return { letter, pdf };
  }

  /** Notes the first time a letter was printed or downloaded, for the outbox list. */
  async markPrinted(realmId: string, messageId: string): Promise<void> {
    await this.deps.outbox.markPrinted(realmId, messageId, this.deps.clock.now());
  }
}
