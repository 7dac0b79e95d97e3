import { randomUUID } from 'node:crypto';
import type { Db } from './database';
import type { User } from './schema';

/** People who sign in (by connecting a QuickBooks company or with Intuit), identified by their Intuit user id. */
export class UsersRepository {
  constructor(private readonly db: Db) {}

  async find(id: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The user with this Intuit subject, if they were ever seen; never creates one. */
  async findByIntuitSub(sub: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('intuit_sub', '=', sub).executeTakeFirst();
  }

  /** The user with this Intuit subject, created on first sight; name and email follow Intuit. */
  async upsertByIntuitSub(sub: string, profile: { email?: string | null; name?: string | null }): Promise<User> {
    return this.db
      .insertInto('users')
      .values({ id: randomUUID(), intuit_sub: sub, email: profile.email ?? null, name: profile.name ?? null })
      .onConflict((oc) => oc.column('intuit_sub').doUpdateSet({ email: profile.email ?? null, name: profile.name ?? null }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
