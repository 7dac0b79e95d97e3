import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { toCents, type Cents } from '../collections/money';
import { recordset } from './bulk';
import type { Db } from './database';
import type { ActivitiesTable, NoteStatus } from './schema';

/** One line of the activity log as its pages show it. */
export type ActivityLogRow = Pick<Selectable<ActivitiesTable>, 'id' | 'customer_id' | 'kind' | 'summary' | 'occurred_on' | 'invoice_ids' | 'note_status' | 'note_id' | 'note_error' | 'note_written_at'> & { display_name: string | null };

/** One activity as its note is built: with its invoices and customer as the local copy has them. */
export interface PendingNote {
  id: string;
  customerId: string;
  customerName: string;
  kind: string;
  summary: string;
  occurredOn: string;
  details: Record<string, unknown>;
  invoices: Array<{ id: string; number: string; balance: Cents; currency: string }>;
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

  /** Connected companies with notes waiting, for the dispatcher (the others' notes wait for a reconnect). */
  async realmsWithPending(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('companies as c')
      .select('c.realm_id')
      .where('c.status', '=', 'connected')
      .where((eb) => eb.exists(eb.selectFrom('activities as a').select('a.id').whereRef('a.realm_id', '=', 'c.realm_id').where('a.note_status', '=', 'pending')))
      .execute();
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
    const key = `notes-${randomUUID()}`;
    const claimed = await sql<{ id: string }>`
      update activities set note_batch = ${key}
      where id in (select id from activities where realm_id = ${realmId} and note_status = 'pending' and note_batch is null
                   order by created_at, id limit ${size} for update skip locked)
      returning id`.execute(this.db);
    if (claimed.rows.length === 0) return undefined;
    return { key, notes: await this.load(realmId, claimed.rows.map((r) => r.id)) };
  }

  /** Records what QuickBooks answered for each note of a batch, in one statement. */
  async record(realmId: string, results: NoteResult[], now: Date): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map((r) => ({ id: r.id, outcome: r.outcome, note_id: r.outcome === 'written' ? r.noteId : null, error: r.outcome === 'written' ? null : r.error.slice(0, 500) }));
    // written: the note's id; failed: the reason, for good; retry: back in the queue under no key
    // (the next batch, a new request, takes it), until MAX_ATTEMPTS make it a failure.
    await sql`
      update activities a set
        note_status = case r.outcome when 'written' then 'written' when 'failed' then 'failed'
                      else case when a.note_attempts + 1 >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end end,
        note_id = coalesce(r.note_id, a.note_id),
        note_written_at = case when r.outcome = 'written' then ${now}::timestamptz else a.note_written_at end,
        note_error = r.error,
        note_batch = case when r.outcome = 'written' then a.note_batch else null end,
        note_attempts = a.note_attempts + case when r.outcome = 'retry' then 1 else 0 end
      from ${recordset(rows, 'r', { id: 'uuid', outcome: 'text', note_id: 'text', error: 'text' })}
      where a.id = r.id and a.realm_id = ${realmId} and a.note_status = 'pending'`.execute(this.db);
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
    const byId = new Map(invoices.map((i) => [i.id, { id: i.id, number: i.doc_number ?? i.id, balance: toCents(i.balance), currency: i.currency ?? 'USD' }]));
    return rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      customerName: r.display_name ?? `customer ${r.customer_id}`,
      kind: r.kind,
      summary: r.summary,
      occurredOn: r.occurred_on,
      details: r.details,
      invoices: r.invoice_ids.map((id) => byId.get(id)).filter((i): i is NonNullable<typeof i> => Boolean(i)),
      attempts: r.note_attempts,
    }));
  }

  /** One page of a company's activity log, newest first, with where each note stands. */
  activityPage(realmId: string, page: { customerId?: string; note?: NoteStatus; limit: number; offset: number }): Promise<ActivityLogRow[]> {
    let select = this.db
      .selectFrom('activities as a')
      .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'a.realm_id').onRef('c.id', '=', 'a.customer_id'))
      .select(['a.id', 'a.customer_id', 'c.display_name', 'a.kind', 'a.summary', 'a.occurred_on', 'a.invoice_ids', 'a.note_status', 'a.note_id', 'a.note_error', 'a.note_written_at'])
      .where('a.realm_id', '=', realmId);
    if (page.customerId) select = select.where('a.customer_id', '=', page.customerId);
    if (page.note) select = select.where('a.note_status', '=', page.note);
    return select.orderBy('a.created_at', 'desc').orderBy('a.id').limit(page.limit).offset(page.offset).execute();
  }
}
