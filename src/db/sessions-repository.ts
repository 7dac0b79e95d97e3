import { sql } from 'kysely';
import type { Db } from './database';

/** Web sessions, kept server-side so any web process can serve any request. */
export class SessionsRepository {
  constructor(private readonly db: Db) {}

  async get(sid: string, now: Date): Promise<Record<string, unknown> | undefined> {
    const row = await this.db
      .selectFrom('web_sessions')
      .select('data')
      .where('sid', '=', sid)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row?.data;
  }

  async set(sid: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
    const json = JSON.stringify(data);
    await this.db
      .insertInto('web_sessions')
      .values({ sid, data: json, expires_at: expiresAt })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: json, expires_at: expiresAt }))
      .execute();
  }

  /** Records a request on an unchanged session: when it was seen (`data.seenAt`, ms) and its new expiry. */
  async touch(sid: string, seenAt: number, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable('web_sessions')
      .set({ expires_at: expiresAt, data: sql<string>`jsonb_set(data, '{seenAt}', to_jsonb(${seenAt}::bigint))` })
      .where('sid', '=', sid)
      .execute();
  }

  async destroy(sid: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('sid', '=', sid).execute();
  }

  /** Deletes expired sessions; returns how many. */
  async prune(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('web_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
