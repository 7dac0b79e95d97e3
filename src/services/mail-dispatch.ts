import type { Clock } from '../clock';
import type { OutboxRepository } from '../db/outbox-repository';
import type { JobQueues } from '../jobs/queues';

/** How many due messages one dispatch pass hands to the queue. */
const DISPATCH_BATCH = 2000;

export interface MailDispatchDeps {
  outbox: Pick<OutboxRepository, 'dueForDispatch' | 'markDispatched'>;
  queues: Pick<JobQueues, 'enqueueMany' | 'enqueueAgain'>;
  clock: Clock;
}

/** Due messages of the outbox handed to the senders (the `mail.send` jobs). */
export class MailDispatchService {
  constructor(private readonly deps: MailDispatchDeps) {}

  /**
   * Hands due, queued messages to `mail.send`, one job per message with a stable id, so however
   * often it runs a message is never queued twice while its job lives. Jobs are added first and
   * the messages marked dispatched after, so a dispatcher killed in between leaves them due for
   * the next pass. A message dispatched before whose job has ended (released back to queued)
   * gets its old job removed first.
   */
  async dispatchDue(): Promise<{ dispatched: number }> {
    const { outbox, queues } = this.deps;
    const due = await outbox.dueForDispatch(this.deps.clock.businessNow(), DISPATCH_BATCH);
    const jobIdOf = (messageId: string) => `send-${messageId}`;
    await queues.enqueueMany('mail.send', due.filter((m) => !m.redispatch).map((m) => ({ payload: { messageId: m.id }, jobId: jobIdOf(m.id) })));
    for (const message of due.filter((m) => m.redispatch)) await queues.enqueueAgain('mail.send', { messageId: message.id }, jobIdOf(message.id));
    await outbox.markDispatched(due.map((m) => m.id));
    return { dispatched: due.length };
  }
}
