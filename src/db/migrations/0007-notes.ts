import { sql, type Kysely } from 'kysely';

/**
 * The write-back of every activity as a QuickBooks note: where each note stands, the batch it
 * was sent in (its `requestid`, so a replay after a crash returns the first answer), and the id
 * QuickBooks gave it. Also when a letter was first printed or downloaded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('activities')
    .addColumn('note_status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`note_status in ('pending', 'written', 'failed', 'skipped')`))
    .addColumn('note_batch', 'text')
    .addColumn('note_id', 'text')
    .addColumn('note_error', 'text')
    .addColumn('note_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('note_written_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('activities_note_pending').on('activities').columns(['realm_id', 'created_at']).where(sql.ref('note_status'), '=', 'pending').execute();
  await db.schema.alterTable('messages').addColumn('printed_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('printed_at').execute();
  await db.schema.dropIndex('activities_note_pending').ifExists().execute();
  for (const column of ['note_written_at', 'note_attempts', 'note_error', 'note_id', 'note_batch', 'note_status']) {
    await db.schema.alterTable('activities').dropColumn(column).execute();
  }
}
