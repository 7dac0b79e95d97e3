import { randomBytes } from 'node:crypto';
import { noteText } from '../collections/notes';
import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { NoteBatch, NoteResult, NotesRepository, PendingNote } from '../db/notes-repository';
import type { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import type { QuickBooksClient } from '../quickbooks/client';
import { ReconnectRequiredError } from '../quickbooks/errors';
import type { CompanySettingsService } from './company-settings';
import type { Locks } from './locks';

/** QuickBooks takes at most 30 operations in one batch request. */
export const NOTES_PER_BATCH = 30;
/** Batches one run writes before handing over to the next run (a fresh job). */
const BATCHES_PER_RUN = 60;
/** The run's lock lives this long, renewed every third of it while the run works. */
const LOCK_TTL_MS = 6_000;
/** Requests nobody ran (their run died, then every retry failed) are dropped after a day; the notes pass has them anyway. */
const REQUESTS_TTL_MS = 24 * 3600_000;

export interface NotesRun {
  batches: number;
  written: number;
  failed: number;
  retried: number;
  skipped: number;
  /** Batches sent again under their old key after a worker died before recording them. */
  resent: number;
  /** The run stopped with notes left: its batches were used up, or QuickBooks could not take some just now. */
  more: boolean;
  /** Another run was writing the company's notes: this one left at once, and that run (or the one it queues) writes them. */
  busy: boolean;
}

/** The Attachable for one activity: its note, on each invoice it concerns, else on the customer. */
export function attachableOf(note: PendingNote): Record<string, unknown> {
  const refs = note.invoices.length ? note.invoices.map((i) => ({ EntityRef: { type: 'Invoice', value: i.id } })) : [{ EntityRef: { type: 'Customer', value: note.customerId } }];
  return { Note: noteText(note, note.customerName, note.invoices), AttachableRef: refs };
}

interface BatchFault {
  code?: string;
  Message?: string;
  Detail?: string;
}

/** Sorts one item's answer: written, failed for good (say why), or worth another try. */
function resultOf(id: string, answer: Record<string, unknown> | undefined): NoteResult {
  if (!answer) return { id, outcome: 'retry', error: 'QuickBooks did not answer for this note' };
  const attachable = answer.Attachable as { Id?: string } | undefined;
  if (attachable?.Id) return { id, outcome: 'written', noteId: String(attachable.Id) };
  const error = ((answer.Fault as { Error?: BatchFault[] } | undefined)?.Error ?? [])[0] ?? {};
  const code = String(error.code ?? '');
  const text = `${code} ${error.Message ?? ''}${error.Detail ? `: ${error.Detail}` : ''}`.trim();
  if (code === '610') return { id, outcome: 'failed', error: `an invoice or customer it concerns was deleted in QuickBooks (610); not written: ${text}` };
  if (code === '3001' || code === '10000' || code.startsWith('5')) return { id, outcome: 'retry', error: text };
  return { id, outcome: 'failed', error: text || 'QuickBooks refused the note' };
}

export interface NotesDeps {
  companies: Pick<CompaniesRepository, 'find'>;
  settings: CompanySettingsService;
  notes: Pick<NotesRepository, 'realmsWithPending' | 'skipPending' | 'unfinishedBatch' | 'claimBatch' | 'record'>;
  client: Pick<QuickBooksClient, 'batch'>;
  locks: Locks;
  queues: Pick<JobQueues, 'enqueue'>;
  clock: Clock;
  /** The notes module's logger. */
  logger: Logger;
}

/** Every activity's note, written to QuickBooks (the Attachable on its invoices or customer). */
export class NotesService {
  constructor(private readonly deps: NotesDeps) {}

  /**
   * Writes a company's pending notes to QuickBooks, 30 to a batch request. One run at a time per
   * company (a Redis lock, renewed while it works), and nobody waits for it: a run asked for (the
   * job `jobId`, or a direct call) while another writes leaves its request and ends at once. The
   * running one writes every note pending until none is left, so notes recorded meanwhile go with
   * it; a request left after its last batch is seen as it lets go, and it queues one run more
   * (see `queue`), unless QuickBooks could not take some notes just now: then the notes pass,
   * within half a minute, writes them with the rest. A batch left behind by a worker that died
   * after sending it is sent first, under the same `requestid`, so QuickBooks replays its answer
   * instead of making the notes twice. Transient faults of the whole request are retried by the
   * client (backoff, throttling, the batch rate limit); faults of single notes are sorted per note.
   */
  async writePending(realmId: string, options: { maxBatches?: number; jobId?: string } = {}): Promise<NotesRun> {
    const { notes } = this.deps;
    const run: NotesRun = { batches: 0, written: 0, failed: 0, retried: 0, skipped: 0, resent: 0, more: false, busy: false };
    const company = await this.deps.companies.find(realmId);
    if (!company || company.status !== 'connected') return run;
    const settings = await this.deps.settings.settingsOf(realmId, company.timezone);
    if (!settings.writeNotesToQuickBooks) {
      run.skipped = await notes.skipPending(realmId, 'write-back to QuickBooks is turned off for this company');
      return run;
    }
    const maxBatches = options.maxBatches ?? BATCHES_PER_RUN;
    const log = this.deps.logger.child({ realmId });
    const lock = { owner: options.jobId ?? `direct-${randomBytes(6).toString('hex')}`, request: 'write', ttlMs: LOCK_TTL_MS, requestsTtlMs: REQUESTS_TTL_MS };
    const followUp = async () => {
      // Notes QuickBooks could not take just now wait for the notes pass, with those asked for meanwhile, rather than being sent again at once.
      if (run.retried === 0) await this.queue(realmId);
    };

    const taken = await this.deps.locks.runOrLeave(`notes:${realmId}`, lock, async () => {
      while (run.batches < maxBatches) {
        const unfinished = await notes.unfinishedBatch(realmId);
        const batch: NoteBatch | undefined = unfinished ?? (await notes.claimBatch(realmId, NOTES_PER_BATCH));
        if (!batch) return;
        if (unfinished) run.resent++;
        const items = batch.notes.map((note) => ({ bId: note.id, operation: 'create', Attachable: attachableOf(note) }));
        let answers: Array<Record<string, unknown>>;
        try {
          answers = await this.deps.client.batch(realmId, items, batch.key);
        } catch (error) {
          if (error instanceof ReconnectRequiredError) {
            log.warn('notes wait: the company must reconnect');
            return;
          }
          // The batch keeps its key; the job's retry sends it again under the same requestid.
          throw error;
        }
        const byId = new Map(answers.map((answer) => [String(answer.bId), answer]));
        const results = batch.notes.map((note) => resultOf(note.id, byId.get(note.id)));
        await notes.record(realmId, results, this.deps.clock.now());
        run.batches++;
        for (const result of results) {
          if (result.outcome === 'written') run.written++;
          else if (result.outcome === 'failed') run.failed++;
          else run.retried++;
        }
        if (results.some((r) => r.outcome === 'failed')) log.warn({ failed: results.filter((r) => r.outcome === 'failed') }, 'notes QuickBooks refused');
        // Notes QuickBooks could not take just now wait for the next pass rather than being hammered.
        if (run.retried > 0) break;
      }
      run.more = true;
    }, followUp);
    if (!taken.ran) run.busy = true;
    return run;
  }

  /** The `notes.realm` job `jobId`: one run, and the rest follow at once (retries wait for the next pass). */
  async writeForJob(realmId: string, jobId?: string): Promise<NotesRun> {
    const run = await this.writePending(realmId, { jobId });
    if (run.more && run.retried === 0) await this.queue(realmId);
    return run;
  }

  /**
   * Queues a notes run for a company, deduplicated: while one is waiting, nothing is added (it
   * writes every note pending when it runs); while one is running, one more run is kept to follow
   * it (BullMQ's `keepLastIfActive`), however many are asked for, so a note recorded after the
   * running one's last batch is not left for the notes pass. A company has at most one notes job
   * running and one waiting.
   */
  async queue(realmId: string): Promise<void> {
    await this.deps.queues.enqueue('notes.realm', { realmId }, { deduplication: { id: `notes:${realmId}`, keepLastIfActive: true } });
  }

  /**
   * Queues a notes run now for something a person just did. The notes pass every 30 seconds finds
   * them anyway, so a queue that cannot be reached is logged, not an error for the person.
   */
  async queueSoon(realmId: string, log: Logger): Promise<void> {
    await this.queue(realmId).catch((error) => log.warn({ err: error, realmId }, 'could not queue notes now; the next notes pass writes them'));
  }

  /** The `notes.dispatch` pass: a run queued for every company with notes waiting. */
  async queueAllPending(): Promise<{ realms: number }> {
    const realms = await this.deps.notes.realmsWithPending();
    for (const realmId of realms) await this.queue(realmId);
    return { realms: realms.length };
  }
}
