import { UnrecoverableError } from 'bullmq';
import type { AppContext } from '../../app-context';
import { sendMessage } from '../../mail/send-message';
import type { JobHandler } from '../worker-host';

/** How many due messages one dispatch pass hands to the queue. */
const DISPATCH_BATCH = 2000;

/**
 * Hands due, queued messages to `mail.send`, one job per message with a stable id, so however
 * often it runs a message is never queued twice while its job lives. Jobs are added first and
 * the messages marked dispatched after, so a dispatcher killed in between leaves them due for the
 * next pass. A message dispatched before whose job has ended (released back to queued) gets its
 * old job removed first.
 */
export function dispatchMail(context: AppContext): JobHandler<'mail.dispatch'> {
  return async () => {
    const due = await context.repos.outbox.dueForDispatch(context.clock.businessNow(), DISPATCH_BATCH);
    const jobIdOf = (messageId: string) => `send-${messageId}`;
    await context.queues.enqueueMany('mail.send', due.filter((m) => !m.redispatch).map((m) => ({ payload: { messageId: m.id }, jobId: jobIdOf(m.id) })));
    for (const message of due.filter((m) => m.redispatch)) await context.queues.enqueueAgain('mail.send', { messageId: message.id }, jobIdOf(message.id));
    await context.repos.outbox.markDispatched(due.map((m) => m.id));
    return { dispatched: due.length };
  };
}

export function sendMail(context: AppContext): JobHandler<'mail.send'> {
  return async ({ messageId }, { job }) => {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await sendMessage(context, messageId, { lastAttempt });
    if (outcome.status === 'failed' && outcome.reason === 'no such message') throw new UnrecoverableError(outcome.reason);
    return outcome;
  };
}
