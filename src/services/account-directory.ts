import { accountDirectory } from '../collections/accounts';
import type { AccountOf, AccountsRepository } from '../db/accounts-repository';

/**
 * Keeps the stored account directory in step with the copy of QuickBooks: rebuilt from the
 * playbook's rules whenever customers (or a type override) changed since it was built.
 */
export class AccountDirectoryService {
  constructor(private readonly accounts: AccountsRepository) {}

  /** Makes sure the directory reflects the current copy; cheap when it already does. */
  async ensure(realmId: string): Promise<void> {
    const { copy, directory } = await this.accounts.versions(realmId);
    if (directory === copy) return;
    const customers = await this.accounts.customers(realmId);
    await this.accounts.replace(realmId, copy, accountDirectory(customers));
  }

  /**
   * The paying account of `customerId`, its type, and the customers whose invoices it pays: the
   * account's whole chain when `customerId` is the payer, else that customer alone. A customer
   * QuickBooks does not know pays for itself. One freshness check for all three.
   */
  async accountOf(realmId: string, customerId: string): Promise<AccountOf & { members: string[] }> {
    await this.ensure(realmId);
    const account = (await this.accounts.accountOf(realmId, customerId)) ?? { payerId: customerId, type: 'commercial' as const };
    if (account.payerId !== customerId) return { ...account, members: [customerId] };
    const members = await this.accounts.membersOf(realmId, customerId);
    return { ...account, members: members.length ? members : [customerId] };
  }
}
