import type { CustomerFileRepository } from '../db/customer-file-repository';
import { NotFoundError } from '../errors';

export interface InvoiceFileDeps {
  files: Pick<CustomerFileRepository, 'invoice' | 'customerName' | 'invoiceState' | 'invoiceActivities' | 'invoiceMessages'>;
}

/** One invoice as its page shows it: the invoice (money in cents), its customer, level, messages and timeline. */
export class InvoiceFileService {
  constructor(private readonly deps: InvoiceFileDeps) {}

  async fileOf(realmId: string, invoiceId: string) {
    const { files } = this.deps;
    const invoice = await files.invoice(realmId, invoiceId);
    if (!invoice) throw new NotFoundError('No such invoice');
    const [customer, state, activities, messages] = await Promise.all([
      files.customerName(realmId, invoice.customer_id),
      files.invoiceState(realmId, invoiceId),
      files.invoiceActivities(realmId, invoiceId),
      files.invoiceMessages(realmId, invoiceId),
    ]);
    return { invoice: { ...invoice, number: invoice.doc_number ?? invoice.id }, customer, state, activities, messages };
  }
}

export type InvoiceFile = Awaited<ReturnType<InvoiceFileService['fileOf']>>;
