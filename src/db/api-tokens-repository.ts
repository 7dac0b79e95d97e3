import { randomUUID } from 'node:crypto';
import type { Db } from './database';
import type { ApiToken, ApiTokenScope } from './schema';

/** What a request authenticated by a company token may do. */
export interface ApiTokenGrant {
  id: string;
  realmId: string;
  scope: ApiTokenScope;
}

/** Listing rows: never the hash. */
export type ApiTokenSummary = Pick<ApiToken, 'id' | 'name' | 'scope' | 'hint' | 'created_at'>;

/** A company's API tokens, kept as SHA-256 hashes; revoked ones are kept for the record. */
export class ApiTokensRepository {
  constructor(private readonly db: Db) {}

  async create(token: { realmId: string; name: string; scope: ApiTokenScope; hash: string; hint: string; createdBy: string | null }): Promise<ApiTokenSummary> {
    return this.db
      .insertInto('api_tokens')
      .values({ id: randomUUID(), realm_id: token.realmId, name: token.name, scope: token.scope, token_hash: token.hash, hint: token.hint, created_by: token.createdBy })
      .returning(['id', 'name', 'scope', 'hint', 'created_at'])
      .executeTakeFirstOrThrow();
  }

  /** The live token with this hash, if any. */
  async findActive(hash: string): Promise<ApiTokenGrant | undefined> {
    const row = await this.db.selectFrom('api_tokens').select(['id', 'realm_id', 'scope']).where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
    return row ? { id: row.id, realmId: row.realm_id, scope: row.scope } : undefined;
  }

  async listActive(realmId: string): Promise<ApiTokenSummary[]> {
    return this.db.selectFrom('api_tokens').select(['id', 'name', 'scope', 'hint', 'created_at']).where('realm_id', '=', realmId).where('revoked_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  }

  /** Revokes one of the company's tokens; false when the company has no such live token. */
  async revoke(realmId: string, id: string, now: Date): Promise<boolean> {
    const result = await this.db.updateTable('api_tokens').set({ revoked_at: now }).where('realm_id', '=', realmId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
