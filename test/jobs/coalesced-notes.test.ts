import type { Job } from 'bullmq';
import type { NotesRepository } from '../../src/db/notes-repository';
import { QUEUES } from '../../src/jobs/names';
import { unscheduleCompany } from '../../src/jobs/schedules';
import { redisLocks } from '../../src/services/locks';
import { NotesService, type NotesRun } from '../../src/services/notes';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSteppedWorker, type SteppedWorker } from '../support/stepped-worker';
import { until } from '../support/until';

const REALM = '9341452000000433';
const NOW = '2026-11-20T15:00:00Z';

/**
 * Notes jobs for a company whose notes are being written, on the real worker, Redis and
 * PostgreSQL: they neither wait in a worker slot for the company's lock nor get lost; the notes
 * recorded while the writer runs reach QuickBooks after it, each once.
 */
describe('notes jobs while a company\'s notes are being written', () => {
  let app: ConnectedApp;
  let worker: SteppedWorker;
  let added = 0;

  /** Calls recorded for `count` of the company's invoices: each activity's note waits to be written. */
  const recordCalls = async (count: number) => {
    const { db } = app.test.context;
    const invoices = await db.selectFrom('qbo_invoices').select(['id', 'customer_id']).where('realm_id', '=', REALM).orderBy('id').execute();
    await db
      .insertInto('activities')
      .values(Array.from({ length: count }, () => {
        const invoice = invoices[added % invoices.length]!;
        return { realm_id: REALM, customer_id: invoice.customer_id, invoice_ids: JSON.stringify([invoice.id]), kind: 'call', summary: 'called: left a voicemail', occurred_on: '2026-11-20', key: `coalesced-notes:${added++}` };
      }))
      .execute();
  };
  const noteStatuses = async () => {
    const rows = await app.test.context.db.selectFrom('activities').select(['note_status']).where('realm_id', '=', REALM).where('key', 'like', 'coalesced-notes:%').execute();
    return rows.reduce<Record<string, number>>((counts, row) => ({ ...counts, [row.note_status]: (counts[row.note_status] ?? 0) + 1 }), {});
  };
  const attachables = () => app.sandbox.sandbox.realm(REALM)!.count('Attachable');
  /** The company's finished notes runs, first finished first. */
  const notesJobs = async () => (await app.test.context.queues.queue('notes').getJobs(['completed'])).filter((job: Job) => job.name === 'notes.realm').sort((a, b) => a.finishedOn! - b.finishedOn!);

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Inkwell Stationers', customers: 20, invoices: 60 }], env: { ARDESK_NOW: NOW } });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBe(303);
    // Only what this test queues runs: no schedule, no first sync, no notes pass.
    await unscheduleCompany(app.test.context.queues, REALM);
    for (const name of QUEUES) for (const job of await app.test.context.queues.queue(name).getJobs(['waiting', 'delayed', 'prioritized'])) await job.remove();
    await app.test.context.sync.run(REALM, 'full');
    worker = await startSteppedWorker(app.test.context, { concurrency: { notes: 2 } });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await app.stop();
  });

  it('ends a notes job at once while another run holds the company\'s notes, and the run writes what was asked for meanwhile after it', async () => {
    const { context } = app.test;
    await recordCalls(40);
    // A writer of the company's notes, on the same lock, that stops holding it once it has written
    // every pending note and found none left, just before it lets go (where a note recorded now
    // is in no batch of its own).
    let atEnd = false;
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const repository: NotesRepository = context.repos.notes;
    const notes: ConstructorParameters<typeof NotesService>[0]['notes'] = {
      realmsWithPending: () => repository.realmsWithPending(),
      skipPending: (...args) => repository.skipPending(...args),
      unfinishedBatch: (...args) => repository.unfinishedBatch(...args),
      record: (...args) => repository.record(...args),
      claimBatch: async (...args) => {
        const batch = await repository.claimBatch(...args);
        if (!batch) {
          atEnd = true;
          await gate;
        }
        return batch;
      },
    };
    const writer = new NotesService({ companies: context.repos.companies, settings: context.services.settings, notes, client: context.quickbooks.client, locks: redisLocks(context.redis, context.queues.prefix), queues: context.queues, clock: context.clock, logger: context.logger });
    const running: Promise<NotesRun> = writer.writePending(REALM);
    const before = (await notesJobs()).length;
    try {
      await until('the writer to write every pending note', () => atEnd, 20_000);
      expect(await noteStatuses()).toEqual({ written: 40 });

      // Calls recorded now, and their notes run queued as a person's action queues it.
      await recordCalls(7);
      await context.services.notes.queue(REALM);
      await until('the notes job to end', async () => (await notesJobs()).length > before, 5_000);
      const [left] = (await notesJobs()).slice(before);
      expect(left!.returnvalue).toMatchObject({ busy: true, batches: 0, written: 0 });
      // It did not wait for the lock: it ended while the writer still holds it.
      expect(left!.finishedOn! - left!.processedOn!).toBeLessThan(2_000);
      expect(await Promise.race([running.then(() => 'done'), new Promise((resolve) => setTimeout(() => resolve('still writing'), 200))])).toBe('still writing');
      expect(await noteStatuses()).toEqual({ written: 40, pending: 7 });
    } finally {
      // The writer lets go, sees the request left meanwhile and queues the run that writes them.
      letGo();
    }
    expect(await running).toMatchObject({ written: 40, busy: false, more: false });
    await worker.settle('the run after the writer');
    expect(await noteStatuses()).toEqual({ written: 47 });
    expect(attachables()).toBe(47);
    expect((await notesJobs()).slice(before).map((job) => job.returnvalue.written)).toEqual([0, 7]);
  }, 60_000);

  it('keeps one run to follow a running notes job, however many are asked for meanwhile', async () => {
    const { context } = app.test;
    const before = (await notesJobs()).length;
    const batches = () => app.sandbox.sandbox.requestLog.filter((entry) => entry.realmId === REALM && entry.kind === 'batch').length;
    const sent = batches();
    await recordCalls(30);
    // A slow QuickBooks: the run's one batch request takes a while.
    app.sandbox.sandbox.setKnobs({ latencyMs: 1_500 });
    try {
      await context.services.notes.queue(REALM);
      await until('the notes run to be under way', async () => (await context.queues.queue('notes').getActiveCount()) > 0, 10_000);
      for (let i = 0; i < 5; i++) {
        await recordCalls(2);
        await context.services.notes.queue(REALM);
      }
      // One waits to follow the running one; nothing runs beside it.
      expect(await context.queues.queue('notes').getActiveCount()).toBe(1);
    } finally {
      app.sandbox.sandbox.setKnobs({ latencyMs: 0 });
    }
    await worker.settle('the running notes job and the one after it', 30_000);
    const runs = (await notesJobs()).slice(before);
    expect(runs.map((job) => job.returnvalue.busy)).toEqual([false, false]);
    expect(runs.reduce((sum, job) => sum + job.returnvalue.written, 0)).toBe(40);
    // Notes recorded during the running job's first batch go in its next one, or in the run after it.
    expect(batches() - sent).toBeLessThanOrEqual(3);
    expect(await noteStatuses()).toEqual({ written: 87 });
    expect(attachables()).toBe(87);
  }, 60_000);
});
