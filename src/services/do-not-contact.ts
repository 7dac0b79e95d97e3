import type { CustomerFileRepository } from '../db/customer-file-repository';
import type { DoNotContactMark, DoNotContactRepository, MarkResult } from '../db/do-not-contact-repository';
import type { DoNotContactSource } from '../db/schema';
import { BadRequestError, NotFoundError } from '../errors';
import type { Logger } from '../logger';
import type { CompanySettingsService } from './company-settings';
import type { NotesService } from './notes';

export type { DoNotContactSource, MarkResult };

export interface DoNotContactDeps {
  settings: Pick<CompanySettingsService, 'todayOf'>;
  files: Pick<CustomerFileRepository, 'customerExists'>;
  doNotContact: Pick<DoNotContactRepository, 'find' | 'mark' | 'clear'>;
  notes: Pick<NotesService, 'queueSoon'>;
}

/** The longest reason kept (it goes into the QuickBooks note with the rest of the line). */
export const DO_NOT_CONTACT_REASON_MAX = 500;

/**
 * A customer marked do not contact, by the collector or at the customer's own request (a stop
 * link, a reply asking to stop, an unsubscribe): from then on no automatic message of any kind
 * goes to it and it is on no call list. The rule is the playbook's (`contactStopped` in
 * src/collections/coverage.ts, asked as `mayBeContacted` in src/collections/do-not-contact.ts: the
 * daily run, the send, a recorded call, a bounce, a problem reported on the customer's page and
 * the month's difficult customers all read it, so none opens a task or queues a message); marking
 * carries it out at once: what is queued for the customer is cancelled, its call task retired,
 * and the reason is noted in QuickBooks. A customer asking again changes nothing.
 */
export class DoNotContactService {
  constructor(private readonly deps: DoNotContactDeps) {}

  /** The customer's mark, or undefined when it may be contacted. */
  async statusOf(realmId: string, customerId: string): Promise<DoNotContactMark | undefined> {
    return this.deps.doNotContact.find(realmId, customerId);
  }

  async mark(realmId: string, customerId: string, request: { source: DoNotContactSource; reason: string }, log: Logger): Promise<MarkResult> {
    const reason = request.reason.trim();
    if (!reason) throw new BadRequestError('Say why this customer is not to be contacted (it is noted in QuickBooks).');
    if (reason.length > DO_NOT_CONTACT_REASON_MAX) throw new BadRequestError(`The reason is longer than ${DO_NOT_CONTACT_REASON_MAX} characters.`);
    if (!(await this.deps.files.customerExists(realmId, customerId))) throw new NotFoundError('No such customer');
    const markedOn = await this.deps.settings.todayOf(realmId);
    const result = await this.deps.doNotContact.mark(realmId, customerId, { source: request.source, reason, markedOn });
    if (result.marked) await this.deps.notes.queueSoon(realmId, log);
    return result;
  }

  /** The collector lifts the mark: the next daily run collects from the customer again. False when it was not marked. */
  async clear(realmId: string, customerId: string, reason: string, log: Logger): Promise<boolean> {
    if (!(await this.deps.files.customerExists(realmId, customerId))) throw new NotFoundError('No such customer');
    const cleared = await this.deps.doNotContact.clear(realmId, customerId, await this.deps.settings.todayOf(realmId), reason.trim().slice(0, DO_NOT_CONTACT_REASON_MAX));
    if (cleared) await this.deps.notes.queueSoon(realmId, log);
    return cleared;
  }
}
