import type { CustomerAnswerRow, CustomerPagesRepository } from '../db/customer-pages-repository';
import type { OutboxRepository, SentMessageRow } from '../db/outbox-repository';
import type { SentCopiesRepository, SentCopyDigest } from '../db/sent-copies-repository';
import type { Rendered } from '../mail/templates';
import type { CustomerFile, CustomerFileService } from './customer-file';
import type { LettersService } from './letters';

/** What the escalation file is made from; src/web/presenters/escalation-file.ts lays it out. */
export interface EscalationRecords {
  file: CustomerFile;
  /** Every message that reached (or may have reached) the customer, by send time. */
  sent: SentMessageRow[];
  /**
   * The verification letters sent, each as the customer received it: its kept copy and that
   * copy's SHA-256 (null, and `reRendered`, only for one sent before copies were kept).
   */
  verifications: Array<{ message: SentMessageRow; rendered: Rendered; sha256: string | null; reRendered: boolean }>;
  /** The kept copies' digests, by message id (a message sent before copies were kept has none). */
  copies: Map<string, SentCopyDigest>;
  /** What the customer answered to verification letters on its own page, oldest first. */
  answers?: CustomerAnswerRow[];
}

export interface EscalationFileDeps {
  customerFiles: Pick<CustomerFileService, 'fileOf'>;
  outbox: Pick<OutboxRepository, 'sentToCustomer'>;
  sentCopies: Pick<SentCopiesRepository, 'digestsOf'>;
  letters: Pick<LettersService, 'copyOf'>;
  answers: Pick<CustomerPagesRepository, 'answers'>;
}

/**
 * The small-claims file of an escalation candidate, gathered: the customer file, the messages
 * sent with the SHA-256 of each one's kept copy, and the verification letters that confirmed the
 * goods or services were right, as sent (never rendered again).
 */
export class EscalationFileService {
  constructor(private readonly deps: EscalationFileDeps) {}

  async recordsOf(realmId: string, customerId: string): Promise<EscalationRecords> {
    const { letters } = this.deps;
    const file = await this.deps.customerFiles.fileOf(realmId, customerId);
    const sent = await this.deps.outbox.sentToCustomer(realmId, customerId);
    const copies = await this.deps.sentCopies.digestsOf(realmId, sent.map((m) => m.id));
    const verifications = await Promise.all(
      sent
        .filter((m) => m.kind === 'verification')
        .map(async (message) => {
          const copy = await letters.copyOf(realmId, message.id);
          return { message, rendered: { subject: copy.subject, html: copy.html, text: copy.text }, sha256: copy.document.asSent?.sha256 ?? null, reRendered: copy.document.reRendered };
        }),
    );
    return { file, sent, verifications, copies, answers: await this.deps.answers.answers(realmId, customerId) };
  }
}
