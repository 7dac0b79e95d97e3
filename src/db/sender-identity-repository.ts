import type { Db } from './database';

/** Who writes to a company's customers and how they can pay; every field may be missing. */
export interface SenderIdentity {
  collectorName: string | null;
  collectorTitle: string | null;
  replyTo: string | null;
  directPhone: string | null;
  remitTo: string | null;
  bankTransfer: string | null;
  returnAddress: string | null;
  /** The company's own From address; null: MAIL_FROM's, with the company's name. */
  fromAddress: string | null;
}

export const EMPTY_SENDER_IDENTITY: SenderIdentity = { collectorName: null, collectorTitle: null, replyTo: null, directPhone: null, remitTo: null, bankTransfer: null, returnAddress: null, fromAddress: null };

/** The sender identity of each company (sender_identities). */
export class SenderIdentityRepository {
  constructor(private readonly db: Db) {}

  async of(realmId: string): Promise<SenderIdentity> {
    const row = await this.db.selectFrom('sender_identities').selectAll().where('realm_id', '=', realmId).executeTakeFirst();
    if (!row) return { ...EMPTY_SENDER_IDENTITY };
    return {
      collectorName: row.collector_name,
      collectorTitle: row.collector_title,
      replyTo: row.reply_to,
      directPhone: row.direct_phone,
      remitTo: row.remit_to,
      bankTransfer: row.bank_transfer,
      returnAddress: row.return_address,
      fromAddress: row.from_address,
    };
  }

  async save(realmId: string, identity: SenderIdentity, now: Date): Promise<void> {
    const values = {
      collector_name: identity.collectorName,
      collector_title: identity.collectorTitle,
      reply_to: identity.replyTo,
      direct_phone: identity.directPhone,
      remit_to: identity.remitTo,
      bank_transfer: identity.bankTransfer,
      return_address: identity.returnAddress,
      from_address: identity.fromAddress,
      updated_at: now,
    };
    await this.db
      .insertInto('sender_identities')
      .values({ realm_id: realmId, ...values })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet(values))
      .execute();
  }
}
