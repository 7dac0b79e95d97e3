import { sql } from 'kysely';
import type { Db } from './database';
import type { CompanyStatus, CompanyTokens } from './schema';

export interface TokenRow {
  access_token: string;
  refresh_token: string;
  token_created_at: Date;
  expires_in: number;
  x_refresh_token_expires_in: number;
  access_expires_at: Date;
  refresh_expires_at: Date;
  hard_expires_at: Date | null;
}

/** Rows of encrypted tokens; this layer never sees plaintext (see quickbooks/token-vault.ts). */
export class TokensRepository {
  constructor(private readonly db: Db) {}

  async find(realmId: string): Promise<CompanyTokens | undefined> {
    return this.db.selectFrom('company_tokens').selectAll().where('realm_id', '=', realmId).executeTakeFirst();
  }

  /**
   * The company's connection status and its tokens, in one statement (every QuickBooks call asks):
   * undefined when there is no such company, `tokens` undefined when none are stored.
   */
  async findWithStatus(realmId: string): Promise<{ status: CompanyStatus; tokens: CompanyTokens | undefined } | undefined> {
    const row = await this.db
      .selectFrom('companies as c')
      .leftJoin('company_tokens as t', 't.realm_id', 'c.realm_id')
      .selectAll('t')
      .select(['c.status as company_status', 't.realm_id as token_realm_id'])
      .where('c.realm_id', '=', realmId)
      .executeTakeFirst();
    if (!row) return undefined;
    const { company_status, token_realm_id, ...tokens } = row;
    return { status: company_status, tokens: token_realm_id === null ? undefined : (tokens as CompanyTokens) };
  }

  /** After a new authorisation: replaces whatever was stored. */
  async put(realmId: string, row: TokenRow): Promise<void> {
    await this.db
      .insertInto('company_tokens')
      .values({ realm_id: realmId, ...row })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ ...row, version: sql`company_tokens.version + 1`, updated_at: sql`now()` }))
      .execute();
  }

  /** After a refresh: writes only if nobody else has written since `version` was read. */
  async replace(realmId: string, row: TokenRow, version: number): Promise<boolean> {
    const result = await this.db
      .updateTable('company_tokens')
      .set({ ...row, version: version + 1, updated_at: sql`now()` })
      .where('realm_id', '=', realmId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(realmId: string): Promise<void> {
    await this.db.deleteFrom('company_tokens').where('realm_id', '=', realmId).execute();
  }
}
