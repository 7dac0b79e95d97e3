import { UnrecoverableError } from 'bullmq';
import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** Hands due messages to `mail.send`, one job per message (see MailDispatchService). */
export function dispatchMail({ services }: Uses<'mailDispatch'>): JobHandler<'mail.dispatch'> {
  return () => services.mailDispatch.dispatchDue();
}

/** Sends one message (see MessageSendService); a message that is gone is not retried. */
export function sendMail({ services }: Uses<'messages'>): JobHandler<'mail.send'> {
  return async ({ messageId }, { job }) => {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await services.messages.send(messageId, { lastAttempt });
    if (outcome.status === 'failed' && outcome.reason === 'no such message') throw new UnrecoverableError(outcome.reason);
    return outcome;
  };
}
