import { centsToNumber } from '../../collections/money';
import type { WorkList } from '../../services/work-list';
import type { AccountView } from '../../services/account-state';
import type { SendReview } from '../../services/send-review';

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

/** The review's JSON: amounts in currency units, as the rest of the API. */
export function reviewJson(review: SendReview) {
  return {
    mode: review.mode,
    collectingSince: review.collectingSince,
    awaiting: review.awaiting,
    messages: review.messages,
    total: centsToNumber(review.total),
    accounts: review.accounts.map((account) => ({
      customerId: account.customerId,
      name: account.name,
      total: centsToNumber(account.total),
      messages: account.messages.map((m) => ({ ...m, total: centsToNumber(m.total), invoices: m.invoices.map((i) => ({ ...i, balance: centsToNumber(i.balance) })) })),
    })),
    lastApproval: review.lastApproval && { ...review.lastApproval, total: centsToNumber(review.lastApproval.total) },
  };
}
