import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { NOT_A_NOTE } from '../collections/notes';
import type { Db } from './database';

/** One activity as its note is built: with its invoices and customer as the local copy has them. */
export interface PendingNote {
  id: string;
  customerId: string;
  customerName: string;
  kind: string;
  summary: string;
  occurredOn: string;
  details: Record<string, unknown>;
  invoices: Array<{ id: string; number: string; balance: number; currency: string }>;
  attempts: number;
}

export interface NoteBatch {
  key: string;
  notes: PendingNote[];
}

export type NoteResult = { id: string; outcome: 'written'; noteId: string } | { id: string; outcome: 'failed' | 'retry'; error: string };

/** Attempts after which a note that keeps failing for passing reasons is given up (and shown). */
const MAX_ATTEMPTS = 8;

/**
 * Where each activity's QuickBooks note stands. A batch is claimed by giving its activities one
 * key in a committed step before the request goes out; the key is the request's `requestid`. A
 * worker that dies after the request and before recording leaves the key behind, and the next
 * run sends the same batch with the same key, so QuickBooks answers with the notes it already made.
 */
export class NotesRepository {
  constructor(private readonly db: Db) {}

  /** Companies with notes waiting, for the dispatcher. */
  async realmsWithPending(): Promise<string[]> {
    const rows = await this.db.selectFrom('activities').select('realm_id').distinct().where('note_status', '=', 'pending').execute();
    return rows.map((r) => r.realm_id);
  }

  /** Marks every pending note of a company skipped, with the reason (write-back off). */
  async skipPending(realmId: string, reason: string): Promise<number> {
    const result = await this.db.updateTable('activities').set({ note_status: 'skipped', note_error: reason }).where('realm_id', '=', realmId).where('note_status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** A batch claimed before and never recorded (its worker died), to send again under its key. */
  async unfinishedBatch(realmId: string): Promise<NoteBatch | undefined> {
    const row = await this.db.selectFrom('activities').select('note_batch').where('realm_id', '=', realmId).where('note_status', '=', 'pending').where('note_batch', 'is not', null).orderBy('created_at').limit(1).executeTakeFirst();
    if (!row?.note_batch) return undefined;
    const ids = await this.db.selectFrom('activities').select('id').where('realm_id', '=', realmId).where('note_batch', '=', row.note_batch).where('note_status', '=', 'pending').execute();
    return { key: row.note_batch, notes: await this.load(realmId, ids.map((r) => r.id)) };
  }

  /** Claims up to `size` pending notes, oldest first, under a new key. */
  async claimBatch(realmId: string, size: number): Promise<NoteBatch | undefined> {
    await this.db
      .updateTable('activities')
      .set({ note_status: 'skipped', note_error: 'not a note of its own: the send it leads to writes one' })
      .where('realm_id', '=', realmId)
      .where('note_status', '=', 'pending')
      .where('kind', 'in', [...NOT_A_NOTE])
      .execute();
    const key = `notes-${randomUUID()}`;
    const claimed = await sql<{ id: string }>`
      update activities set note_batch = ${key}
      where id in (select id from activities where realm_id = ${realmId} and note_status = 'pending' and note_batch is null
                   order by created_at, id limit ${size} for update skip locked)
      returning id`.execute(this.db);
    if (claimed.rows.length === 0) return undefined;
    return { key, notes: await this.load(realmId, claimed.rows.map((r) => r.id)) };
  }

  /** Records what QuickBooks answered for each note of a batch, in one transaction. */
  async record(realmId: string, results: NoteResult[], now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const result of results) {
        const row = trx.updateTable('activities').where('realm_id', '=', realmId).where('id', '=', result.id).where('note_status', '=', 'pending');
        if (result.outcome === 'written') {
          await row.set({ note_status: 'written', note_id: result.noteId, note_written_at: now, note_error: null }).execute();
        } else if (result.outcome === 'failed') {
          await row.set({ note_status: 'failed', note_error: result.error.slice(0, 500), note_batch: null }).execute();
        } else {
          // Back in the queue under no key: the next batch (a new request) takes it again.
          await row
            .set((eb) => ({
              note_attempts: eb('note_attempts', '+', 1),
              note_error: result.error.slice(0, 500),
              note_batch: null,
              note_status: sql<'pending' | 'failed'>`case when note_attempts + 1 >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end`,
            }))
            .execute();
        }
      }
    });
  }

  /** How many notes of a company stand where, for the pages. */
  async counts(realmId: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('activities').select(['note_status', (eb) => eb.fn.countAll<string>().as('n')]).where('realm_id', '=', realmId).groupBy('note_status').execute();
    return Object.fromEntries(rows.map((r) => [r.note_status, Number(r.n)]));
  }

  private async load(realmId: string, ids: string[]): Promise<PendingNote[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('activities as a')
      .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'a.realm_id').onRef('c.id', '=', 'a.customer_id'))
      .select(['a.id', 'a.customer_id', 'a.kind', 'a.summary', 'a.occurred_on', 'a.details', 'a.invoice_ids', 'a.note_attempts', 'c.display_name'])
      .where('a.realm_id', '=', realmId)
      .where('a.id', 'in', ids)
      .orderBy('a.created_at')
      .orderBy('a.id')
      .execute();
    const invoiceIds = [...new Set(rows.flatMap((r) => r.invoice_ids))];
    const invoices = invoiceIds.length
      ? await this.db.selectFrom('qbo_invoices').select(['id', 'doc_number', 'balance', 'currency']).where('realm_id', '=', realmId).where('id', 'in', invoiceIds).execute()
      : [];
    const byId = new Map(invoices.map((i) => [i.id, { id: i.id, number: i.doc_number ?? i.id, balance: Number(i.balance), currency: i.currency ?? 'USD' }]));
    return rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      customerName: r.display_name ?? `customer ${r.customer_id}`,
      kind: r.kind,
      summary: r.summary,
      occurredOn: typeof r.occurred_on === 'string' ? r.occurred_on : new Date(r.occurred_on as unknown as Date).toISOString().slice(0, 10),
      details: r.details,
      invoices: r.invoice_ids.map((id) => byId.get(id)).filter((i): i is NonNullable<typeof i> => Boolean(i)),
      attempts: r.note_attempts,
    }));
  }
}
