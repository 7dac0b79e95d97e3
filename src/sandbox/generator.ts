import { addDays } from './realm';
import type { SeedFile } from './seed';

/**
 * A realistic company for demos, tests and benchmarks, deterministic for a given seed number:
 * commercial and personal customers (a few sub-customers, some without email), terms, invoices
 * of every age relative to `asOf`, payments on time, late and partial, and a few credit memos.
 */
export interface GenerateOptions {
  realmId: string;
  customers: number;
  invoices: number;
  /** The day the company is "now", YYYY-MM-DD. */
  asOf: string;
  seed?: number;
  companyName?: string;
  /** How far back the invoices go, in days (default 200); recent business outweighs old. */
  historyDays?: number;
  /**
   * At most this many invoices left open: the newest open ones stay open, older ones are paid
   * in full (a partial payment made whole, or a payment on the due day). Default: as generated.
   */
  openInvoices?: number;
  /**
   * When the company is generated (the sandbox's clock). A change QuickBooks stamps is never in
   * the future, and the generated book was last touched an hour before it is loaded: what the
   * day's hours would put later is stamped an hour before this moment instead, so a CDC asked
   * for changes since the first sync (less its minute of overlap) does not find the whole book.
   */
  generatedAt?: Date;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Amy', 'Bill', 'Carla', 'Dev', 'Elena', 'Frank', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kira', 'Luis', 'Mara', 'Nate', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wes', 'Yuki', 'Zoe'];
const LAST = ['Adams', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Khan', 'Lopez', 'Moreau', 'Novak', 'Okafor', 'Patel', 'Quist', 'Rossi', 'Silva', 'Tanaka', 'Usman', 'Varga', 'Walsh', 'Young', 'Zimmer'];
const TRADE = ['Landscaping', 'Plumbing', 'Design', 'Bakery', 'Dental', 'Logistics', 'Builders', 'Electric', 'Catering', 'Printing', 'Auto Repair', 'Florist', 'Consulting', 'Roofing', 'Cleaning'];
const PLACE = ['Harbor', 'Summit', 'Maple', 'Cedar', 'Riverside', 'Northgate', 'Oak Hill', 'Lakeview', 'Granite', 'Sunset', 'Pioneer', 'Bayshore', 'Juniper', 'Redwood', 'Meadow'];
const SUFFIX = ['LLC', 'Inc.', 'Co.', '& Sons', 'Group', 'Partners', 'Ltd.'];
const ITEMS = [['Design', 150], ['Installation', 85], ['Maintenance', 60], ['Consultation', 120], ['Materials', 45], ['Delivery', 35], ['Repair', 95], ['Inspection', 70]] as const;
const TERMS = [
  { Id: '1', Name: 'Due on receipt', DueDays: 0 },
  { Id: '2', Name: 'Net 15', DueDays: 15 },
  { Id: '3', Name: 'Net 30', DueDays: 30 },
  { Id: '4', Name: 'Net 60', DueDays: 60 },
];

function stamp(date: string, hour = 10): string {
  return `${date}T${String(hour).padStart(2, '0')}:00:00-00:00`;
}

/** How long before it is loaded a generated book was last changed. */
const QUIET_BEFORE_LOAD_MS = 3600_000;

/** Moves the MetaData times of `rows` that lie after `moment` back to it. */
function notAfter(rows: Array<Record<string, unknown>>, moment: Date): void {
  const latest = `${moment.toISOString().slice(0, 19)}-00:00`;
  for (const row of rows) {
    const meta = row.MetaData as { CreateTime: string; LastUpdatedTime: string };
    if (Date.parse(meta.CreateTime) > moment.getTime()) meta.CreateTime = latest;
    if (Date.parse(meta.LastUpdatedTime) > moment.getTime()) meta.LastUpdatedTime = latest;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export function generateCompany(options: GenerateOptions): SeedFile {
  const random = prng(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const asOf = options.asOf;
  const name = options.companyName ?? 'Meadowbrook Supply Co.';
  const domain = name.toLowerCase().replace(/[^a-z]+/g, '') || 'company';

  const customers: Array<Record<string, unknown>> = [];
  const weight: number[] = [];
  const usedNames = new Set<string>();
  for (let i = 0; i < options.customers; i++) {
    const id = String(i + 1);
    const given = pick(FIRST);
    const family = pick(LAST);
    const commercial = random() < 0.6;
    let display = commercial ? `${pick(PLACE)} ${pick(TRADE)} ${pick(SUFFIX)}` : `${given} ${family}`;
    while (usedNames.has(display.toLowerCase())) display = `${display} ${usedNames.size}`;
    usedNames.add(display.toLowerCase());
    const emailDomain = commercial ? `${display.toLowerCase().replace(/[^a-z]+/g, '')}.example` : 'mail.example';
    const hasEmail = random() > 0.08;
    const parent = commercial && i > 10 && random() < 0.03 ? customers.find((c) => c.CompanyName && !c.ParentRef) : undefined;
    const customer: Record<string, unknown> = {
      Id: id,
      GivenName: given,
      FamilyName: family,
      DisplayName: display,
      ...(commercial ? { CompanyName: display } : {}),
      ...(hasEmail ? { PrimaryEmailAddr: { Address: `${commercial ? 'ap' : `${given}.${family}`.toLowerCase()}@${emailDomain}` } } : {}),
      PrimaryPhone: { FreeFormNumber: `(555) ${String(200 + Math.floor(random() * 700))}-${String(Math.floor(random() * 10000)).padStart(4, '0')}` },
      ...(random() < 0.3 ? { Mobile: { FreeFormNumber: `(555) ${String(200 + Math.floor(random() * 700))}-${String(Math.floor(random() * 10000)).padStart(4, '0')}` } } : {}),
      BillAddr: { Line1: `${10 + Math.floor(random() * 9000)} ${pick(PLACE)} Rd`, City: pick(['Springfield', 'Riverton', 'Fairview', 'Georgetown', 'Salem']), CountrySubDivisionCode: pick(['IL', 'OR', 'TX', 'NY', 'CA']), PostalCode: String(10000 + Math.floor(random() * 89999)) },
      SalesTermRef: { value: commercial ? pick(['2', '3', '3', '3', '4']) : pick(['1', '2', '3']) },
      Active: random() > 0.02,
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      MetaData: { CreateTime: stamp(addDays(asOf, -400)), LastUpdatedTime: stamp(addDays(asOf, -400)) },
      ...(parent ? { ParentRef: { value: parent.Id } } : {}),
    };
    customers.push(customer);
    // A few customers hold most of the business, as in real ledgers (80/20).
    weight.push(commercial ? Math.pow(random(), 3) * 20 + 0.5 : random() + 0.2);
  }
  const cumulative: number[] = [];
  weight.reduce((sum, w, i) => (cumulative[i] = sum + w), 0);
  const totalWeight = cumulative[cumulative.length - 1] ?? 1;
  const pickCustomer = () => {
    const target = random() * totalWeight;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return customers[low]!;
  };

  const invoices: Array<Record<string, unknown>> = [];
  const payments: Array<Record<string, unknown>> = [];
  const creditMemos: Array<Record<string, unknown>> = [];
  let nextId = options.customers + 1;
  for (let i = 0; i < options.invoices; i++) {
    const customer = pickCustomer();
    const termId = (customer.SalesTermRef as { value: string }).value;
    const term = TERMS.find((t) => t.Id === termId)!;
    // Ages spread over the history (200 days unless told), with more recent business than old.
    const age = Math.floor(Math.pow(random(), 1.6) * (options.historyDays ?? 200));
    const txnDate = addDays(asOf, -age);
    const dueDate = addDays(txnDate, term.DueDays);
    const lineCount = 1 + Math.floor(random() * 3);
    const scale = customer.CompanyName ? 1 + Math.pow(random(), 2) * 40 : 0.5 + random() * 3;
    const lines = Array.from({ length: lineCount }, (_, n) => {
      const [item, price] = pick(ITEMS);
      const qty = 1 + Math.floor(random() * 8 * scale);
      return { Id: String(n + 1), LineNum: n + 1, Description: item, Amount: round(qty * price), DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: String(n + 1), name: item }, UnitPrice: price, Qty: qty } };
    });
    const total = round(lines.reduce((sum, line) => sum + line.Amount, 0));
    const id = String(nextId++);
    const email = (customer.PrimaryEmailAddr as { Address: string } | undefined)?.Address;
    invoices.push({
      Id: id,
      DocNumber: String(1001 + i),
      TxnDate: txnDate,
      DueDate: dueDate,
      CustomerRef: { value: customer.Id, name: customer.DisplayName },
      SalesTermRef: { value: term.Id, name: term.Name },
      ...(email ? { BillEmail: { Address: email } } : {}),
      Line: [...lines, { Amount: total, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }],
      TxnTaxDetail: { TotalTax: 0 },
      TotalAmt: total,
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      EmailStatus: email ? 'EmailSent' : 'NotSet',
      PrintStatus: 'NeedToPrint',
      AllowOnlineCreditCardPayment: true,
      AllowOnlineACHPayment: true,
      LinkedTxn: [],
      MetaData: { CreateTime: stamp(txnDate, 9), LastUpdatedTime: stamp(txnDate, 9) },
    });

    // Older invoices are more often paid; some are paid in part, some late.
    const overdueDays = Math.max(0, age - term.DueDays);
    const paidChance = Math.min(0.9, 0.15 + age / 120);
    const roll = random();
    if (roll < paidChance || (roll < paidChance + 0.12 && age > 10)) {
      const partial = roll >= paidChance;
      const amount = partial ? round(total * (0.2 + random() * 0.6)) : total;
      const lateBy = overdueDays > 0 && random() < 0.5 ? Math.floor(random() * overdueDays) : 0;
      const paidOn = addDays(dueDate, Math.min(lateBy - Math.floor(random() * Math.max(term.DueDays, 1)), age - term.DueDays));
      const date = paidOn > asOf ? asOf : paidOn < txnDate ? txnDate : paidOn;
      const paymentId = String(nextId++);
      payments.push({
        Id: paymentId,
        TxnDate: date,
        CustomerRef: { value: customer.Id, name: customer.DisplayName },
        TotalAmt: amount,
        UnappliedAmt: 0,
        PaymentRefNum: String(5000 + payments.length),
        CurrencyRef: { value: 'USD', name: 'United States Dollar' },
        Line: [{ Amount: amount, LinkedTxn: [{ TxnId: id, TxnType: 'Invoice' }] }],
        MetaData: { CreateTime: stamp(date, 15), LastUpdatedTime: stamp(date, 15) },
      });
      (invoices[invoices.length - 1]!.LinkedTxn as unknown[]).push({ TxnId: paymentId, TxnType: 'Payment' });
    }
    if (random() < 0.01) {
      const amount = round(Math.min(total * 0.25, 250));
      const date = addDays(txnDate, 5) > asOf ? asOf : addDays(txnDate, 5);
      creditMemos.push({
        Id: String(nextId++),
        DocNumber: `CM${1001 + creditMemos.length}`,
        TxnDate: date,
        CustomerRef: { value: customer.Id, name: customer.DisplayName },
        Line: [{ Id: '1', LineNum: 1, Description: 'Credit for damaged goods', Amount: amount, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1', name: 'Credit' } } }, { Amount: amount, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }],
        TotalAmt: amount,
        CurrencyRef: { value: 'USD', name: 'United States Dollar' },
        MetaData: { CreateTime: stamp(date, 11), LastUpdatedTime: stamp(date, 11) },
      });
    }
  }

  if (options.openInvoices !== undefined) settleAllBut(options.openInvoices, invoices, payments, asOf, () => String(nextId++));
  if (options.generatedAt) notAfter([...customers, ...invoices, ...payments, ...creditMemos], new Date(options.generatedAt.getTime() - QUIET_BEFORE_LOAD_MS));

  return {
    realmId: options.realmId,
    owner: { email: `owner@${domain}.example`, givenName: 'Morgan', familyName: 'Reyes' },
    CompanyInfo: { CompanyName: name, LegalName: name, Email: { Address: `billing@${domain}.example` } },
    Term: TERMS.map((term) => ({ ...term, Active: true, Type: 'STANDARD', MetaData: { CreateTime: stamp('2015-01-01'), LastUpdatedTime: stamp('2015-01-01') } })),
    Customer: customers,
    Invoice: invoices,
    Payment: payments,
    CreditMemo: creditMemos,
  };
}

/**
 * Pays in full every open invoice but the `keep` newest: a partial payment becomes the whole
 * amount, an unpaid invoice gets a payment on its due day (today if that is later). No random
 * draws, so the rest of the company is what the same seed always gives.
 */
function settleAllBut(keep: number, invoices: Array<Record<string, unknown>>, payments: Array<Record<string, unknown>>, asOf: string, nextId: () => string): void {
  const paymentOf = new Map<string, Record<string, unknown>>();
  for (const payment of payments) paymentOf.set((payment.Line as Array<{ LinkedTxn: Array<{ TxnId: string }> }>)[0]!.LinkedTxn[0]!.TxnId, payment);
  const open = invoices.filter((invoice) => Number(paymentOf.get(invoice.Id as string)?.TotalAmt ?? 0) < Number(invoice.TotalAmt));
  open.sort((a, b) => String(b.TxnDate).localeCompare(String(a.TxnDate)) || Number(b.Id) - Number(a.Id));
  for (const invoice of open.slice(keep)) {
    const total = invoice.TotalAmt as number;
    const payment = paymentOf.get(invoice.Id as string);
    if (payment) {
      payment.TotalAmt = total;
      (payment.Line as Array<{ Amount: number }>)[0]!.Amount = total;
      continue;
    }
    const due = String(invoice.DueDate);
    const date = due > asOf ? asOf : due;
    const customer = invoice.CustomerRef as { value: string; name: string };
    const id = nextId();
    payments.push({
      Id: id,
      TxnDate: date,
      CustomerRef: customer,
      TotalAmt: total,
      UnappliedAmt: 0,
      PaymentRefNum: String(5000 + payments.length),
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      Line: [{ Amount: total, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      MetaData: { CreateTime: stamp(date, 15), LastUpdatedTime: stamp(date, 15) },
    });
    (invoice.LinkedTxn as unknown[]).push({ TxnId: id, TxnType: 'Payment' });
  }
}

/** Parses `customers=N,invoices=M[,open=K][,days=D]` (the CLI's --generate). */
export function parseGenerateSpec(spec: string): { customers: number; invoices: number; openInvoices?: number; historyDays?: number } {
  const values: Record<string, number> = {};
  for (const part of spec.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!key || !value || !/^\d+$/.test(value)) throw new Error(`--generate takes customers=N,invoices=M[,open=K] (got "${spec}")`);
    values[key] = Number(value);
  }
  const unknown = Object.keys(values).filter((k) => !['customers', 'invoices', 'open', 'days'].includes(k));
  if (unknown.length) throw new Error(`--generate does not know ${unknown.join(', ')}; use customers=N,invoices=M[,open=K][,days=D]`);
  if (values.days === 0) throw new Error('--generate days=D needs at least one day of history');
  return {
    customers: values.customers ?? 60,
    invoices: values.invoices ?? 300,
    ...(values.open !== undefined ? { openInvoices: values.open } : {}),
    ...(values.days !== undefined ? { historyDays: values.days } : {}),
  };
}
