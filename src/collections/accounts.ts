import type { Customer, CustomerType } from './model';

/**
 * Who pays, and what kind of customer they are: the two rules every reader of an account shares.
 * Written once here; the database stores what these functions decide (the account directory)
 * and SQL reads that, rather than deriving either again.
 */

/** Commercial when QuickBooks has a company name, else personal; the user's override wins. */
export function customerType(customer: Customer): CustomerType {
  return customer.typeOverride ?? (customer.companyName && customer.companyName.trim() ? 'commercial' : 'personal');
}

/**
 * The paying customer of each customer: sub-customers (QuickBooks' jobs) roll up to the top of
 * their chain, however deep. A chain that loops or points at an unknown parent stops where the
 * known chain ends.
 */
export function payerResolver(customers: Iterable<Customer>): (customerId: string) => string {
  const byId = new Map<string, Customer>();
  for (const customer of customers) byId.set(customer.id, customer);
  const payers = new Map<string, string>();
  return (customerId) => {
    const known = payers.get(customerId);
    if (known) return known;
    let current = byId.get(customerId);
    const seen = new Set<string>();
    while (current?.parentId && byId.has(current.parentId) && !seen.has(current.id)) {
      seen.add(current.id);
      current = byId.get(current.parentId);
    }
    const payer = current?.id ?? customerId;
    payers.set(customerId, payer);
    return payer;
  };
}

export interface AccountDirectoryEntry {
  customerId: string;
  payerId: string;
  /** The payer's type: an account is called in its payer's window. */
  type: CustomerType;
}

/** Every customer with its paying account and that account's type. */
export function accountDirectory(customers: Customer[]): AccountDirectoryEntry[] {
  const payerOf = payerResolver(customers);
  const byId = new Map(customers.map((c) => [c.id, c]));
  return customers.map((customer) => {
    const payerId = payerOf(customer.id);
    return { customerId: customer.id, payerId, type: customerType(byId.get(payerId) ?? customer) };
  });
}
