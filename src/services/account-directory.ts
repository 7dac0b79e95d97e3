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

  /** The paying account of `customerId` and its type; a customer QuickBooks does not know pays for itself. */
  async accountOf(realmId: string, customerId: string): Promise<AccountOf> {
    await this.ensure(realmId);
    return (await this.accounts.accountOf(realmId, customerId)) ?? { payerId: customerId, type: 'commercial' };
  }

  /** Every customer whose invoices the account of `payerId` pays (the payer included). */
  async membersOf(realmId: string, payerId: string): Promise<string[]> {
    await this.ensure(realmId);
    const members = await this.accounts.membersOf(realmId, payerId);
    return members.length ? members : [payerId];
  }
}
