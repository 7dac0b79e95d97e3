import type { OutboxRepository, SentMessageRow } from '../db/outbox-repository';
import type { Rendered, TemplateBook } from '../mail/templates';
import type { CustomerFile, CustomerFileService } from './customer-file';
import type { LettersService } from './letters';

/** What the escalation file is made from; src/web/presenters/escalation-file.ts lays it out. */
export interface EscalationRecords {
  file: CustomerFile;
  /** Every message that reached (or may have reached) the customer, by send time. */
  sent: SentMessageRow[];
  /** The verification letters sent, each rendered as the customer received it. */
  verifications: Array<{ message: SentMessageRow; rendered: Rendered }>;
}

export interface EscalationFileDeps {
  customerFiles: Pick<CustomerFileService, 'fileOf'>;
  outbox: Pick<OutboxRepository, 'sentToCustomer'>;
  letters: Pick<LettersService, 'document'>;
  templates: Pick<TemplateBook, 'render'>;
}

/**
 * The small-claims file of an escalation candidate, gathered: the customer file, the messages
 * sent, and the verification letters that confirmed the goods or services were right.
 */
export class EscalationFileService {
  constructor(private readonly deps: EscalationFileDeps) {}

  async recordsOf(realmId: string, customerId: string): Promise<EscalationRecords> {
    const { letters, templates } = this.deps;
    const file = await this.deps.customerFiles.fileOf(realmId, customerId);
    const sent = await this.deps.outbox.sentToCustomer(realmId, customerId);
    const verifications = await Promise.all(
      sent
        .filter((m) => m.kind === 'verification')
        .map(async (message) => {
          const document = await letters.document(realmId, message.id);
          return { message, rendered: await templates.render(document.kind, document.data, document.overrides) };
        }),
    );
    return { file, sent, verifications };
  }
}
