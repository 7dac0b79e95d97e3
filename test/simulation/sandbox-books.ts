import type { LocalDate } from '../../src/collections/calendar';
import { centsToNumber, toCents, type Cents } from '../../src/collections/money';
import type { Entity, Ref } from '../../src/sandbox/entities';
import type { Realm } from '../../src/sandbox/realm';
import type { RunningSandbox } from '../../src/sandbox/server';

/** What QuickBooks itself says an account owes on a day: the customer and every job under it. */
export interface SandboxOverdue {
  cents: Cents;
  /** The earliest due date among its open overdue invoices (null: nothing overdue). */
  oldestDue: LocalDate | null;
  invoiceIds: string[];
}

/**
 * The QuickBooks side of the simulation. Writes go through the sandbox's Accounting API over
 * HTTP with a token of their own (the bookkeeper entering payments and invoices in QuickBooks);
 * the truth the checks compare with is read from the sandbox's own books, not through Ardesk.
 */
export class SandboxBooks {
  private accessToken = '';
  private requests = 0;

  constructor(
    private readonly running: RunningSandbox,
    readonly realmId: string,
    private readonly clientId: string,
  ) {}

  private get realm(): Realm {
    return this.running.sandbox.realm(this.realmId)!;
  }

  /** A token for the bookkeeper's own writes (the sandbox's admin shortcut, as for a second app). */
  async open(): Promise<void> {
    const answer = await fetch(`${this.running.url}/_sandbox/realms/${this.realmId}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: this.clientId }) });
    if (!answer.ok) throw new Error(`the sandbox would not mint a token: ${answer.status}`);
    this.accessToken = ((await answer.json()) as { access_token: string }).access_token;
  }

  private async create(entity: 'payment' | 'invoice', body: Record<string, unknown>, again = true): Promise<Entity> {
    const answer = await fetch(`${this.running.url}/v3/company/${this.realmId}/${entity}?minorversion=75&requestid=sim-${entity}-${++this.requests}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.accessToken}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // The bookkeeper's token expired overnight (QuickBooks' clock moves with the days): take a new one.
    if (answer.status === 401 && again) {
      await this.open();
      return this.create(entity, body, false);
    }
    const json = (await answer.json()) as Record<string, unknown>;
    if (!answer.ok || json.Fault) throw new Error(`QuickBooks refused the ${entity}: ${answer.status} ${JSON.stringify(json.Fault ?? json)}`);
    return json[entity === 'payment' ? 'Payment' : 'Invoice'] as Entity;
  }

  /** Enters an invoice; answers its QuickBooks id. */
  async enterInvoice(body: Record<string, unknown>): Promise<string> {
    return (await this.create('invoice', body)).Id;
  }

  /**
   * Records a payment of up to `cents` against one invoice, dated `on`, for what is still open
   * on it; answers the amount applied (0: nothing was open, nothing recorded).
   */
  async pay(invoiceId: string, cents: Cents, on: LocalDate): Promise<Cents> {
    const invoice = this.invoice(invoiceId);
    const applied = Math.min(cents, toCents(invoice.Balance as number));
    if (applied <= 0) return 0;
    await this.create('payment', {
      CustomerRef: { value: (invoice.CustomerRef as Ref).value },
      TxnDate: on,
      TotalAmt: centsToNumber(applied),
      PaymentRefNum: `SIM-${this.requests + 1}`,
      Line: [{ Amount: centsToNumber(applied), LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }],
    });
    return applied;
  }

  invoice(invoiceId: string): Entity {
    const invoice = this.realm.get('Invoice', invoiceId);
    if (!invoice) throw new Error(`no invoice ${invoiceId} in the sandbox`);
    return invoice;
  }

  invoiceByNumber(docNumber: string): Entity | undefined {
    for (const invoice of this.realm.table('Invoice').values()) if (invoice.DocNumber === docNumber) return invoice;
    return undefined;
  }

  balanceCents(invoiceId: string): Cents {
    return toCents(this.invoice(invoiceId).Balance as number);
  }

  /** The customer and every job under it, however deep, as QuickBooks' ParentRef links them. */
  tree(customerId: string): Set<string> {
    const children = new Map<string, string[]>();
    for (const customer of this.realm.table('Customer').values()) {
      const parent = (customer.ParentRef as Ref | undefined)?.value;
      if (parent) children.set(parent, [...(children.get(parent) ?? []), customer.Id]);
    }
    const members = new Set<string>();
    const visit = (id: string) => {
      if (members.has(id)) return;
      members.add(id);
      for (const child of children.get(id) ?? []) visit(child);
    };
    visit(customerId);
    return members;
  }

  /** Customers at the top of their chain: the paying accounts. */
  payers(): string[] {
    return [...this.realm.table('Customer').values()].filter((c) => !(c.ParentRef as Ref | undefined)?.value).map((c) => c.Id);
  }

  /** The payer at the top of `customerId`'s chain. */
  payerOf(customerId: string): string {
    let current = this.realm.get('Customer', customerId);
    const seen = new Set<string>();
    while (current && (current.ParentRef as Ref | undefined)?.value && !seen.has(current.Id)) {
      seen.add(current.Id);
      current = this.realm.get('Customer', (current.ParentRef as Ref).value);
    }
    return current?.Id ?? customerId;
  }

  displayName(customerId: string): string {
    return String(this.realm.get('Customer', customerId)?.DisplayName ?? customerId);
  }

  /** The invoices of the account's tree, as QuickBooks holds them. */
  invoicesOf(payerId: string): Entity[] {
    const members = this.tree(payerId);
    return [...this.realm.table('Invoice').values()].filter((invoice) => members.has((invoice.CustomerRef as Ref).value));
  }

  /** Sum of Balance of the tree's invoices with DueDate before `day`. */
  overdueOf(payerId: string, day: LocalDate): SandboxOverdue {
    let cents = 0;
    let oldestDue: LocalDate | null = null;
    const invoiceIds: string[] = [];
    for (const invoice of this.invoicesOf(payerId)) {
      const balance = toCents(invoice.Balance as number);
      const due = String(invoice.DueDate);
      if (balance <= 0 || due >= day) continue;
      cents += balance;
      invoiceIds.push(invoice.Id);
      if (!oldestDue || due < oldestDue) oldestDue = due;
    }
    return { cents, oldestDue, invoiceIds };
  }

  /** Whether every invoice of the account's tree is paid (it had some). */
  allPaid(payerId: string): boolean {
    const invoices = this.invoicesOf(payerId);
    return invoices.length > 0 && invoices.every((invoice) => toCents(invoice.Balance as number) === 0);
  }
}
