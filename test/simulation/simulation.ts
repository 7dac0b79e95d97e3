import { addDays, daysBetween, isBusinessDay, zonedInstant, type LocalDate } from '../../src/collections/calendar';
import { unscheduleCompany } from '../../src/jobs/schedules';
import { INTUIT_RATE_LIMITS } from '../../src/quickbooks/rate-limit';
import { steerBusinessClock, type BusinessClock } from '../support/business-clock';
import { CLIENT_ID, connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { startSteppedWorker, type SteppedWorker } from '../support/stepped-worker';
import { accountHistory } from './account-history';
import { ArdeskClient, createCompanyToken, type AccountAnswer, type ListItem } from './ardesk-client';
import { Collector, type PromisedPayment } from './collector';
import { invoiceBody, type CompanyPlan, type PaymentTiming } from './company-plan';
import {
  checkCallSheetAgainstAccount,
  checkDunningGap,
  checkListAgainstAccounts,
  checkNoMessageTwice,
  checkNoPaidInvoiceListed,
  checkOneTaskPerAccount,
  checkOverdueAgainstInvoicesAndSandbox,
  checkPaidAccountHasNoTask,
  checkPaidAccountsOffList,
  customerLabel,
  Findings,
  type MailFacts,
} from './daily-checks';
import { Dice } from './dice';
import { MailLedger, Moments } from './mail-ledger';
import { SandboxBooks } from './sandbox-books';

/**
 * One generated company replayed day by day through the real services: the local QuickBooks
 * sandbox (over HTTP), the web app and its JSON API, the worker's jobs on Redis, PostgreSQL and a
 * real SMTP server. Each calendar day the business clock stands at 07:00 for the bookkeeper's
 * entries, the sync and the worker's morning playbook run (weekends too, as the worker does).
 * On business days payments that arrive after the run come in at 07:30; at 10:00 the day's mail
 * goes out, the quarter-hourly sync reads what was paid since the morning, the checks read what
 * a collector would see, and the collector records a few calls through the API.
 */

export interface SimulationStats {
  calendarDays: number;
  businessDays: number;
  listLines: number;
  accountsChecked: number;
  callSheetsChecked: number;
  /** Days whose list had at least three lines: each had its top three call sheets read. */
  daysWithThreeCalls: number;
  highestLevel: number;
  levelsSeen: number[];
  /** Open in QuickBooks when the company is connected: the back catalogue's unpaid part. */
  openAtStart: number;
  invoicesEntered: number;
  paymentsPosted: number;
  promisePayments: number;
  invoicesPaidInFull: number;
  accountsPaidInFull: string[];
  outcomes: Record<string, number>;
  mailsByKind: Record<string, number>;
  messagesCancelledAsPaid: number;
  promisesByStatus: Record<string, number>;
  /** Where the run's time went: wall time, and this process's CPU time (the database's is not in it). */
  phases: Record<string, { ms: number; cpuMs: number }>;
  ms: number;
}

export interface SimulationRun {
  plan: CompanyPlan;
  findings: Findings;
  stats: SimulationStats;
}

export interface SimulationOptions {
  /** Where each day's line of progress goes (SIMULATION_LOG=1 prints it). */
  log?: (line: string) => void;
  /** Call sheets opened per day beyond the top three. */
  extraCallSheets?: number;
  /** Customers whose collection history goes to `log` at the end (for reading a finding). */
  historyOf?: string[];
}

const MAIL_FROM = 'Larkspur Receivables <ar@larkspur.example>';
/** The playbook's default gap between two dunning messages to one customer (SPEC §4). */
const DUNNING_GAP_DAYS = 3;
/** How long check 6 asks the account API about an account after it was paid in full. */
const PAID_WATCH_DAYS = 15;

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

class Simulation {
  readonly findings = new Findings();
  readonly stats: SimulationStats = {
    calendarDays: 0,
    businessDays: 0,
    listLines: 0,
    accountsChecked: 0,
    callSheetsChecked: 0,
    daysWithThreeCalls: 0,
    highestLevel: 0,
    levelsSeen: [],
    openAtStart: 0,
    invoicesEntered: 0,
    paymentsPosted: 0,
    promisePayments: 0,
    invoicesPaidInFull: 0,
    accountsPaidInFull: [],
    outcomes: {},
    mailsByKind: {},
    messagesCancelledAsPaid: 0,
    promisesByStatus: {},
    phases: {},
    ms: 0,
  };
  private readonly moments = new Moments();
  private collector!: Collector;
  /** Which call sheets to open: dice of their own, so looking never changes what happens. */
  private readonly sampling: Dice;
  /** Payments the collector's calls set in motion, entered in QuickBooks on their day. */
  private readonly promisedPayments: PromisedPayment[] = [];
  /** Invoice number → the moment QuickBooks' balance reached 0 (0: before the run). */
  private readonly paidAt = new Map<string, number>();
  private readonly outbox = new Map<string, { kind: string; customerId: string; key: string }>();
  private readonly levels = new Set<number>();
  private readonly paidAccounts = new Set<string>();
  private smtp!: TestSmtp;
  private app!: ConnectedApp;
  private worker!: SteppedWorker;
  private clock!: BusinessClock;
  private books!: SandboxBooks;
  private ardesk!: ArdeskClient;
  private ledger!: MailLedger;
  private session!: HttpClient;

  constructor(
    readonly plan: CompanyPlan,
    private readonly options: SimulationOptions,
  ) {
    this.sampling = new Dice(plan.seedNumber).fork('sampling');
  }

  private get realmId(): string {
    return this.plan.realmId;
  }

  private readonly intuitLimits = { ...INTUIT_RATE_LIMITS };

  async start(): Promise<void> {
    const { plan } = this;
    Object.assign(INTUIT_RATE_LIMITS, { perMinute: 100_000, batchPerMinute: 10_000 });
    this.smtp = await startSmtp();
    const opening = zonedInstant(plan.start, 7 * 60, plan.timeZone);
    this.app = await startConnectedApp({
      realms: [{ realmId: plan.realmId, name: plan.companyName, edit: (seed) => replaceSeed(seed, plan.seed) }],
      env: { SMTP_URL: this.smtp.url, MAIL_FROM: MAIL_FROM, ARDESK_NOW: opening.toISOString() },
    });
    // Ninety business days pass in about a minute of real time, but Intuit's limits count real
    // minutes: both the sandbox and Ardesk's own limiter (which waits, rather than be refused) are
    // given a larger per-minute budget for this run. In-flight limits stay; the limits have tests of their own.
    this.app.sandbox.sandbox.setKnobs({ limits: { ...this.app.sandbox.sandbox.knobs.limits, perMinute: 100_000, batchPerMinute: 10_000 } });
    this.clock = steerBusinessClock(this.app.test.context.clock, plan.timeZone, opening);
    this.worker = await startSteppedWorker(this.app.test.context);
    this.books = new SandboxBooks(this.app.sandbox, plan.realmId, CLIENT_ID);
    await this.books.open();
    this.ledger = new MailLedger(this.smtp, this.moments);
    for (const invoice of plan.backCatalogue) {
      const entity = this.books.invoiceByNumber(invoice.docNumber)!;
      if (this.books.balanceCents(entity.Id) === 0) this.paidAt.set(invoice.docNumber, 0);
      else this.stats.openAtStart++;
    }
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    await this.app?.stop();
    await this.smtp?.stop();
    Object.assign(INTUIT_RATE_LIMITS, this.intuitLimits);
  }

  /** Connects the company through the consent page on the first morning: the first sync and run follow. */
  private async connect(): Promise<void> {
    this.session = new HttpClient(this.app.web.url);
    const landed = await connect(this.app, this.session, this.realmId);
    if (landed.status >= 400) throw new Error(`connecting answered ${landed.status}`);
    // The test drives the days: the company's repeating jobs (every 15 minutes, 03:30, 07:00) are queued by hand instead.
    await unscheduleCompany(this.app.test.context.queues, this.realmId);
    await this.settle('the first sync and the first morning run');
    const token = await createCompanyToken(this.session, this.realmId, 'simulation');
    this.ardesk = new ArdeskClient(this.app.web.url, this.realmId, token, this.session);
    this.collector = new Collector(new Dice(this.plan.seedNumber).fork('collector'), this.ardesk, this.plan);
  }

  /**
   * Stands the business clock on `day` at `time`. QuickBooks' own clock (MetaData times, change
   * data capture, token lifetimes) stays on real time, as Intuit's does: Ardesk compares it with
   * its real clock, never with the business day.
   */
  private at(day: LocalDate, time: string): void {
    this.clock.set(day, time);
  }

  private async settle(what: string): Promise<void> {
    await this.worker.settle(what);
    this.ledger.observe(this.clock.today());
  }

  /** Runs one part of the day, adding its wall time and this process's CPU time to the stats. */
  private async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    try {
      return await work();
    } finally {
      const used = process.cpuUsage(cpu);
      const entry = (this.stats.phases[name] ??= { ms: 0, cpuMs: 0 });
      entry.ms += Math.round(performance.now() - wall);
      entry.cpuMs += Math.round((used.user + used.system) / 1000);
    }
  }

  private async runJob(what: string, job: 'sync' | 'cadence' | 'mail'): Promise<void> {
    const queues = this.app.test.context.queues;
    if (job === 'sync') await queues.enqueue('sync.realm', { realmId: this.realmId, mode: 'auto' });
    if (job === 'cadence') await queues.enqueue('cadence.realm', { realmId: this.realmId });
    if (job === 'mail') await queues.enqueue('mail.dispatch', {});
    await this.settle(what);
  }

  /** The bookkeeper's entries of the morning: the day's new invoices. */
  private async enterInvoices(day: LocalDate): Promise<void> {
    const customers = new Map(this.plan.customers.map((c) => [c.id, c]));
    for (const invoice of this.plan.issued.filter((i) => i.txnDate === day)) {
      await this.books.enterInvoice(invoiceBody(invoice, customers.get(invoice.customerId)!));
      this.stats.invoicesEntered++;
    }
  }

  /** Payments of the day that arrive at `timing`, planned or answering promises; only while the worker is idle. */
  private async postPayments(day: LocalDate, timing: PaymentTiming): Promise<number> {
    const planned = this.plan.payments
      .filter((p) => p.on === day && p.timing === timing)
      .map((p) => ({ invoiceId: this.books.invoiceByNumber(p.docNumber)?.Id, cents: p.cents, promised: false }));
    const promised = this.promisedPayments.filter((p) => p.on === day && p.timing === timing).map((p) => ({ ...p, promised: true }));
    const due = [...planned, ...promised];
    if (due.length === 0) return 0;
    const moment = this.moments.next();
    let posted = 0;
    for (const payment of due) {
      if (!payment.invoiceId) continue;
      const applied = await this.books.pay(payment.invoiceId, payment.cents, day);
      if (applied === 0) continue;
      posted++;
      this.stats.paymentsPosted++;
      if (payment.promised) this.stats.promisePayments++;
      if (this.books.balanceCents(payment.invoiceId) === 0) {
        this.paidAt.set(String(this.books.invoice(payment.invoiceId).DocNumber), moment);
        this.stats.invoicesPaidInFull++;
      }
    }
    return posted;
  }

  async run(): Promise<void> {
    const started = Date.now();
    const { plan } = this;
    for (let day = plan.start; day <= plan.end; day = addDays(day, 1)) {
      this.stats.calendarDays++;
      this.at(day, '07:00');
      await this.phase('bookkeeping', async () => {
        await this.enterInvoices(day);
        await this.postPayments(day, 'morning');
      });
      if (day === plan.start) await this.phase('connect', () => this.connect());
      else {
        // QuickBooks changes only on business days here (entries and payments): a weekend sync would read nothing new.
        if (isBusinessDay(day)) await this.phase('sync', () => this.runJob(`the ${day} morning sync`, 'sync'));
        await this.phase('playbook', () => this.runJob(`the ${day} playbook run`, 'cadence'));
      }
      if (!isBusinessDay(day)) continue;
      this.stats.businessDays++;
      await this.phase('check paid accounts', () => this.checkPaidAccounts(day));

      this.at(day, '07:30');
      const paidSinceTheRun = await this.phase('bookkeeping', () => this.postPayments(day, 'before_send'));
      this.at(day, '10:00');
      await this.phase('mail', () => this.runJob(`the ${day} mail`, 'mail'));
      // The quarter-hourly sync has seen what was paid since the morning (when anything was).
      if (paidSinceTheRun) await this.phase('sync', () => this.runJob(`the ${day} 10:00 sync`, 'sync'));

      const list = await this.phase('check the day', () => this.ardesk.workList(day));
      const accounts = await this.phase('check the day', () => this.checkDay(day, list));
      await this.phase('calls', async () => {
        this.promisedPayments.push(...(await this.collector.work(day, this.stats.businessDays, list, accounts)));
        await this.settle(`the ${day} calls' confirmations and notes`);
      });
      await this.phase('check mail', () => this.checkMail(day));
      this.options.log?.(`${day}: ${list.length} calls, ${this.ledger.onDay(day).length} mails, findings ${JSON.stringify(this.findings.summary())}`);
    }
    this.findings.add(checkNoMessageTwice(this.ledger.mails, this.mailFacts));
    this.findings.add(checkDunningGap(this.ledger.mails, this.mailFacts, DUNNING_GAP_DAYS));
    await this.finalStats();
    this.stats.ms = Date.now() - started;
  }

  /** Accounts paid in full in QuickBooks, and the first morning they were seen so. */
  private readonly paidSince = new Map<string, LocalDate>();

  /**
   * 6: after the morning run, no account QuickBooks shows paid in full has an open task. Asked
   * of the account API every day for the fortnight after the account was paid (a promise judged
   * later can bring a task back within it); after that, a task that came back would be on the
   * day's list, which 6b reads.
   */
  private async checkPaidAccounts(day: LocalDate): Promise<void> {
    for (const payer of this.books.payers()) {
      if (!this.books.allPaid(payer)) this.paidSince.delete(payer);
      else if (!this.paidSince.has(payer)) this.paidSince.set(payer, day);
    }
    const watched = [...this.paidSince].filter(([, since]) => daysBetween(since, day) <= PAID_WATCH_DAYS).map(([payer]) => payer);
    const accounts = await mapLimit(watched, 4, (payer) => this.ardesk.account(payer, day));
    for (const account of accounts) {
      if (this.books.invoicesOf(account.customer.id).some((invoice) => (this.paidAt.get(String(invoice.DocNumber)) ?? 0) > 0)) this.paidAccounts.add(account.customer.id);
      this.findings.add(checkPaidAccountHasNoTask(day, account.customer, account));
    }
  }

  /** 1-4 and 6b on the day's list, at 10:00 with the copy in step with QuickBooks. */
  private async checkDay(day: LocalDate, list: ListItem[]): Promise<Map<string, AccountAnswer>> {
    const answers = await mapLimit(list, 4, (item) => this.ardesk.account(item.customer.id, day));
    const accounts = new Map(answers.map((account) => [account.customer.id, account]));
    this.stats.listLines += list.length;
    this.stats.accountsChecked += accounts.size;
    this.findings.add(checkListAgainstAccounts(day, list, accounts));
    for (const account of accounts.values()) {
      this.findings.add(checkOverdueAgainstInvoicesAndSandbox(day, account.customer, account, this.books.overdueOf(account.customer.id, day)));
      for (const invoice of account.openInvoices) this.levels.add(invoice.level);
      this.stats.highestLevel = Math.max(this.stats.highestLevel, account.level);
    }
    this.findings.add(checkOneTaskPerAccount(day, list, (id) => this.books.payerOf(id)));
    this.findings.add(checkPaidAccountsOffList(day, list, (id) => this.books.allPaid(id)));

    // The call sheets of the top three (and, when asked, a few more picked at random further down).
    const sample = list.slice(0, 3);
    const rest = list.slice(3);
    for (let i = 0; i < (this.options.extraCallSheets ?? 0) && rest.length; i++) sample.push(rest.splice(this.sampling.int(0, rest.length - 1), 1)[0]!);
    if (list.length >= 3) this.stats.daysWithThreeCalls++;
    for (const item of sample) {
      const sheet = await this.ardesk.callSheet(item.taskId);
      this.findings.add(checkCallSheetAgainstAccount(day, item.customer, sheet, accounts.get(item.customer.id)!));
      this.stats.callSheetsChecked++;
    }
    return accounts;
  }

  private async refreshOutbox(): Promise<void> {
    const rows = await this.app.test.context.db.selectFrom('messages').select(['id', 'kind', 'customer_id', 'key']).where('realm_id', '=', this.realmId).execute();
    for (const row of rows) this.outbox.set(row.id, { kind: row.kind, customerId: row.customer_id, key: row.key });
  }

  /** What Ardesk's outbox says of a received message (read once the day's mail is in). */
  private readonly mailFacts: MailFacts = {
    kindOf: (mail) => this.outbox.get(mail.outboxId)?.kind ?? 'unknown',
    customerOf: (mail) => {
      const customerId = this.outbox.get(mail.outboxId)?.customerId;
      return customerId ? customerLabel({ id: customerId, name: this.books.displayName(customerId) }) : mail.to;
    },
    outboxOf: (mail) => `outbox ${mail.outboxId}, key ${this.outbox.get(mail.outboxId)?.key ?? '?'}`,
  };

  /** 5: the day's mail lists no invoice already paid in QuickBooks when it was sent. */
  private async checkMail(day: LocalDate): Promise<void> {
    const mails = this.ledger.onDay(day);
    if (mails.length === 0) return;
    await this.refreshOutbox();
    for (const mail of mails) {
      const kind = this.mailFacts.kindOf(mail);
      this.stats.mailsByKind[kind] = (this.stats.mailsByKind[kind] ?? 0) + 1;
    }
    this.findings.add(checkNoPaidInvoiceListed(day, mails, this.mailFacts, (number) => this.paidAt.get(number)));
  }

  private async finalStats(): Promise<void> {
    const db = this.app.test.context.db;
    for (const id of this.options.historyOf ?? []) this.options.log?.(await accountHistory(db, this.realmId, id));
    const cancelled = await db.selectFrom('messages').select('status_reason').where('realm_id', '=', this.realmId).where('status', '=', 'cancelled').execute();
    this.stats.messagesCancelledAsPaid = cancelled.filter((m) => /paid/.test(m.status_reason ?? '')).length;
    for (const promise of await db.selectFrom('promises').select('status').where('realm_id', '=', this.realmId).execute()) {
      this.stats.promisesByStatus[promise.status] = (this.stats.promisesByStatus[promise.status] ?? 0) + 1;
    }
    this.stats.levelsSeen = [...this.levels].sort((a, b) => a - b);
    this.stats.outcomes = this.collector.outcomes;
    this.stats.accountsPaidInFull = [...this.paidAccounts].map((id) => customerLabel({ id, name: this.books.displayName(id) }));
  }
}

/** startConnectedApp's sandbox gets this plan's company instead of the stock generated one. */
function replaceSeed(target: Record<string, unknown>, seed: Record<string, unknown>): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, structuredClone(seed));
}

/** Replays the plan's 90 business days; answers what every check found and what the run went through. */
export async function runSimulation(plan: CompanyPlan, options: SimulationOptions = {}): Promise<SimulationRun> {
  const simulation = new Simulation(plan, options);
  try {
    await simulation.start();
    await simulation.run();
    return { plan, findings: simulation.findings, stats: simulation.stats };
  } finally {
    await simulation.stop();
  }
}
