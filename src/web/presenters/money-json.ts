import { centsToNumber } from '../../collections/money';
import type { WorkList } from '../../services/work-list';
import type { AccountView } from '../../services/account-state';

/**
 * The API's shapes: amounts leave as JSON numbers of currency units (15231.89), converted once
 * from the exact cents they are kept in.
 */
export function workListJson(list: WorkList) {
  return { ...list, totalOverdue: centsToNumber(list.totalOverdue), items: list.items.map((item) => ({ ...item, overdueBalance: centsToNumber(item.overdueBalance) })) };
}

export function accountJson(account: AccountView) {
  return {
    ...account,
    openBalance: centsToNumber(account.openBalance),
    overdueBalance: centsToNumber(account.overdueBalance),
    openInvoices: account.openInvoices.map((i) => ({ ...i, balance: centsToNumber(i.balance) })),
  };
}
