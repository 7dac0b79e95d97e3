import { addDays, isBusinessDay, weekday, type LocalDate } from '../../src/collections/calendar';
import { centsToNumber, type Cents } from '../../src/collections/money';
import type { SeedFile } from '../../src/sandbox/seed';
import { Dice } from './dice';

/**
 * A generated company and its next 90 business days, decided before the run from one seed
 * number: the customers (a parent with jobs two deep, a personal parent whose job has a company
 * name, personal customers, one without an email address, one made inactive), the back
 * catalogue of invoices at the start, the invoices issued during the window, and when each
 * invoice gets paid (on time, late, in part, or never). The collector's calls and the payments
 * that answer promises are decided during the run (simulation.ts), from the same seed.
 */

/** What a few customers do by design, so the situations the checks are about arise in every run. */
export type Script =
  /** Pays every invoice at once, after the morning run, on a day its call is on the list; the collector never reaches it first. */
  | 'settles_after_the_run'
  /** Promises a round figure above what it owes, then pays exactly what it owes, before the date. */
  | 'promises_a_round_figure';

export interface PlannedCustomer {
  id: string;
  script?: Script;
  displayName: string;
  companyName?: string;
  givenName: string;
  familyName: string;
  email?: string;
  parentId?: string;
  active: boolean;
  termId: string;
}

export interface PlannedInvoice {
  docNumber: string;
  customerId: string;
  txnDate: LocalDate;
  dueDate: LocalDate;
  termId: string;
  lines: Array<{ description: string; cents: Cents }>;
  totalCents: Cents;
}

/** When in its day a payment reaches QuickBooks: before the morning run, or after it and before the day's mail goes out. */
export type PaymentTiming = 'morning' | 'before_send';

export interface PlannedPayment {
  on: LocalDate;
  docNumber: string;
  cents: Cents;
  timing: PaymentTiming;
  why: 'on_time' | 'late' | 'part' | 'rest';
}

export interface CompanyPlan {
  realmId: string;
  companyName: string;
  timeZone: string;
  seedNumber: number;
  start: LocalDate;
  /** The business days of the window, `start` first. */
  businessDays: LocalDate[];
  end: LocalDate;
  customers: PlannedCustomer[];
  /** Open or paid at the start: in the sandbox's seed. */
  backCatalogue: PlannedInvoice[];
  /** Issued during the window, each entered in QuickBooks on its date. */
  issued: PlannedInvoice[];
  /** Payments during the window, on business days. */
  payments: PlannedPayment[];
  /** The day the customer scripted to settle after the run does so (a Thursday: personal customers' call day). */
  settlesOn: LocalDate;
  /** What the sandbox starts from: terms, customers, the back catalogue and the payments before the start. */
  seed: SeedFile;
}

export interface PlanOptions {
  realmId: string;
  seed: number;
  /** A Monday. */
  start: LocalDate;
  businessDays?: number;
  customers?: number;
  backCatalogue?: number;
  issued?: number;
  companyName?: string;
}

/** The customers planCustomers() puts first, each with a shape or a script the checks rely on. */
const SPECIAL_CUSTOMERS = 9;

const TERMS = [
  { Id: '1', Name: 'Due on receipt', DueDays: 0 },
  { Id: '2', Name: 'Net 15', DueDays: 15 },
  { Id: '3', Name: 'Net 30', DueDays: 30 },
  { Id: '4', Name: 'Net 45', DueDays: 45 },
];
const TERM_DAYS = new Map(TERMS.map((t) => [t.Id, t.DueDays]));

const GIVEN = ['Alma', 'Boris', 'Cleo', 'Darius', 'Edith', 'Felix', 'Greta', 'Hector', 'Imani', 'Jonah', 'Keiko', 'Lars', 'Mina', 'Nikos', 'Opal', 'Pavel', 'Rhea', 'Soren', 'Talia', 'Uriel', 'Wanda', 'Xavi', 'Yara', 'Zeno'];
const FAMILY = ['Abara', 'Brandt', 'Castillo', 'Dubois', 'Eriksen', 'Farouk', 'Gallo', 'Hale', 'Iqbal', 'Juarez', 'Kowalski', 'Lindqvist', 'Mbeki', 'Nakamura', 'Ortega', 'Petrov', 'Quiroga', 'Rinaldi', 'Sato', 'Thorne'];
const FIRMS = ['Alder', 'Basalt', 'Copper', 'Driftwood', 'Ember', 'Fjord', 'Garnet', 'Hollow', 'Ironbark', 'Jasper', 'Kestrel', 'Lumen', 'Mistral', 'Nettle', 'Obsidian', 'Pinecrest', 'Quartz', 'Rowan'];
const TRADES = ['Joinery', 'Signworks', 'Clinic', 'Freight', 'Kitchens', 'Glazing', 'Studio', 'Outfitters', 'Masonry', 'Nursery'];
const SERVICES = ['Site survey', 'Installation', 'Materials', 'Maintenance visit', 'Design work', 'Delivery', 'Repairs', 'Consultation'];

function nextBusinessDay(date: LocalDate): LocalDate {
  let day = date;
  while (!isBusinessDay(day)) day = addDays(day, 1);
  return day;
}

function businessDaysFrom(start: LocalDate, count: number): LocalDate[] {
  const days: LocalDate[] = [];
  for (let day = start; days.length < count; day = addDays(day, 1)) if (isBusinessDay(day)) days.push(day);
  return days;
}

/** The customers whose shape the checks depend on, then ordinary ones. */
function planCustomers(dice: Dice, count: number): PlannedCustomer[] {
  const customers: PlannedCustomer[] = [];
  const add = (customer: Omit<PlannedCustomer, 'id' | 'active' | 'termId'> & Partial<Pick<PlannedCustomer, 'active' | 'termId'>>) => {
    const id = String(customers.length + 1);
    customers.push({ active: true, termId: customer.companyName ? dice.pick(['2', '3', '3', '4']) : dice.pick(['1', '2', '3']), ...customer, id });
    return id;
  };
  // A commercial parent with a job and a job of that job: one account, three customers in QuickBooks.
  const granite = add({ displayName: 'Granite Ridge Holdings Inc.', companyName: 'Granite Ridge Holdings Inc.', givenName: 'Marta', familyName: 'Quist', email: 'ap@graniteridge.example', termId: '3' });
  const quarry = add({ displayName: 'Granite Ridge Quarry Road job', companyName: 'Granite Ridge Holdings Inc.', givenName: 'Marta', familyName: 'Quist', email: 'quarry@graniteridge.example', parentId: granite, termId: '3' });
  add({ displayName: 'Quarry Road phase two', companyName: 'Granite Ridge Holdings Inc.', givenName: 'Marta', familyName: 'Quist', parentId: quarry, termId: '2' });
  // A personal parent whose job carries a company name: the account is personal, as its payer is.
  const whitfield = add({ displayName: 'Dana Whitfield', givenName: 'Dana', familyName: 'Whitfield', email: 'dana.whitfield@mail.example', termId: '2' });
  add({ displayName: 'Whitfield Catering (Dana)', companyName: 'Whitfield Catering', givenName: 'Dana', familyName: 'Whitfield', email: 'events@whitfield.example', parentId: whitfield, termId: '2' });
  // Two personal customers with a script (see Script); one without an email; one made inactive.
  add({ displayName: 'Imani Okafor', givenName: 'Imani', familyName: 'Okafor', email: 'imani.okafor@mail.example', termId: '2', script: 'settles_after_the_run' });
  add({ displayName: 'Opal Ortega', givenName: 'Opal', familyName: 'Ortega', email: 'opal.ortega@mail.example', termId: '2', script: 'promises_a_round_figure' });
  add({ displayName: 'Hollow Pine Freight LLC', companyName: 'Hollow Pine Freight LLC', givenName: 'Boris', familyName: 'Hale', termId: '3' });
  add({ displayName: 'Copper Kettle Kitchens', companyName: 'Copper Kettle Kitchens', givenName: 'Cleo', familyName: 'Gallo', email: 'accounts@copperkettle.example', active: false, termId: '3' });

  const used = new Set(customers.map((c) => c.displayName));
  while (customers.length < count) {
    const givenName = dice.pick(GIVEN);
    const familyName = dice.pick(FAMILY);
    const commercial = dice.chance(0.65);
    const displayName = commercial ? `${dice.pick(FIRMS)} ${dice.pick(TRADES)} ${dice.pick(['LLC', 'Inc.', 'Co.', 'Ltd.'])}` : `${givenName} ${familyName}`;
    if (used.has(displayName)) continue;
    used.add(displayName);
    const slug = displayName.toLowerCase().replace(/[^a-z]+/g, '');
    add({
      displayName,
      givenName,
      familyName,
      ...(commercial ? { companyName: displayName, email: `ap@${slug}.example` } : { email: `${givenName}.${familyName}@mail.example`.toLowerCase() }),
    });
  }
  return customers;
}

function planInvoice(dice: Dice, customer: PlannedCustomer, docNumber: string, txnDate: LocalDate): PlannedInvoice {
  const commercial = Boolean(customer.companyName);
  const lines = Array.from({ length: dice.int(1, 2) }, () => ({
    description: dice.pick(SERVICES),
    cents: commercial ? dice.int(150, 9000) * 100 + dice.int(0, 99) : dice.int(40, 900) * 100 + dice.int(0, 99),
  }));
  return { docNumber, customerId: customer.id, txnDate, dueDate: addDays(txnDate, TERM_DAYS.get(customer.termId)!), termId: customer.termId, lines, totalCents: lines.reduce((sum, l) => sum + l.cents, 0) };
}

type Behaviour = 'on_time' | 'late' | 'partial' | 'never';

/** When an invoice is paid: dates relative to its own, some before the window (seeded as paid), some during, some never. */
function planPayments(dice: Dice, invoice: PlannedInvoice, behaviour: Behaviour): Array<Omit<PlannedPayment, 'timing'>> {
  const termDays = TERM_DAYS.get(invoice.termId)!;
  const within = (on: LocalDate) => nextBusinessDay(on);
  switch (behaviour) {
    case 'on_time':
      return [{ on: within(addDays(invoice.txnDate, dice.int(Math.min(1, termDays), Math.max(termDays - 2, 0)))), docNumber: invoice.docNumber, cents: invoice.totalCents, why: 'on_time' }];
    case 'late':
      return [{ on: within(addDays(invoice.dueDate, dice.int(4, 75))), docNumber: invoice.docNumber, cents: invoice.totalCents, why: 'late' }];
    case 'partial': {
      const part = Math.round((invoice.totalCents * dice.int(30, 70)) / 100);
      const first = within(addDays(invoice.dueDate, dice.int(2, 30)));
      const payments: Array<Omit<PlannedPayment, 'timing'>> = [{ on: first, docNumber: invoice.docNumber, cents: part, why: 'part' }];
      if (dice.chance(0.5)) payments.push({ on: within(addDays(first, dice.int(10, 40))), docNumber: invoice.docNumber, cents: invoice.totalCents - part, why: 'rest' });
      return payments;
    }
    case 'never':
      return [];
  }
}

export function planCompany(options: PlanOptions): CompanyPlan {
  const dice = new Dice(options.seed);
  const businessDays = businessDaysFrom(options.start, options.businessDays ?? 90);
  const start = businessDays[0]!;
  const end = businessDays.at(-1)!;
  const customers = planCustomers(dice.fork('customers'), options.customers ?? 32);
  const byId = new Map(customers.map((c) => [c.id, c]));
  const invoiceDice = dice.fork('invoices');
  const payDice = dice.fork('payments');

  // Who gets invoices: each special customer two of the back catalogue, the unscripted ones more,
  // the others by a skewed weight (a few big accounts). Scripted customers get no other invoices.
  const specials = customers.slice(0, SPECIAL_CUSTOMERS);
  const weights = customers.map((c, i) => (c.script ? 0 : i < SPECIAL_CUSTOMERS ? 2 : c.companyName ? 0.5 + Math.pow(invoiceDice.next(), 2) * 5 : 0.6));
  const total = weights.reduce((s, w) => s + w, 0);
  const pickCustomer = () => {
    let roll = invoiceDice.next() * total;
    for (let i = 0; i < customers.length; i++) if ((roll -= weights[i]!) < 0) return customers[i]!;
    return customers.at(-1)!;
  };

  let docNumber = 7001;
  const backCatalogue: PlannedInvoice[] = [];
  const issued: PlannedInvoice[] = [];
  for (let i = 0; i < (options.backCatalogue ?? 90); i++) {
    const customer = i < 2 * specials.length ? specials[i % specials.length]! : pickCustomer();
    backCatalogue.push(planInvoice(invoiceDice, customer, String(docNumber++), addDays(start, -invoiceDice.int(1, 110))));
  }
  backCatalogue.sort((a, b) => a.txnDate.localeCompare(b.txnDate));
  // New business during the first 60 business days, so it comes due, and climbs, inside the window.
  const unscripted = specials.filter((c) => !c.script);
  for (let i = 0; i < (options.issued ?? 60); i++) {
    const customer = i < unscripted.length ? unscripted[i]! : pickCustomer();
    issued.push(planInvoice(invoiceDice, customer, '', invoiceDice.pick(businessDays.slice(0, 60))));
  }
  issued.sort((a, b) => a.txnDate.localeCompare(b.txnDate) || a.customerId.localeCompare(b.customerId));
  for (const invoice of issued) invoice.docNumber = String(docNumber++);

  // The second Thursday: the settling customer's call has been on the list since the first.
  const thursdays = businessDays.filter((day) => weekday(day) === 4);
  const settlesOn = thursdays[1] ?? thursdays[0] ?? end;
  const before: Array<Omit<PlannedPayment, 'timing'>> = [];
  const during: PlannedPayment[] = [];
  for (const invoice of [...backCatalogue, ...issued]) {
    const customer = byId.get(invoice.customerId)!;
    if (customer.script === 'settles_after_the_run') {
      during.push({ on: settlesOn, docNumber: invoice.docNumber, cents: invoice.totalCents, timing: 'before_send', why: 'late' });
      continue;
    }
    // Scripted promisers pay only what they promise; the inactive customer never pays.
    const behaviour: Behaviour = customer.script || !customer.active ? 'never' : payDice.weighted<Behaviour>({ on_time: 25, late: 35, partial: 15, never: 25 });
    for (const payment of planPayments(payDice, invoice, behaviour)) {
      if (payment.on < start) before.push(payment);
      else if (payment.on <= end) during.push({ ...payment, timing: payDice.chance(0.3) ? 'before_send' : 'morning' });
    }
  }
  during.sort((a, b) => a.on.localeCompare(b.on) || a.docNumber.localeCompare(b.docNumber));

  return {
    realmId: options.realmId,
    companyName: options.companyName ?? 'Larkspur Building Supply',
    timeZone: 'America/New_York',
    seedNumber: options.seed,
    start,
    businessDays,
    end,
    customers,
    backCatalogue,
    issued,
    payments: during,
    settlesOn,
    seed: seedFile(options.realmId, options.companyName ?? 'Larkspur Building Supply', customers, backCatalogue, before),
  };
}

/** QuickBooks' MetaData for a record last written on `date`: the sandbox's change data capture reads it. */
function written(date: LocalDate) {
  const stamp = `${date}T12:00:00-00:00`;
  return { MetaData: { CreateTime: stamp, LastUpdatedTime: stamp } };
}

/**
 * The sandbox's starting state in QuickBooks' JSON shapes: ids fixed, balances left to the
 * sandbox, and every record dated before the start (else it would look changed on every sync).
 */
function seedFile(realmId: string, companyName: string, customers: PlannedCustomer[], invoices: PlannedInvoice[], paid: Array<Omit<PlannedPayment, 'timing'>>): SeedFile {
  const invoiceId = new Map(invoices.map((invoice, i) => [invoice.docNumber, String(100 + i)]));
  const customerById = new Map(customers.map((c) => [c.id, c]));
  return {
    realmId,
    owner: { email: 'owner@larkspur.example', givenName: 'Rowan', familyName: 'Ashby' },
    CompanyInfo: { CompanyName: companyName, LegalName: companyName, Email: { Address: 'billing@larkspur.example' }, Country: 'US' },
    Term: TERMS.map((term) => ({ ...term, Active: true, Type: 'STANDARD', ...written('2020-01-01') })),
    Customer: customers.map((c) => ({
      Id: c.id,
      DisplayName: c.displayName,
      GivenName: c.givenName,
      FamilyName: c.familyName,
      ...(c.companyName ? { CompanyName: c.companyName } : {}),
      ...(c.email ? { PrimaryEmailAddr: { Address: c.email } } : {}),
      PrimaryPhone: { FreeFormNumber: `(555) 010-${c.id.padStart(4, '0')}` },
      ...(c.parentId ? { ParentRef: { value: c.parentId }, Job: true } : {}),
      SalesTermRef: { value: c.termId },
      Active: c.active,
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      ...written('2025-01-02'),
    })),
    Invoice: invoices.map((invoice) => {
      const lastPaid = paid.filter((p) => p.docNumber === invoice.docNumber).reduce((last, p) => (p.on > last ? p.on : last), invoice.txnDate);
      return { Id: invoiceId.get(invoice.docNumber)!, ...invoiceBody(invoice, customerById.get(invoice.customerId)!), ...written(lastPaid) };
    }),
    Payment: paid.map((payment, i) => {
      const invoice = invoices.find((inv) => inv.docNumber === payment.docNumber)!;
      return {
        Id: String(1000 + i),
        TxnDate: payment.on,
        CustomerRef: { value: invoice.customerId },
        TotalAmt: centsToNumber(payment.cents),
        Line: [{ Amount: centsToNumber(payment.cents), LinkedTxn: [{ TxnId: invoiceId.get(invoice.docNumber)!, TxnType: 'Invoice' }] }],
        ...written(payment.on),
      };
    }),
  };
}

/**
 * An invoice as QuickBooks takes it in a create and as a seed holds it: with its subtotal line
 * and TotalAmt, which a seed must carry (the sandbox derives a seeded invoice's Balance from them).
 */
export function invoiceBody(invoice: PlannedInvoice, customer: PlannedCustomer): Record<string, unknown> {
  return {
    DocNumber: invoice.docNumber,
    TxnDate: invoice.txnDate,
    DueDate: invoice.dueDate,
    CustomerRef: { value: invoice.customerId },
    SalesTermRef: { value: invoice.termId },
    ...(customer.email ? { BillEmail: { Address: customer.email } } : {}),
    Line: [
      ...invoice.lines.map((line, n) => ({ Id: String(n + 1), LineNum: n + 1, Description: line.description, Amount: centsToNumber(line.cents), DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: String(n + 1), name: line.description } } })),
      { Amount: centsToNumber(invoice.totalCents), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} },
    ],
    TxnTaxDetail: { TotalTax: 0 },
    TotalAmt: centsToNumber(invoice.totalCents),
    CurrencyRef: { value: 'USD', name: 'United States Dollar' },
    AllowOnlineCreditCardPayment: true,
    AllowOnlineACHPayment: true,
  };
}
