import { sql, type Kysely } from 'kysely';

/**
 * The files a message went out with (the verification letter's invoice PDFs from QuickBooks),
 * kept with its sent copy, each with its name, content type, bytes and SHA-256; the copy's
 * manifest lists their digests, so the copy's `sha256` covers them (src/mail/sent-copy.ts).
 * A table of their own, not a column of sent_copies: a message has any number of them, each is
 * served alone (its download), and the lists that read copies' digests never load the bytes.
 * Written in the transaction that stores the copy; never updated.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sent_copy_attachments')
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('sent_copies.message_id').onDelete('cascade'))
    // 1, 2, …: the order the message carried them in, and the `attachment.<n>` part of the manifest.
    .addColumn('position', 'integer', (c) => c.notNull().check(sql`position > 0`))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('sent_copy_attachments_pkey', ['message_id', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sent_copy_attachments').ifExists().execute();
}
