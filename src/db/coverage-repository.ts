import { sql } from 'kysely';
import type { CoverFacts } from '../collections/coverage';
import { toCents } from '../collections/money';
import type { Db } from './database';

/** What may cover some invoices, with the customer each belongs to (the rule needs it for customer-wide pauses). */
export interface InvoiceCoverFacts extends CoverFacts {
  invoices: Array<{ id: string; customerId: string }>;
}

/**
 * The facts the coverage rule (src/collections/coverage.ts) is decided from, for a few invoices
 * of one account: read right before a message goes out, so what a collector recorded since the
 * morning's run counts. The rule, not this SQL, decides what is in force on the day.
 */
export class CoverageRepository {
  constructor(private readonly db: Db) {}

  /**
   * The invoices' customers; the open promises (plans' installments included) and open disputes
   * naming any of them; the pauses of any of them, of their customers or of the account `payerId`;
   * which of those customers are marked do not contact.
   */
  async factsFor(realmId: string, payerId: string, invoiceIds: readonly string[]): Promise<InvoiceCoverFacts> {
    if (invoiceIds.length === 0) return { invoices: [], promises: [], disputes: [], pauses: [], doNotContact: [] };
    const names = sql<boolean>`invoice_ids ?| array(select jsonb_array_elements_text(${JSON.stringify(invoiceIds)}::jsonb))`;
    const invoices = await this.db.selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', realmId).where('id', 'in', invoiceIds).execute();
    const customerIds = [...new Set([payerId, ...invoices.map((i) => i.customer_id)])];
    const [promises, disputes, pauses, doNotContact] = await Promise.all([
      this.db.selectFrom('promises').select(['id', 'customer_id', 'invoice_ids', 'amount', 'due_on', 'made_on', 'status', 'plan_id']).where('realm_id', '=', realmId).where('status', '=', 'open').where(names).execute(),
      this.db.selectFrom('disputes').select(['id', 'customer_id', 'invoice_ids', 'status']).where('realm_id', '=', realmId).where('status', '=', 'open').where(names).execute(),
      this.db
        .selectFrom('pauses')
        .select(['customer_id', 'invoice_id', 'until'])
        .where('realm_id', '=', realmId)
        .where((eb) => eb.or([eb('invoice_id', 'in', invoiceIds), eb('customer_id', 'in', customerIds)]))
        .execute(),
      this.stoppedAmong(realmId, customerIds),
    ]);
    return {
      invoices: invoices.map((i) => ({ id: i.id, customerId: i.customer_id })),
      promises: promises.map((p) => ({ id: p.id, customerId: p.customer_id, invoiceIds: p.invoice_ids, amount: toCents(p.amount), dueOn: p.due_on, madeOn: p.made_on, status: p.status, planId: p.plan_id })),
      disputes: disputes.map((d) => ({ id: d.id, customerId: d.customer_id, invoiceIds: d.invoice_ids, status: d.status })),
      pauses: pauses.map((p) => ({ customerId: p.customer_id, invoiceId: p.invoice_id, until: p.until })),
      doNotContact,
    };
  }

  /**
   * What the rule's `contactStopped` is decided from for one customer right before a send: the
   * account that pays for it (the account directory; itself when the directory has none) and
   * which of the two is marked do not contact.
   */
  async contactFacts(realmId: string, customerId: string): Promise<{ payerId: string; doNotContact: string[] }> {
    const account = await this.db.selectFrom('customer_accounts').select('payer_id').where('realm_id', '=', realmId).where('customer_id', '=', customerId).executeTakeFirst();
    const payerId = account?.payer_id ?? customerId;
    return { payerId, doNotContact: await this.stoppedAmong(realmId, [customerId, payerId]) };
  }

  private async stoppedAmong(realmId: string, customerIds: readonly string[]): Promise<string[]> {
    if (customerIds.length === 0) return [];
    const rows = await this.db.selectFrom('do_not_contact').select('customer_id').where('realm_id', '=', realmId).where('customer_id', 'in', customerIds).execute();
    return rows.map((r) => r.customer_id);
  }
}
