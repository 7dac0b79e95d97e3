import type { CompiledQuery, QueryExecutorProvider, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema';

/** A statement not yet run: Kysely's `sql` template or a query builder. */
export interface Statement<R> {
  compile(executorProvider: QueryExecutorProvider): CompiledQuery<R>;
}

/**
 * The statements of one transaction, run one after another in the order they are given, while
 * the code goes on to prepare the next: a large recording spends about as long building its rows
 * as PostgreSQL spends writing them, and the two then overlap instead of taking turns.
 *
 * `send` queues a statement whose answer nothing needs; `result` queues one and gives its answer
 * when it comes (`rows` its rows, `count` how many rows it changed). Each statement is compiled
 * when it is given (its rows are turned into parameters then, not when its turn comes) and
 * starts only after the one before it has finished, so the order is exactly the order of the
 * calls, and a statement sees what every earlier one wrote.
 * After a failure nothing more runs: every later answer, and `drain`, fail with that first error
 * (not with PostgreSQL's "current transaction is aborted").
 */
export class StatementQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(private readonly trx: Transaction<Database>) {}

  /** Queues `statement`; what it returns is wanted by nobody (its failure still fails the queue). */
  send(statement: Statement<unknown>): void {
    void this.result(statement).catch(() => undefined);
  }

  /** Queues `statement` and resolves with its rows and counts once it has run. */
  result<R>(statement: Statement<R>): Promise<QueryResult<R>> {
    const compiled = statement.compile(this.trx);
    const run = this.tail.then(async () => {
      if (this.failure) throw this.failure.error;
      try {
        return await this.trx.executeQuery(compiled);
      } catch (error) {
        this.failure = { error };
        throw error;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Queues `statement` and resolves with its rows. */
  async rows<R>(statement: Statement<R>): Promise<R[]> {
    return (await this.result(statement)).rows;
  }

  /** Queues an insert, update or delete and resolves with how many rows it changed (none are sent back). */
  async count(statement: Statement<unknown>): Promise<number> {
    return Number((await this.result(statement)).numAffectedRows ?? 0);
  }

  /** Waits for every statement queued so far; fails with the first failure, if any. */
  async drain(): Promise<void> {
    await this.tail;
    if (this.failure) throw this.failure.error;
  }
}

/**
 * `promise`, marked as handled: it is awaited later, after other work, and may fail before then
 * (the queue's drain reports that failure) without being taken for an unhandled rejection.
 */
export function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Resolves once the statements queued so far have been handed to the database: a step that builds
 * large statements one after another awaits this between them, so PostgreSQL writes one while the
 * next is built (without it, none starts until the step has built them all).
 */
export function statementsStarted(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
