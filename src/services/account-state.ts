import { accountStates, settledAccount, type AccountState } from '../collections/account-state';
import type { LocalDate } from '../collections/calendar';
import type { AccountStatesRepository } from '../db/account-states-repository';
import type { AccountDirectoryService } from './account-directory';
import type { CompanySettingsService } from './company-settings';
import type { CustomerFileService } from './customer-file';

export interface AccountStateDeps {
  states: AccountStatesRepository;
  directory: AccountDirectoryService;
}

/**
 * The one state of each paying account on a business day: computed by the playbook from the
 * current facts, stored once per version of them, and read by every page and API that shows an
 * account, so the work list, the call sheet, the customer page and the API cannot disagree.
 */
export class AccountStateService {
  constructor(private readonly deps: AccountStateDeps) {}

  /** Makes sure the day's states of the current facts are stored; returns their version. */
  async ensure(realmId: string, day: LocalDate, aAccountShare: number): Promise<string> {
    await this.deps.directory.ensure(realmId);
    const version = await this.deps.states.currentVersion(realmId);
    if (await this.deps.states.isStored(realmId, day, version)) return version;
    const [invoices, toughPayers] = await Promise.all([this.deps.states.openInvoices(realmId), this.deps.states.toughPayers(realmId)]);
    await this.deps.states.store(realmId, day, version, accountStates({ day, invoices, toughPayers, aAccountShare }));
    return version;
  }

  /**
   * The state of `customerId`'s paying account on `day`, with the account's members. An account
   * with nothing open has a settled state (all zero), not none.
   */
  async accountOf(realmId: string, customerId: string, day: LocalDate, aAccountShare: number) {
    const account = await this.deps.directory.accountOf(realmId, customerId);
    const version = await this.ensure(realmId, day, aAccountShare);
    const state: AccountState = (await this.deps.states.stateOf(realmId, day, version, account.payerId)) ?? settledAccount(account.payerId, account.type, day);
    return { ...account, state, version };
  }
}

export interface AccountViewDeps {
  settings: CompanySettingsService;
  files: CustomerFileService;
}

/**
 * One account as the API and the call sheet show it on a day: the stored state's figures with
 * the open invoices they are the sum of, and the account's one task. A day after today is a
 * projection and says so.
 */
export class AccountViewService {
  constructor(private readonly deps: AccountViewDeps) {}

  async view(realmId: string, customerId: string, day?: LocalDate) {
    const file = await this.deps.files.fileOf(realmId, customerId, day);
    const today = await this.deps.settings.todayOf(realmId);
    const { state } = file;
    return {
      date: file.today,
      projected: file.today > today,
      customer: { id: file.customer.id, name: file.customer.name, type: file.customer.type },
      payerId: file.payerId,
      openBalance: state.openBalance,
      overdueBalance: state.overdueBalance,
      oldestDaysOverdue: state.oldestDaysOverdue,
      level: state.level,
      aAccount: state.aAccount,
      tough: state.tough,
      escalationCandidate: state.escalationCandidate,
      openInvoices: file.openInvoices.map((i) => ({ id: i.id, number: i.number, dueDate: i.dueDate, balance: i.balance, daysOverdue: i.daysOverdue, level: i.level })),
      task: file.openTask,
    };
  }
}

export type AccountView = Awaited<ReturnType<AccountViewService['view']>>;
