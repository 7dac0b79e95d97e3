import { sql, type Kysely } from 'kysely';

/**
 * OAuth `state` values, bound to the browser session that started the flow. Consumed with one
 * DELETE ... RETURNING, so two hits of the same callback can never both exchange the code.
 * Tokens also keep the refresh token's hard expiry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('connect'))
    .addColumn('realm_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_states_expires_at').on('oauth_states').column('expires_at').execute();
  await db.schema.alterTable('company_tokens').addColumn('hard_expires_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('company_tokens').dropColumn('hard_expires_at').execute();
  await db.schema.dropTable('oauth_states').execute();
}
