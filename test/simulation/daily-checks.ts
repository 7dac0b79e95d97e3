import { daysBetween, type LocalDate } from '../../src/collections/calendar';
import { DUNNING_KINDS } from '../../src/collections/message-kinds';
import { formatMoney, toCents, type Cents } from '../../src/collections/money';
import type { AccountAnswer, CallSheetFigures, ListItem } from './ardesk-client';
import type { LoggedMail } from './mail-ledger';
import type { SandboxOverdue } from './sandbox-books';

/**
 * The checks the simulation makes every day. Each compares one figure from two sources and,
 * when they differ, answers a finding that names the day, the customer and both figures. They
 * take plain observations (what the API, the page, the sandbox and the SMTP server said), so
 * they are reused by any run that gathers them.
 */

export const CHECKS = {
  list: 'the work list and the account API agree',
  callSheet: 'the call sheet shows what the account API says',
  overdue: "the overdue balance is its invoices' sum and QuickBooks' own",
  oneTask: 'one open task per account',
  paidInMail: 'no message lists an invoice paid before it was sent',
  twice: 'no message is sent twice',
  gap: 'no two dunning messages to one customer closer than the gap',
  paidTask: 'an account whose invoices are all paid has no open task',
  paidOnList: 'an account paid in full in QuickBooks is not on the day\'s list',
} as const;
export type CheckName = keyof typeof CHECKS;

export interface Finding {
  check: CheckName;
  day: LocalDate;
  /** "Name (id)". */
  customer: string;
  figure: string;
  left: { source: string; value: string };
  right: { source: string; value: string };
}

export function describeFinding(finding: Finding): string {
  return `${finding.day} · ${finding.customer} · ${finding.figure}: ${finding.left.source} says ${finding.left.value}, ${finding.right.source} says ${finding.right.value}`;
}

export function customerLabel(customer: { id: string; name: string }): string {
  return `${customer.name} (${customer.id})`;
}

const money = (cents: Cents) => formatMoney(cents);

/** Cents shown on a page or in an email: "$1,234.56", "-$5.00". */
export function centsOfText(text: string): Cents {
  const plain = text.replace(/[^0-9.-]/g, '');
  return toCents(plain);
}

function differ(check: CheckName, day: LocalDate, customer: string, figure: string, left: [string, string], right: [string, string]): Finding {
  return { check, day, customer, figure, left: { source: left[0], value: left[1] }, right: { source: right[0], value: right[1] } };
}

/** "highest of its open invoices: #7098 at 2, #7104 at 1". */
function levelsOf(account: AccountAnswer): string {
  if (account.openInvoices.length === 0) return 'no open invoices';
  return `highest of its open invoices: ${account.openInvoices.map((i) => `#${i.number} at ${i.level}`).join(', ')}`;
}

/** 1. Every listed account: the list's overdue balance, oldest days overdue, level and type are the account API's. */
export function checkListAgainstAccounts(day: LocalDate, items: ListItem[], accounts: ReadonlyMap<string, AccountAnswer>): Finding[] {
  const findings: Finding[] = [];
  for (const item of items) {
    const who = customerLabel(item.customer);
    const account = accounts.get(item.customer.id);
    if (!account) {
      findings.push(differ('list', day, who, 'the account', ['the work list', 'lists it'], ['the account API', 'was not asked or did not answer']));
      continue;
    }
    const listCents = toCents(item.overdueBalance);
    const accountCents = toCents(account.overdueBalance);
    if (listCents !== accountCents) findings.push(differ('list', day, who, 'overdue balance', ['the work list', money(listCents)], ['the account API', money(accountCents)]));
    if (item.oldestDaysOverdue !== account.oldestDaysOverdue) findings.push(differ('list', day, who, 'oldest days overdue', ['the work list', String(item.oldestDaysOverdue)], ['the account API', String(account.oldestDaysOverdue)]));
    if (item.level !== account.level) findings.push(differ('list', day, who, 'level', ['the work list', `${item.level} (its task's)`], ['the account API', `${account.level} (${levelsOf(account)})`]));
    if (item.customer.type !== account.customer.type) findings.push(differ('list', day, who, 'type', ['the work list', item.customer.type], ['the account API', account.customer.type]));
  }
  return findings;
}

/** 2. The call sheet's overdue figure and oldest days overdue are the account API's (and its own table adds up to its figure). */
export function checkCallSheetAgainstAccount(day: LocalDate, customer: { id: string; name: string }, sheet: CallSheetFigures, account: AccountAnswer): Finding[] {
  const findings: Finding[] = [];
  const who = customerLabel(customer);
  const sheetCents = centsOfText(sheet.overdueText);
  const accountCents = toCents(account.overdueBalance);
  if (sheetCents !== accountCents) findings.push(differ('callSheet', day, who, 'overdue balance', ['the call sheet', sheet.overdueText], ['the account API', money(accountCents)]));
  if (sheet.oldestDaysOverdue !== account.oldestDaysOverdue) findings.push(differ('callSheet', day, who, 'oldest days overdue', ['the call sheet', String(sheet.oldestDaysOverdue)], ['the account API', String(account.oldestDaysOverdue)]));
  const tableCents = sheet.rows.filter((row) => row.daysOverdue > 0).reduce((sum, row) => sum + centsOfText(row.balanceText), 0);
  if (tableCents !== sheetCents) findings.push(differ('callSheet', day, who, 'overdue balance', ["the call sheet's invoice table", money(tableCents)], ["the call sheet's summary", sheet.overdueText]));
  return findings;
}

/**
 * 3. The account API's overdue balance is, to the cent, the sum of the open overdue invoices it
 * lists, and what QuickBooks itself holds for the customer's tree (Balance of invoices with
 * DueDate before the day); its oldest days overdue is QuickBooks' oldest due date's.
 */
export function checkOverdueAgainstInvoicesAndSandbox(day: LocalDate, customer: { id: string; name: string }, account: AccountAnswer, sandbox: SandboxOverdue): Finding[] {
  const findings: Finding[] = [];
  const who = customerLabel(customer);
  const accountCents = toCents(account.overdueBalance);
  const listedCents = account.openInvoices.filter((invoice) => invoice.daysOverdue > 0).reduce((sum, invoice) => sum + toCents(invoice.balance), 0);
  if (accountCents !== listedCents) findings.push(differ('overdue', day, who, 'overdue balance', ['the account API', money(accountCents)], ['the sum of its open overdue invoices', money(listedCents)]));
  if (accountCents !== sandbox.cents) findings.push(differ('overdue', day, who, 'overdue balance', ['the account API', money(accountCents)], ['QuickBooks (the sandbox)', money(sandbox.cents)]));
  const sandboxDays = sandbox.oldestDue ? daysBetween(sandbox.oldestDue, day) : 0;
  if (account.oldestDaysOverdue !== sandboxDays) findings.push(differ('overdue', day, who, 'oldest days overdue', ['the account API', String(account.oldestDaysOverdue)], ['QuickBooks (the sandbox)', String(sandboxDays)]));
  return findings;
}

/** 4. No account twice on the list: not the same customer, nor a job of a listed account (an account is its whole tree). */
export function checkOneTaskPerAccount(day: LocalDate, items: ListItem[], payerOf: (customerId: string) => string): Finding[] {
  const findings: Finding[] = [];
  const byAccount = new Map<string, ListItem[]>();
  for (const item of items) {
    const payer = payerOf(item.customer.id);
    byAccount.set(payer, [...(byAccount.get(payer) ?? []), item]);
  }
  for (const [payer, listed] of byAccount) {
    if (listed.length > 1) {
      findings.push(differ('oneTask', day, customerLabel(listed[0]!.customer), 'open tasks on the list', ['the work list', `${listed.length} lines (tasks ${listed.map((i) => `${i.taskId} for ${i.customer.name}`).join(', ')})`], ['one account', `1 line for account ${payer}`]));
    }
    for (const item of listed.filter((i) => i.customer.id !== payer)) {
      findings.push(differ('oneTask', day, customerLabel(item.customer), 'listed customer', ['the work list', 'a task of its own'], ['QuickBooks', `a job of account ${payer}, which pays its invoices`]));
    }
  }
  return findings;
}

/** An invoice line of a message: its number and the balance the message states. */
export function invoiceLinesIn(text: string): Array<{ number: string; balanceText: string }> {
  return [...text.matchAll(/^\s*Invoice (\S+)\s+dated .*?\bbalance (\S+)/gm)].map((m) => ({ number: m[1]!, balanceText: m[2]! }));
}

/**
 * 5a. A message lists no invoice QuickBooks had already been paid in full before it was sent.
 * Thank-you notes are about paid invoices, so they are not asked. `paidAt` answers the moment an
 * invoice's balance reached 0 (0: paid before the run), or undefined while it is open.
 */
/** What the outbox knows of a received message, for the checks' messages. */
export interface MailFacts {
  kindOf(mail: LoggedMail): string;
  customerOf(mail: LoggedMail): string;
  /** "outbox <id>, key <key>": how Ardesk decided it. */
  outboxOf(mail: LoggedMail): string;
}

export function checkNoPaidInvoiceListed(day: LocalDate, mails: LoggedMail[], facts: MailFacts, paidAt: (docNumber: string) => number | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const mail of mails) {
    if (facts.kindOf(mail) === 'thank_you') continue;
    const stated = new Map(invoiceLinesIn(mail.text).map((line) => [line.number, line.balanceText]));
    for (const number of mail.invoiceNumbers) {
      const paid = paidAt(number);
      if (paid === undefined || paid >= mail.seenAt) continue;
      findings.push(
        differ('paidInMail', day, facts.customerOf(mail), `invoice ${number} in "${mail.subject}" to ${mail.to} (${facts.outboxOf(mail)})`, ['the message', `balance ${stated.get(number) ?? 'listed'}`], ['QuickBooks (the sandbox)', `$0.00, paid in full ${paid === 0 ? 'before the run' : `before it was sent (moment ${paid} < ${mail.seenAt})`}`]),
      );
    }
  }
  return findings;
}

/** 5b. No identical message (same recipient, subject and invoice set) reaches the server twice. */
export function checkNoMessageTwice(mails: LoggedMail[], facts: MailFacts): Finding[] {
  const findings: Finding[] = [];
  const first = new Map<string, LoggedMail>();
  for (const mail of mails) {
    const key = `${mail.to}\n${mail.subject}\n${[...mail.invoiceNumbers].sort().join(',')}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, mail);
      continue;
    }
    findings.push(differ('twice', mail.day, facts.customerOf(mail), `"${mail.subject}" to ${mail.to} for invoices ${mail.invoiceNumbers.join(', ') || '(none)'}`, ['the SMTP server', `received it on ${earlier.day} (${facts.outboxOf(earlier)})`], ['and again', `on ${mail.day} (${facts.outboxOf(mail)})`]));
  }
  return findings;
}

/**
 * 5c. The gap of SPEC §4: no two dunning messages (reminder, second notice, demand letter, final
 * notice) reach one customer fewer than `gapDays` days apart, counted on the days they were sent.
 */
export function checkDunningGap(mails: LoggedMail[], facts: MailFacts, gapDays: number): Finding[] {
  const findings: Finding[] = [];
  const last = new Map<string, LoggedMail>();
  for (const mail of mails.filter((m) => DUNNING_KINDS.has(facts.kindOf(m)))) {
    const customer = facts.customerOf(mail);
    const previous = last.get(customer);
    last.set(customer, mail);
    if (!previous) continue;
    const apart = daysBetween(previous.day, mail.day);
    if (apart >= gapDays) continue;
    findings.push(differ('gap', mail.day, customer, `days between dunning messages (the gap is ${gapDays})`, ['the SMTP server', `"${previous.subject}" on ${previous.day} (${facts.outboxOf(previous)})`], [`${apart} day(s) later`, `"${mail.subject}" on ${mail.day} (${facts.outboxOf(mail)})`]));
  }
  return findings;
}

/** 6. An account whose invoices QuickBooks shows all paid has no open task (after the playbook ran on it). */
export function checkPaidAccountHasNoTask(day: LocalDate, customer: { id: string; name: string }, account: AccountAnswer): Finding[] {
  if (!account.task) return [];
  const task = account.task;
  return [differ('paidTask', day, customerLabel(customer), 'open task', ['QuickBooks (the sandbox)', 'every invoice paid, $0.00 open'], ['the account API', `open task ${task.id} (${task.reason}, level ${task.level}, due ${task.scheduledFor}) on ${money(toCents(account.openBalance))} open`])];
}

/** 6b. The day's list does not carry an account QuickBooks shows paid in full. */
export function checkPaidAccountsOffList(day: LocalDate, items: ListItem[], allPaid: (customerId: string) => boolean): Finding[] {
  return items
    .filter((item) => allPaid(item.customer.id))
    .map((item) => differ('paidOnList', day, customerLabel(item.customer), 'on the list', ['QuickBooks (the sandbox)', 'every invoice paid, $0.00 open'], ['the work list', `task ${item.taskId}, level ${item.level}${item.flags.length ? ` [${item.flags.join(', ')}]` : ''}, ${money(toCents(item.overdueBalance))} overdue`]));
}

/** Findings by check, for a run's report and its assertions. */
export class Findings {
  private readonly all: Finding[] = [];

  add(findings: Finding[]): void {
    this.all.push(...findings);
  }

  of(check: CheckName): Finding[] {
    return this.all.filter((finding) => finding.check === check);
  }

  /** Fails naming the day, the customer and both figures of the first disagreements (of `figures` only, when given). */
  expectNone(check: CheckName, figures?: readonly string[], shown = 15): void {
    const found = this.of(check).filter((finding) => !figures || figures.includes(finding.figure));
    if (found.length === 0) return;
    const days = new Set(found.map((f) => f.day));
    throw new Error(
      `${found.length} disagreement(s) on ${days.size} day(s): ${CHECKS[check]}\n  ${found.slice(0, shown).map(describeFinding).join('\n  ')}${found.length > shown ? `\n  ... and ${found.length - shown} more` : ''}`,
    );
  }

  /** Every finding, one line each, check by check. */
  describe(): string[] {
    return (Object.keys(CHECKS) as CheckName[]).flatMap((check) => this.of(check).map((finding) => `[${check}] ${describeFinding(finding)}`));
  }

  summary(): Record<CheckName, number> {
    return Object.fromEntries((Object.keys(CHECKS) as CheckName[]).map((check) => [check, this.of(check).length])) as Record<CheckName, number>;
  }
}
