import {
  ACTIVE_ONLY,
  DELETABLE,
  defaultOrder,
  plainDefaults,
  KNOWN_PROPERTIES,
  NOTE_MAX_LENGTH,
  TRACKED,
  VOIDABLE,
  isRef,
  money,
  type Entity,
  type Ref,
} from './entities';
import { faults, timestamp } from './faults';
import { matches, sortEntities, type Literal, type ParsedQuery } from './query';

export type Operation = 'Create' | 'Update' | 'Delete' | 'Void' | 'Merge';

export interface ChangeEvent {
  realmId: string;
  name: string;
  id: string;
  operation: Operation;
  lastUpdated: string;
}

interface Tombstone {
  Id: string;
  status: 'Deleted';
  domain: 'QBO';
  MetaData: { CreateTime: string; LastUpdatedTime: string };
}

type Body = Record<string, unknown>;

const DEFAULT_TERM_DAYS = 30;
/** An id as the sandbox writes them: no sign, no leading zero, no fraction. */
const PLAIN_ID = /^(0|[1-9]\d*)$/;

/**
 * One QuickBooks company: its entities, their ids and SyncTokens, the tombstones that change
 * data capture reports, and the bookkeeping rules the collection features rely on: invoice and
 * credit-memo balances follow the payments applied to them, customer balances follow both.
 */
export class Realm {
  private readonly tables = new Map<string, Map<string, Entity>>();
  private readonly tombstones = new Map<string, Map<string, Tombstone>>();
  private nextId = 1;
  private nextDocNumber = 1001;
  /** invoice or credit memo id → ids of payments that link it */
  private readonly paymentLinks = new Map<string, Set<string>>();
  private readonly displayNames = new Map<string, string>();
  private readonly orderCache = new Map<string, Map<string, Entity[]>>();
  /** Entities a seed gave an id not written the sandbox's way ('007'): those are always scanned. */
  private readonly unusualIds = new Set<string>();
  paymentsEnabled = true;

  constructor(
    readonly id: string,
    private readonly now: () => Date,
    private readonly onChange: (event: ChangeEvent) => void = () => undefined,
  ) {}

  // ---- reading ------------------------------------------------------------------------------

  table(entity: string): Map<string, Entity> {
    let table = this.tables.get(entity);
    if (!table) {
      table = new Map();
      this.tables.set(entity, table);
    }
    return table;
  }

  get(entity: string, id: string): Entity | undefined {
    return this.table(entity).get(id);
  }

  count(entity: string): number {
    return this.table(entity).size;
  }

  read(entity: string, id: string): Entity {
    if (!/^\d+$/.test(id)) throw faults.invalidId(id);
    const found = this.get(entity, id);
    if (!found) throw faults.notFound();
    return found;
  }

  /**
   * Rows in the given order, and those a filter keeps (`where`, the filter's text), cached until
   * a row of the entity is written: paging stays cheap, and the pages of one filtered read (47
   * pages of a year of payments) filter the table once.
   */
  private ordered(entity: string, order: ParsedQuery['orderBy'], where?: { text: string; keep: (row: Entity) => boolean }): Entity[] {
    if (where) {
      const byOrder = this.orderCache.get(entity) ?? new Map<string, Entity[]>();
      this.orderCache.set(entity, byOrder);
      const key = `${JSON.stringify(order)} where ${where.text}`;
      let kept = byOrder.get(key);
      if (!kept) byOrder.set(key, (kept = this.ordered(entity, order).filter(where.keep)));
      return kept;
    }
    const key = JSON.stringify(order);
    let byOrder = this.orderCache.get(entity);
    if (!byOrder) this.orderCache.set(entity, (byOrder = new Map()));
    let rows = byOrder.get(key);
    if (!rows) {
      rows = sortEntities([...this.table(entity).values()], order);
      byOrder.set(key, rows);
    }
    return rows;
  }

  /**
   * The only rows an `Id = n` or `Id IN (...)` condition can match, found by a set of ids rather
   * than by comparing every row of the table with every id: the balance re-read before a send names up
   * to 200 invoices of a company that may have tens of thousands, and this server runs inside
   * the test process, whose other work (its own database connections) must not wait a second
   * per query. Undefined when the query has no such condition (or an id in it is not plain).
   */
  private namedRows(query: ParsedQuery): Entity[] | undefined {
    if (this.unusualIds.has(query.entity)) return undefined;
    const byId = query.where.find((c) => c.field.toLowerCase() === 'id' && (c.op === '=' || c.op === 'IN'));
    if (!byId) return undefined;
    const ids = (Array.isArray(byId.value) ? byId.value : [byId.value]).map((v: Literal) => String(v));
    if (!ids.every((id) => PLAIN_ID.test(id))) return undefined;
    // In the table's own order, as a scan would meet them (rows an ORDERBY ties keep that order).
    const wanted = new Set(ids);
    const rows: Entity[] = [];
    for (const [id, row] of this.table(query.entity)) if (wanted.has(id)) rows.push(row);
    return rows;
  }

  /** A query's page of rows, or for `COUNT(*)` its total. */
  query(query: ParsedQuery): { rows: Entity[]; total: number } {
    const mentionsActive = query.where.some((c) => c.field.toLowerCase() === 'active');
    const keep = (row: Entity) => (mentionsActive || !ACTIVE_ONLY.has(query.entity) || row.Active !== false) && query.where.every((c) => matches(row, c));
    const named = this.namedRows(query);
    if (query.count) return { rows: [], total: (named ?? [...this.table(query.entity).values()]).filter(keep).length };
    const order = query.orderBy.length ? query.orderBy : defaultOrder(query.entity);
    const matched = named ? sortEntities(named, order).filter(keep) : this.ordered(query.entity, order, { text: `${mentionsActive} ${JSON.stringify(query.where)}`, keep });
    const page = matched.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults);
    const rows = query.fields === '*' ? page : page.map((row) => project(row, query.fields as string[]));
    return { rows, total: matched.length };
  }

  /** Everything of these entities changed at or after `since`, deletions as tombstones. */
  changedSince(entity: string, since: Date): Array<Entity | Tombstone> {
    const cutoff = since.getTime();
    const changed: Array<Entity | Tombstone> = [];
    for (const row of this.table(entity).values()) {
      if (Date.parse(row.MetaData.LastUpdatedTime) >= cutoff) changed.push(row);
    }
    for (const tomb of this.tombstones.get(entity)?.values() ?? []) {
      if (Date.parse(tomb.MetaData.LastUpdatedTime) >= cutoff) changed.push(tomb);
    }
    return sortEntities(changed as Array<Record<string, unknown>>, []) as Array<Entity | Tombstone>;
  }

  // ---- seeding ------------------------------------------------------------------------------

  /**
   * Adds an entity exactly as given (a seed or generated company): fills only what is missing
   * (`Id`, `SyncToken`, `MetaData`, `Balance`), keeps given balances, and indexes links.
   */
  insertSeed(entity: string, given: Body): Entity {
    const id = given.Id !== undefined ? String(given.Id) : String(this.nextId);
    if (this.table(entity).has(id)) throw new Error(`${entity} ${id} appears twice in the seed`);
    if (!PLAIN_ID.test(id)) this.unusualIds.add(entity);
    const stamp = timestamp(this.now());
    const row = { ...given, Id: id } as Entity;
    row.SyncToken ??= '0';
    row.domain ??= 'QBO';
    row.sparse ??= false;
    row.MetaData ??= { CreateTime: stamp, LastUpdatedTime: stamp };
    this.bumpIds(id, row.DocNumber);
    if (entity === 'Customer') this.rememberName(row);
    if (entity === 'Payment') this.indexPayment(row);
    this.table(entity).set(id, row);
    this.orderCache.delete(entity);
    return row;
  }

  /** After a seed: balances that were not given are derived from the payments that link them. */
  settleSeedBalances(): void {
    for (const [entity, field] of [['Invoice', 'Balance'], ['CreditMemo', 'RemainingCredit']] as const) {
      for (const row of this.table(entity).values()) {
        if (row[field] === undefined) row[field] = money(Number(row.TotalAmt ?? 0) - this.appliedTo(row.Id, entity));
        if (entity === 'CreditMemo' && row.Balance === undefined) row.Balance = row.RemainingCredit;
      }
    }
    for (const payment of this.table('Payment').values()) {
      if (payment.UnappliedAmt === undefined) payment.UnappliedAmt = money(Number(payment.TotalAmt ?? 0) - netApplied(payment));
    }
    const open = this.openBalances();
    const children = new Map<string, string[]>();
    for (const customer of this.table('Customer').values()) {
      if (customer.Balance === undefined) customer.Balance = money(open.get(customer.Id) ?? 0);
      if (isRef(customer.ParentRef)) children.set(customer.ParentRef.value, [...(children.get(customer.ParentRef.value) ?? []), customer.Id]);
    }
    const withJobs = (id: string): number => Number(this.get('Customer', id)?.Balance ?? 0) + (children.get(id) ?? []).reduce((sum, child) => sum + withJobs(child), 0);
    for (const customer of this.table('Customer').values()) {
      if (customer.BalanceWithJobs === undefined) customer.BalanceWithJobs = money(withJobs(customer.Id));
    }
  }

  private bumpIds(id: string, docNumber: unknown): void {
    if (/^\d+$/.test(id) && Number(id) >= this.nextId && Number(id) < 1e12) this.nextId = Number(id) + 1;
    if (typeof docNumber === 'string' && /^\d+$/.test(docNumber) && Number(docNumber) >= this.nextDocNumber) this.nextDocNumber = Number(docNumber) + 1;
  }

  // ---- writing ------------------------------------------------------------------------------

  create(entity: string, body: Body): Entity {
    this.checkProperties(entity, body);
    const stamp = timestamp(this.now());
    const row = { ...body } as Entity;
    delete (row as Body).Id;
    row.Id = String(this.nextId++);
    row.SyncToken = '0';
    row.domain = 'QBO';
    row.sparse = false;
    row.MetaData = { CreateTime: stamp, LastUpdatedTime: stamp };
    this.applyRules(entity, row, undefined);
    this.table(entity).set(row.Id, row);
    this.orderCache.delete(entity);
    this.afterWrite(entity, row, undefined);
    this.emit(entity, row.Id, 'Create', stamp);
    return row;
  }

  update(entity: string, body: Body): Entity {
    this.checkProperties(entity, body);
    const id = body.Id === undefined ? undefined : String(body.Id);
    if (!id) throw faults.required('Id');
    if (body.SyncToken === undefined) throw faults.required('SyncToken');
    const current = this.read(entity, id);
    if (String(body.SyncToken) !== current.SyncToken) throw faults.stale();
    const stamp = timestamp(this.now());
    // A full update replaces the writable fields of the entities with rules; for the others the
    // sandbox cannot tell writable from derived fields, so it keeps what the update leaves out.
    const sparse = body.sparse === true || !KNOWN_PROPERTIES[entity];
    const base = sparse ? structuredClone(current) : { Id: current.Id, MetaData: current.MetaData, domain: 'QBO' };
    const row = { ...base, ...body } as Entity;
    row.Id = current.Id;
    row.sparse = false;
    row.SyncToken = String(Number(current.SyncToken) + 1);
    row.MetaData = { CreateTime: current.MetaData.CreateTime, LastUpdatedTime: stamp };
    this.applyRules(entity, row, current);
    this.table(entity).set(id, row);
    this.orderCache.delete(entity);
    this.afterWrite(entity, row, current);
    this.emit(entity, id, 'Update', stamp);
    return row;
  }

  delete(entity: string, body: Body): Tombstone {
    if (!DELETABLE.has(entity)) throw faults.unsupportedOperation(`/v3/company/${this.id}/${entity.toLowerCase()}?operation=delete`);
    const id = String(body.Id ?? '');
    const current = this.read(entity, id);
    if (entity !== 'Attachable' && String(body.SyncToken) !== current.SyncToken) throw faults.stale();
    const stamp = timestamp(this.now());
    this.table(entity).delete(id);
    this.orderCache.delete(entity);
    this.afterWrite(entity, undefined, current);
    const tomb: Tombstone = { Id: id, status: 'Deleted', domain: 'QBO', MetaData: { CreateTime: current.MetaData.CreateTime, LastUpdatedTime: stamp } };
    let tombs = this.tombstones.get(entity);
    if (!tombs) this.tombstones.set(entity, (tombs = new Map()));
    tombs.set(id, tomb);
    this.emit(entity, id, 'Delete', stamp);
    return tomb;
  }

  void(entity: string, body: Body): Entity {
    if (!VOIDABLE.has(entity)) throw faults.unsupportedOperation(`/v3/company/${this.id}/${entity.toLowerCase()}?operation=void`);
    const id = String(body.Id ?? '');
    const current = this.read(entity, id);
    if (String(body.SyncToken) !== current.SyncToken) throw faults.stale();
    const stamp = timestamp(this.now());
    const row = structuredClone(current);
    row.SyncToken = String(Number(current.SyncToken) + 1);
    row.MetaData = { CreateTime: current.MetaData.CreateTime, LastUpdatedTime: stamp };
    row.PrivateNote = 'Voided';
    row.TotalAmt = 0;
    if (Array.isArray(row.Line)) row.Line = (row.Line as Body[]).map((line) => ({ ...line, Amount: 0 }));
    if (row.TxnTaxDetail) row.TxnTaxDetail = { TotalTax: 0 };
    if (entity === 'Invoice') row.Balance = 0;
    if (entity === 'Payment') row.UnappliedAmt = 0;
    this.table(entity).set(id, row);
    this.orderCache.delete(entity);
    this.afterWrite(entity, row, current);
    this.emit(entity, id, 'Void', stamp);
    return row;
  }

  /** `invoice/:id/send`: records the delivery as QuickBooks does. */
  markSent(invoiceId: string, sendTo?: string): Entity {
    const current = this.read('Invoice', invoiceId);
    const stamp = timestamp(this.now());
    const row = structuredClone(current);
    if (sendTo) row.BillEmail = { Address: sendTo };
    if (!(row.BillEmail as { Address?: string } | undefined)?.Address) throw faults.businessValidation('Invoice must have a billing email address to be sent');
    row.EmailStatus = 'EmailSent';
    row.DeliveryInfo = { DeliveryType: 'Email', DeliveryTime: stamp };
    row.SyncToken = String(Number(current.SyncToken) + 1);
    row.MetaData = { CreateTime: current.MetaData.CreateTime, LastUpdatedTime: stamp };
    this.table('Invoice').set(invoiceId, row);
    this.orderCache.delete('Invoice');
    this.emit('Invoice', invoiceId, 'Update', stamp);
    return row;
  }

  private emit(entity: string, id: string, operation: Operation, lastUpdated: string): void {
    if (TRACKED.has(entity)) this.onChange({ realmId: this.id, name: entity, id, operation, lastUpdated });
  }

  private checkProperties(entity: string, body: Body): void {
    const known = KNOWN_PROPERTIES[entity];
    if (!known) return;
    const unknown = Object.keys(body).find((key) => !known.has(key));
    if (unknown) throw faults.unsupportedProperty(entity, unknown);
  }

  // ---- the bookkeeping rules ----------------------------------------------------------------

  private applyRules(entity: string, row: Entity, previous: Entity | undefined): void {
    switch (entity) {
      case 'Customer':
        return this.customerRules(row, previous);
      case 'Invoice':
      case 'CreditMemo':
        return this.salesTxnRules(entity, row, previous);
      case 'Payment':
        return this.paymentRules(row, previous);
      case 'Term':
        if (!row.Name) throw faults.required('Name');
        row.Active ??= true;
        row.Type ??= 'STANDARD';
        return;
      case 'Attachable':
        return this.attachableRules(row);
      default:
        return plainDefaults(entity, row);
    }
  }

  private customerRules(row: Entity, previous: Entity | undefined): void {
    const derived = [row.GivenName, row.FamilyName].filter(Boolean).join(' ') || (row.CompanyName as string | undefined);
    row.DisplayName ??= derived;
    if (!row.DisplayName) throw faults.required('DisplayName');
    const key = String(row.DisplayName).trim().toLowerCase();
    const owner = this.displayNames.get(key);
    if (owner && owner !== row.Id) throw faults.duplicateName();
    if (previous) this.displayNames.delete(String(previous.DisplayName).trim().toLowerCase());
    this.displayNames.set(key, row.Id);
    if (isRef(row.ParentRef)) {
      const parent = this.read('Customer', row.ParentRef.value);
      row.Job = true;
      row.Level = Number(parent.Level ?? 0) + 1;
      row.FullyQualifiedName = `${parent.FullyQualifiedName ?? parent.DisplayName}:${row.DisplayName}`;
    } else {
      row.Job = false;
      row.FullyQualifiedName = row.DisplayName;
    }
    row.PrintOnCheckName ??= row.DisplayName;
    row.Active ??= true;
    // A US company with sales tax on gives new customers its default tax code.
    row.Taxable ??= true;
    if (row.Taxable) row.DefaultTaxCodeRef ??= { value: '2' };
    row.BillWithParent ??= false;
    row.CurrencyRef ??= { value: 'USD', name: 'United States Dollar' };
    row.PreferredDeliveryMethod ??= 'Print';
    row.Balance = previous ? previous.Balance : 0;
    row.BalanceWithJobs = previous ? previous.BalanceWithJobs : 0;
    if (typeof row.Notes === 'string' && row.Notes.length > 2000) throw faults.businessValidation('Notes cannot exceed 2000 characters');
  }

  private salesTxnRules(entity: 'Invoice' | 'CreditMemo', row: Entity, previous: Entity | undefined): void {
    const customer = this.customerOf(row);
    if (!Array.isArray(row.Line) || row.Line.length === 0) throw faults.required('Line');
    const lines = (row.Line as Body[]).filter((line) => line.DetailType !== 'SubTotalLineDetail');
    let subtotal = 0;
    lines.forEach((line, index) => {
      const detail = line.SalesItemLineDetail as { Qty?: number; UnitPrice?: number; TaxCodeRef?: Ref } | undefined;
      if (detail) detail.TaxCodeRef ??= { value: 'NON' };
      if (line.Amount === undefined && detail?.Qty !== undefined && detail.UnitPrice !== undefined) line.Amount = money(detail.Qty * detail.UnitPrice);
      if (typeof line.Amount !== 'number' || !Number.isFinite(line.Amount)) throw faults.required(`Line[${index}].Amount`);
      line.Id ??= String(index + 1);
      line.LineNum ??= index + 1;
      subtotal += line.DetailType === 'DiscountLineDetail' ? -line.Amount : line.Amount;
    });
    row.Line = [...lines, { Amount: money(subtotal), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }];
    const tax = Number((row.TxnTaxDetail as { TotalTax?: number } | undefined)?.TotalTax ?? 0);
    row.TxnTaxDetail ??= { TotalTax: 0 };
    row.TotalAmt = money(subtotal + tax);
    if (typeof row.PrivateNote === 'string' && row.PrivateNote.length > 4000) throw faults.businessValidation('PrivateNote cannot exceed 4000 characters');
    row.TxnDate ??= this.today();
    row.CurrencyRef ??= customer.CurrencyRef ?? { value: 'USD', name: 'United States Dollar' };
    row.DocNumber ??= String(this.nextDocNumber++);
    row.PrintStatus ??= 'NeedToPrint';
    row.EmailStatus ??= 'NotSet';
    row.ApplyTaxAfterDiscount ??= false;
    row.BillAddr ??= customer.BillAddr;
    row.ShipAddr ??= customer.ShipAddr ?? customer.BillAddr;
    if (!row.BillEmail && isEmail(customer.PrimaryEmailAddr)) row.BillEmail = { Address: (customer.PrimaryEmailAddr as { Address: string }).Address };
    const applied = previous ? this.appliedTo(row.Id, entity) : 0;
    if (entity === 'Invoice') {
      row.DueDate ??= addDays(String(row.TxnDate), this.termDays(row.SalesTermRef ?? customer.SalesTermRef));
      row.LinkedTxn ??= [];
      row.AllowIPNPayment ??= false;
      row.AllowOnlinePayment ??= false;
      row.AllowOnlineCreditCardPayment ??= this.paymentsEnabled;
      row.AllowOnlineACHPayment ??= this.paymentsEnabled;
      row.Balance = money(Number(row.TotalAmt) - applied);
      if (Number(row.Balance) < 0) throw faults.businessValidation(`The invoice total cannot be less than the ${applied.toFixed(2)} already paid`);
    } else {
      row.RemainingCredit = money(Number(row.TotalAmt) - applied);
      row.Balance = row.RemainingCredit;
    }
  }

  /** The customer a transaction names; its CustomerRef is filled in with the name, as QuickBooks does. */
  private customerOf(row: Entity): Entity {
    if (!isRef(row.CustomerRef)) throw faults.required('CustomerRef');
    const customer = this.get('Customer', row.CustomerRef.value);
    if (!customer) throw faults.invalidReference('Customer', row.CustomerRef.value);
    row.CustomerRef = { value: customer.Id, name: customer.DisplayName as string };
    return customer;
  }

  private paymentRules(row: Entity, previous: Entity | undefined): void {
    const customer = this.customerOf(row);
    if (typeof row.TotalAmt !== 'number' || !Number.isFinite(row.TotalAmt) || row.TotalAmt < 0) throw faults.required('TotalAmt');
    row.Line = Array.isArray(row.Line) ? row.Line : [];
    const previousLinks = previous ? linksOf(previous) : [];
    for (const { txnId, txnType, amount } of linksOf(row)) {
      const target = this.get(txnType, txnId);
      if (!target) throw faults.businessValidation(`The entity ${txnType} ${txnId} that you are trying to link does not exist. ${txnType} ${txnId}`);
      if ((target.CustomerRef as Ref).value !== customer.Id && !this.isJobOf(String((target.CustomerRef as Ref).value), customer.Id)) {
        throw faults.businessValidation(`${txnType} ${txnId} belongs to another customer`);
      }
      const open = Number(txnType === 'Invoice' ? target.Balance : target.RemainingCredit);
      const givenBack = previousLinks.filter((l) => l.txnId === txnId && l.txnType === txnType).reduce((sum, l) => sum + l.amount, 0);
      if (amount > money(open + givenBack) + 0.001) throw faults.businessValidation(`The payment amount of ${amount.toFixed(2)} exceeds the open balance of ${txnType} ${txnId}`);
    }
    row.TxnDate ??= this.today();
    row.CurrencyRef ??= customer.CurrencyRef ?? { value: 'USD', name: 'United States Dollar' };
    row.UnappliedAmt = money(Number(row.TotalAmt) - netApplied(row));
    if (Number(row.UnappliedAmt) < -0.001) throw faults.businessValidation('The amounts applied exceed the payment total');
  }

  private attachableRules(row: Entity): void {
    const refs = Array.isArray(row.AttachableRef) ? (row.AttachableRef as Array<{ EntityRef?: { type?: string; value?: string } }>) : [];
    if (!row.Note && !row.FileName) throw faults.required('Note');
    if (typeof row.Note === 'string' && row.Note.length > NOTE_MAX_LENGTH) throw faults.businessValidation(`Note cannot exceed ${NOTE_MAX_LENGTH} characters`);
    for (const ref of refs) {
      const type = ref.EntityRef?.type ?? '';
      const value = String(ref.EntityRef?.value ?? '');
      // A note on a deleted (or never existing) record: QuickBooks answers 610, Object Not Found.
      if (!this.get(type, value)) throw faults.notFound();
    }
    row.AttachableRef = refs.map((ref) => ({ IncludeOnSend: false, ...ref }));
  }

  /** Keeps linked balances in step after a write: the difference between old and new links. */
  private afterWrite(entity: string, row: Entity | undefined, previous: Entity | undefined): void {
    if (entity === 'Payment') {
      const deltas = new Map<string, { type: string; id: string; amount: number }>();
      for (const link of previous ? linksOf(previous) : []) addDelta(deltas, link.txnType, link.txnId, link.amount);
      for (const link of row ? linksOf(row) : []) addDelta(deltas, link.txnType, link.txnId, -link.amount);
      if (previous) this.unindexPayment(previous);
      if (row) this.indexPayment(row);
      for (const { type, id, amount } of deltas.values()) {
        const target = this.get(type, id);
        if (!target || Math.abs(amount) < 0.0001) continue;
        if (type === 'Invoice') {
          target.Balance = money(Number(target.Balance) + amount);
          syncLinkedPayment(target, row ?? previous!, Boolean(row && linksOf(row).some((l) => l.txnId === id && l.txnType === type)));
        } else {
          target.RemainingCredit = money(Number(target.RemainingCredit) + amount);
          target.Balance = target.RemainingCredit;
        }
        // QuickBooks saves the invoice or credit memo a payment touches: new SyncToken, new time, reported by CDC.
        const stamp = timestamp(this.now());
        target.SyncToken = String(Number(target.SyncToken) + 1);
        target.MetaData = { ...target.MetaData, LastUpdatedTime: stamp };
        this.orderCache.delete(type);
        this.emit(type, id, 'Update', stamp);
        this.adjustCustomer(String((target.CustomerRef as Ref).value), type === 'Invoice' ? amount : -amount);
      }
      return;
    }
    if (entity === 'Invoice' || entity === 'CreditMemo') {
      const field = entity === 'Invoice' ? 'Balance' : 'RemainingCredit';
      const sign = entity === 'Invoice' ? 1 : -1;
      if (previous) this.adjustCustomer(String((previous.CustomerRef as Ref).value), -sign * Number(previous[field] ?? 0));
      if (row) this.adjustCustomer(String((row.CustomerRef as Ref).value), sign * Number(row[field] ?? 0));
      if (!row && previous && this.paymentLinks.get(`${entity}:${previous.Id}`)?.size) {
        // QuickBooks unlinks payments from a deleted invoice; the money becomes unapplied.
        for (const paymentId of [...this.paymentLinks.get(`${entity}:${previous.Id}`)!]) this.unlinkPayment(paymentId, entity, previous.Id);
      }
    }
  }

  private unlinkPayment(paymentId: string, type: string, id: string): void {
    const payment = this.get('Payment', paymentId);
    if (!payment) return;
    this.unindexPayment(payment);
    payment.Line = (payment.Line as Body[]).filter((line) => !linksOfLine(line).some((l) => l.txnId === id && l.txnType === type));
    payment.UnappliedAmt = money(Number(payment.TotalAmt) - netApplied(payment));
    payment.SyncToken = String(Number(payment.SyncToken) + 1);
    payment.MetaData = { ...payment.MetaData, LastUpdatedTime: timestamp(this.now()) };
    this.orderCache.delete('Payment');
    this.indexPayment(payment);
    this.emit('Payment', paymentId, 'Update', payment.MetaData.LastUpdatedTime);
  }

  private adjustCustomer(customerId: string, amount: number): void {
    const customer = this.get('Customer', customerId);
    if (!customer || Math.abs(amount) < 0.0001) return;
    this.orderCache.delete('Customer');
    customer.Balance = money(Number(customer.Balance ?? 0) + amount);
    customer.BalanceWithJobs = money(Number(customer.BalanceWithJobs ?? 0) + amount);
    let parentRef = customer.ParentRef;
    while (isRef(parentRef)) {
      const parent = this.get('Customer', parentRef.value);
      if (!parent) break;
      parent.BalanceWithJobs = money(Number(parent.BalanceWithJobs ?? 0) + amount);
      parentRef = parent.ParentRef;
    }
  }

  private isJobOf(childId: string, parentId: string): boolean {
    let current = this.get('Customer', childId);
    while (current && isRef(current.ParentRef)) {
      if (current.ParentRef.value === parentId) return true;
      current = this.get('Customer', current.ParentRef.value);
    }
    return false;
  }

  private indexPayment(payment: Entity): void {
    for (const { txnType, txnId } of linksOf(payment)) {
      const key = `${txnType}:${txnId}`;
      let set = this.paymentLinks.get(key);
      if (!set) this.paymentLinks.set(key, (set = new Set()));
      set.add(payment.Id);
    }
  }

  private unindexPayment(payment: Entity): void {
    for (const { txnType, txnId } of linksOf(payment)) this.paymentLinks.get(`${txnType}:${txnId}`)?.delete(payment.Id);
  }

  private appliedTo(id: string, type: string): number {
    let total = 0;
    for (const paymentId of this.paymentLinks.get(`${type}:${id}`) ?? []) {
      const payment = this.get('Payment', paymentId);
      if (payment) total += linksOf(payment).filter((l) => l.txnId === id && l.txnType === type).reduce((sum, l) => sum + l.amount, 0);
    }
    return money(total);
  }

  /** Open balance per customer id: invoice balances less unused credit, in one pass. */
  private openBalances(): Map<string, number> {
    const open = new Map<string, number>();
    const add = (ref: unknown, amount: number) => {
      if (isRef(ref)) open.set(ref.value, (open.get(ref.value) ?? 0) + amount);
    };
    for (const invoice of this.table('Invoice').values()) add(invoice.CustomerRef, Number(invoice.Balance ?? 0));
    for (const memo of this.table('CreditMemo').values()) add(memo.CustomerRef, -Number(memo.RemainingCredit ?? 0));
    return open;
  }

  private termDays(ref: unknown): number {
    if (isRef(ref)) {
      const term = this.get('Term', ref.value);
      if (term && typeof term.DueDays === 'number') return term.DueDays;
    }
    return DEFAULT_TERM_DAYS;
  }

  private rememberName(row: Entity): void {
    if (row.DisplayName) this.displayNames.set(String(row.DisplayName).trim().toLowerCase(), row.Id);
  }

  today(): string {
    return this.now().toISOString().slice(0, 10);
  }
}

function project(row: Entity, fields: string[]): Entity {
  const picked: Body = { domain: row.domain, sparse: true, Id: row.Id };
  for (const field of fields) {
    const key = Object.keys(row).find((k) => k.toLowerCase() === field.toLowerCase());
    if (key) picked[key] = row[key];
  }
  return picked as Entity;
}

interface Link {
  txnId: string;
  txnType: 'Invoice' | 'CreditMemo';
  amount: number;
}

function linksOfLine(line: Body): Link[] {
  const linked = Array.isArray(line.LinkedTxn) ? (line.LinkedTxn as Array<{ TxnId?: string; TxnType?: string }>) : [];
  return linked
    .filter((l) => l.TxnType === 'Invoice' || l.TxnType === 'CreditMemo')
    .map((l) => ({ txnId: String(l.TxnId), txnType: l.TxnType as Link['txnType'], amount: Number(line.Amount ?? 0) }));
}

function linksOf(payment: Body): Link[] {
  return Array.isArray(payment.Line) ? (payment.Line as Body[]).flatMap(linksOfLine) : [];
}

/** What a payment applied: invoices paid minus credit memos used. */
function netApplied(payment: Body): number {
  return linksOf(payment).reduce((sum, l) => sum + (l.txnType === 'Invoice' ? l.amount : -l.amount), 0);
}

function addDelta(deltas: Map<string, { type: string; id: string; amount: number }>, type: string, id: string, amount: number): void {
  const key = `${type}:${id}`;
  const entry = deltas.get(key) ?? { type, id, amount: 0 };
  entry.amount += amount;
  deltas.set(key, entry);
}

function syncLinkedPayment(invoice: Entity, payment: Entity, linked: boolean): void {
  const list = (Array.isArray(invoice.LinkedTxn) ? invoice.LinkedTxn : []) as Array<{ TxnId: string; TxnType: string }>;
  const without = list.filter((l) => !(l.TxnType === 'Payment' && l.TxnId === payment.Id));
  invoice.LinkedTxn = linked ? [...without, { TxnId: payment.Id, TxnType: 'Payment' }] : without;
}

function isEmail(value: unknown): boolean {
  return Boolean(value) && typeof (value as { Address?: unknown }).Address === 'string' && /@/.test((value as { Address: string }).Address);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
