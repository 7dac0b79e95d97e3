import type { CustomerFileRepository } from '../db/customer-file-repository';
import { NotFoundError } from '../errors';

export type CustomerTypeChoice = 'auto' | 'commercial' | 'personal';

/** A person's choice of a customer's type (commercial or personal), or back to the playbook's ('auto'). */
export class CustomerTypeService {
  constructor(private readonly deps: { files: Pick<CustomerFileRepository, 'customerExists' | 'setTypeOverride'> }) {}

  async choose(realmId: string, customerId: string, type: CustomerTypeChoice): Promise<void> {
    const { files } = this.deps;
    if (!(await files.customerExists(realmId, customerId))) throw new NotFoundError('No such customer');
    await files.setTypeOverride(realmId, customerId, type === 'auto' ? null : type);
  }
}
