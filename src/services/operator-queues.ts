import type { Queue } from 'bullmq';
import { QUEUES } from '../jobs/names';
import type { JobQueues } from '../jobs/queues';

/** The job queues as the operator's queue view (Bull Board) shows and manages them. */
export class OperatorQueuesService {
  constructor(private readonly deps: { queues: Pick<JobQueues, 'queue'> }) {}

  /** Every queue of this deployment, in the order of QUEUES. */
  all(): Queue[] {
    return QUEUES.map((name) => this.deps.queues.queue(name));
  }
}
