import { UnrecoverableError } from 'bullmq';
import type { AppContext } from '../../app-context';
import { sendMessage } from '../../mail/send-message';
import type { Uses } from '../../services';
import type { JobHandler } from '../worker-host';

/** Hands due messages to `mail.send`, one job per message (see MailDispatchService). */
export function dispatchMail({ services }: Uses<'mailDispatch'>): JobHandler<'mail.dispatch'> {
  return () => services.mailDispatch.dispatchDue();
}

// sendMessage (src/mail/send-message.ts) still takes the whole context.
export function sendMail(context: AppContext): JobHandler<'mail.send'> {
  return async ({ messageId }, { job }) => {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await sendMessage(context, messageId, { lastAttempt });
    if (outcome.status === 'failed' && outcome.reason === 'no such message') throw new UnrecoverableError(outcome.reason);
    return outcome;
  };
}
