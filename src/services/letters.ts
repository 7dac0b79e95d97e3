import { localMoment } from '../collections/calendar';
import { LETTERS, MESSAGE_NAMES } from '../collections/message-kinds';
import type { MessageKind } from '../collections/model';
import type { Clock } from '../clock';
import type { CoverageRepository } from '../db/coverage-repository';
import type { Db } from '../db/database';
import type { MergeDataRepository } from '../db/merge-data-repository';
import type { OutboxRepository } from '../db/outbox-repository';
import { NotFoundError } from '../errors';
import { letterPdf } from '../mail/letter-pdf';
import { mergeDataFor } from '../mail/merge-data';
import { TemplateError, type MergeData, type PrintedLetter, type Rendered, type TemplateBook, type TemplateName, type TemplatePart } from '../mail/templates';
import type { CompanySettingsService } from './company-settings';
import { SendListing } from './send-message';

/**
 * An outbox message as a document: its merge data and the company's overrides, ready to render
 * on screen, or (verification letter, demand letter, final notice) laid out for paper. It lists
 * what its email listed when it was sent; otherwise what the send would list now (SendListing:
 * nothing a pause, dispute, promise or plan covers, nothing paid), the local copy of QuickBooks
 * answering for the balances.
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
  mergeData: Pick<MergeDataRepository, 'openInvoiceIds'>;
  /** The facts the coverage rule is decided from, as the send reads them. */
  coverage: Pick<CoverageRepository, 'factsFor'>;
  settings: Pick<CompanySettingsService, 'settingsOf'>;
  templates: Pick<TemplateBook, 'render' | 'renderLetter'>;
  clock: Clock;
}

/** The outbox's messages as documents: on screen, printed, and as a PDF to post. */
export class LettersService {
  private readonly listing: SendListing;

  constructor(private readonly deps: LettersDeps) {
    this.listing = new SendListing(deps);
  }

  async document(realmId: string, messageId: string, options: { lettersOnly?: boolean } = {}): Promise<OutboxDocument> {
    const { outbox } = this.deps;
    const message = await outbox.documentOf(realmId, messageId);
    if (!message || (options.lettersOnly && !LETTERS.has(message.kind))) throw new NotFoundError(options.lettersOnly ? 'No such letter' : 'No such message');

    let listed = message.listed_invoice_ids;
    if (!listed) {
      const settings = await this.deps.settings.settingsOf(realmId);
      const today = localMoment(this.deps.clock.businessNow(), settings.timezone).date;
      const open = async (ids: string[]) => new Set(await this.deps.mergeData.openInvoiceIds(realmId, ids));
      listed = (await this.listing.of(message, today, settings, open)).listed;
    }
    // No fresh answers from QuickBooks here: the merge data takes balances from the local copy.
    const [data, overrides] = await Promise.all([mergeDataFor(this.deps.db, message, new Map(), this.deps.clock.businessNow(), listed), outbox.overridesOf(realmId, message.kind)]);
    const kind = message.kind as OutboxDocument['kind'];
    return { messageId: message.id, kind, title: MESSAGE_NAMES[kind], status: message.status, toAddress: message.to_address, data, overrides };
  }

  /** A message rendered for its page; a template that cannot render is shown as such, with the facts around it. */
  async shown(realmId: string, messageId: string): Promise<ShownMessage> {
    const document = await this.document(realmId, messageId);
    return this.deps.templates.render(document.kind, document.data, document.overrides).then(
      (preview) => ({ document, preview }),
      (error: unknown) => {
        if (error instanceof TemplateError) return { document, renderError: error.inPart };
        throw error;
      },
    );
  }

  /** A letter laid out for paper: the HTML body without the email frame, the text around the table. */
  async letter(realmId: string, messageId: string): Promise<Letter> {
    const document = await this.document(realmId, messageId, { lettersOnly: true });
    return { ...document, printed: await this.deps.templates.renderLetter(document.kind, document.data, document.overrides) };
  }

  /** A letter to print: laid out, and noted as printed (the first time) for the outbox list. */
  async print(realmId: string, messageId: string): Promise<Letter> {
    const letter = await this.letter(realmId, messageId);
    await this.markPrinted(realmId, letter.messageId);
    return letter;
  }

  /** A letter as a PDF to post, noted as printed once the PDF is made. */
  async pdf(realmId: string, messageId: string): Promise<{ letter: Letter; pdf: Buffer }> {
    const letter = await this.letter(realmId, messageId);
    const pdf = await letterPdf(letter);
    await this.markPrinted(realmId, letter.messageId);
    return { letter, pdf };
  }

  /** Notes the first time a letter was printed or downloaded, for the outbox list. */
  async markPrinted(realmId: string, messageId: string): Promise<void> {
    await this.deps.outbox.markPrinted(realmId, messageId, this.deps.clock.now());
  }
}
