import type { Db } from './database';

export interface PendingState {
  purpose: string;
  realmId: string | null;
}

/** OAuth `state` values: issued for one session, consumed exactly once. */
export class OAuthStatesRepository {
  constructor(private readonly db: Db) {}

  async issue(state: string, sessionId: string, expiresAt: Date, purpose = 'connect', realmId: string | null = null): Promise<void> {
    await this.db.insertInto('oauth_states').values({ state, session_id: sessionId, purpose, realm_id: realmId, expires_at: expiresAt }).execute();
  }

  /** Deletes and returns the state if this session issued it and it has not expired; else undefined. */
  async consume(state: string, sessionId: string, now: Date): Promise<PendingState | undefined> {
    const row = await this.db
      .deleteFrom('oauth_states')
      .where('state', '=', state)
      .where('session_id', '=', sessionId)
      .where('expires_at', '>', now)
      .returning(['purpose', 'realm_id'])
      .executeTakeFirst();
    return row ? { purpose: row.purpose, realmId: row.realm_id } : undefined;
  }

  async prune(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('oauth_states').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
