/** One person a collector can ask for, as the call sheet shows them. */
export interface PersonToAsk {
  name: string;
  /** What they do ("Accounts payable"), or where Ardesk knows them from. */
  role: string;
  approvesPayment: boolean;
  phone: string | null;
  email: string | null;
}

interface FoundContact {
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  approvesPayment: boolean;
}

/**
 * Who to ask for on a call, best first: the people the collector found (whoever approves payments
 * first, then the newest), then the contact person QuickBooks holds on the customer (GivenName and
 * FamilyName). The business itself is never listed as a person; the same name is listed once.
 */
export function peopleToAsk(customer: { name: string; companyName: string | null; person: string | null; email: string | null }, contacts: readonly FoundContact[]): PersonToAsk[] {
  const found = [...contacts].sort((a, b) => Number(b.approvesPayment) - Number(a.approvesPayment));
  const people: PersonToAsk[] = found.map((c) => ({ name: c.name, role: c.role?.trim() || 'Contact you found', approvesPayment: c.approvesPayment, phone: c.phone, email: c.email }));
  const business = new Set([customer.name, customer.companyName].filter(Boolean).map((n) => n!.toLowerCase()));
  if (customer.person && !business.has(customer.person.toLowerCase()) && !people.some((p) => p.name.toLowerCase() === customer.person!.toLowerCase())) {
    people.push({ name: customer.person, role: customer.companyName ? `Contact at ${customer.companyName} in QuickBooks` : 'The customer', approvesPayment: false, phone: null, email: customer.email });
  }
  return people;
}
