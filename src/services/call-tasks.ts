import type { CollectionsRepository } from '../db/collections-repository';

export type CallTask = NonNullable<Awaited<ReturnType<CollectionsRepository['callTask']>>>;

/** A company's call tasks as the call sheet opens them, and the customer names its notices use. */
export class CallTasksService {
  constructor(private readonly deps: { collections: Pick<CollectionsRepository, 'callTask' | 'customerName'> }) {}

  /** The company's call task `taskId`, if it has one. */
  task(realmId: string, taskId: string): Promise<CallTask | undefined> {
    return this.deps.collections.callTask(realmId, taskId);
  }

  /** The customer's name as QuickBooks has it, if the company has that customer. */
  customerName(realmId: string, customerId: string): Promise<string | undefined> {
    return this.deps.collections.customerName(realmId, customerId);
  }
}
