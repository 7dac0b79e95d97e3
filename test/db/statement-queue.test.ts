import { sql } from 'kysely';
import { eachChunk } from '../../src/db/bulk';
import { awaitedLater, StatementQueue } from '../../src/db/statement-queue';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The cadence's recording queues its statements and builds the next rows meanwhile: the order
 * must stay the order of the calls, every statement must have run when the queue is drained,
 * and a failure must stop what follows and be the error reported.
 */
describe.each(ENGINES)('statements queued in one transaction on %s', (engine) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(engine);
    await sql`create table queue_log (n serial primary key, said text not null)`.execute(test.db);
  });
  afterAll(() => test.destroy());
  beforeEach(() => sql`truncate queue_log restart identity`.execute(test.db));

  const said = async () => (await sql<{ said: string }>`select said from queue_log order by n`.execute(test.db)).rows.map((row) => row.said);

  it('runs them in the order they were given, though the code between them waits for other answers', async () => {
    await test.db.transaction().execute(async (trx) => {
      const queue = new StatementQueue(trx);
      queue.send(sql`insert into queue_log (said) values ('first')`);
      // Answers wanted later, from statements given now: they run in their turn.
      const count = awaitedLater(eachChunk(['a', 'b', 'c', 'd', 'e'], (chunk) => queue.rows(sql<{ said: string }>`insert into queue_log (said) select unnest(${`{${chunk.join(',')}}`}::text[]) returning said`), 2));
      // Code that yields in between (as a step waiting for an answer does) cannot get ahead of them.
      await new Promise((resolve) => setImmediate(resolve));
      const seen = await queue.rows(sql<{ n: number }>`select count(*)::int as n from queue_log`);
      queue.send(sql`insert into queue_log (said) values ('last')`);
      expect(seen).toEqual([{ n: 6 }]);
      expect((await count).map((row) => row.said)).toEqual(['a', 'b', 'c', 'd', 'e']);
      await queue.drain();
    });
    expect(await said()).toEqual(['first', 'a', 'b', 'c', 'd', 'e', 'last']);
  });

  it('counts the rows a statement changed without sending them back: a conflict skipped is not counted', async () => {
    await test.db.transaction().execute(async (trx) => {
      const queue = new StatementQueue(trx);
      const inserted = queue.count(sql`insert into queue_log (n, said) values (1, 'a'), (2, 'b'), (3, 'c')`);
      const again = queue.count(sql`insert into queue_log (n, said) values (2, 'b'), (4, 'd') on conflict do nothing`);
      const updated = queue.count(sql`update queue_log set said = upper(said) where n > 1`);
      const none = queue.count(sql`delete from queue_log where n > 100`);
      expect([await inserted, await again, await updated, await none]).toEqual([3, 1, 3, 0]);
      await queue.drain();
    });
    expect(await said()).toEqual(['a', 'B', 'C', 'D']);
  });

  it('has run everything when drained, inside the transaction: nothing is left to run after its commit', async () => {
    await test.db.transaction().execute(async (trx) => {
      const queue = new StatementQueue(trx);
      for (const word of ['one', 'two', 'three']) queue.send(sql`insert into queue_log (said) select ${word} from pg_sleep(0.05)`);
      await queue.drain();
    });
    expect(await said()).toEqual(['one', 'two', 'three']);
  });

  it('stops at the first failure, reports it rather than "transaction is aborted", and the transaction writes nothing', async () => {
    const later: Array<Promise<unknown>> = [];
    const attempt = test.db.transaction().execute(async (trx) => {
      const queue = new StatementQueue(trx);
      queue.send(sql`insert into queue_log (said) values ('before')`);
      queue.send(sql`insert into queue_log (said) values (null)`);
      later.push(awaitedLater(queue.rows(sql`insert into queue_log (said) values ('after') returning said`)));
      await queue.drain();
    });
    await expect(attempt).rejects.toThrow(/null value in column "said"/);
    await expect(later[0]).rejects.toThrow(/null value in column "said"/);
    expect(await said()).toEqual([]);
  });
});
