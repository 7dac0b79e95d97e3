import { sql, type Kysely } from 'kysely';

/**
 * Activities that write no note of their own (a queued message: its send writes one) are now
 * marked so when recorded; this marks the ones recorded before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update activities set note_status = 'skipped', note_error = 'not a note of its own: the send it leads to writes one'
            where note_status = 'pending' and kind = 'message_queued'`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: the rows were never going to become notes.
}
