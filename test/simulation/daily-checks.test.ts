import type { AccountAnswer, ListItem } from './ardesk-client';
import { readCallSheet } from './ardesk-client';
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
  describeFinding,
  Findings,
  type MailFacts,
} from './daily-checks';
import { invoiceNumbersIn, type LoggedMail } from './mail-ledger';

/**
 * Each daily check, given figures that agree, finds nothing; given one figure broken, it finds
 * exactly that, naming the day, the customer and both figures.
 */
const DAY = '2026-04-14';
const customer = { id: '12', name: 'Basalt Joinery LLC' };

function item(overrides: Partial<ListItem> = {}): ListItem {
  return { taskId: 't-12', customer: { ...customer, type: 'commercial' }, overdueBalance: 1234.56, oldestDaysOverdue: 17, level: 2, scheduledFor: DAY, flags: [], ...overrides };
}

function account(overrides: Partial<AccountAnswer> = {}): AccountAnswer {
  return {
    date: DAY,
    customer: { ...customer, type: 'commercial' },
    openBalance: 1500.56,
    overdueBalance: 1234.56,
    oldestDaysOverdue: 17,
    level: 2,
    openInvoices: [
      { id: '101', number: '7001', dueDate: '2026-03-28', balance: 1000.5, daysOverdue: 17, level: 2 },
      { id: '102', number: '7002', dueDate: '2026-04-10', balance: 234.06, daysOverdue: 4, level: 1 },
      { id: '103', number: '7003', dueDate: '2026-04-30', balance: 266, daysOverdue: 0, level: 0 },
    ],
    task: null,
    ...overrides,
  };
}

const sheetHtml = (overdue: string, days: [number, number]) => `
  <p class="summary"><span class="status">commercial</span> Level 2 · level · scheduled ${DAY} · <strong>${overdue}</strong> overdue of $1,500.56 open</p>
  <section aria-labelledby="invoices-heading"><h2 id="invoices-heading">Open invoices</h2><div class="table-wrap"><table class="data"><thead><tr><th>Invoice</th></tr></thead>
  <tbody><tr><td><a href="/x">#7001</a></td><td>2026-03-01</td><td>2026-03-28</td><td class="num">$1,000.50</td><td class="num">$1,000.50</td><td class="num">${days[0]}</td><td>2</td></tr><tr><td><a href="/y">#7002</a> <span class="flag">escalation candidate</span></td><td>2026-03-11</td><td>2026-04-10</td><td class="num">$234.06</td><td class="num">$234.06</td><td class="num">${days[1]}</td><td>1</td></tr></tbody></table></div></section>`;

function mail(overrides: Partial<LoggedMail> = {}): LoggedMail {
  const text = 'Dear Ana,\n\n  Invoice 7001  dated Mar 1, 2026  due Mar 28, 2026  amount $1,000.50  balance $1,000.50  (17 days overdue)\n  Invoice 7002  dated Mar 11, 2026  due Apr 10, 2026  amount $234.06  balance $234.06  (4 days overdue)\n  Total: $1,234.56\n';
  return { day: DAY, seenAt: 10, to: 'ap@basalt.example', subject: 'Second notice: $1,234.56 overdue', text, outboxId: 'o-1', invoiceNumbers: invoiceNumbersIn(text), ...overrides };
}

const facts: MailFacts = { kindOf: (m) => (m.subject.startsWith('Thank') ? 'thank_you' : 'second_notice'), customerOf: () => 'Basalt Joinery LLC (12)', outboxOf: (m) => `outbox ${m.outboxId}` };

describe('the daily checks', () => {
  it('1. finds nothing when the list and the account agree, and names each figure that differs', () => {
    expect(checkListAgainstAccounts(DAY, [item()], new Map([['12', account()]]))).toEqual([]);
    const found = checkListAgainstAccounts(DAY, [item({ overdueBalance: 1234.55, level: 3 })], new Map([['12', account()]]));
    expect(found.map(describeFinding)).toEqual([
      '2026-04-14 · Basalt Joinery LLC (12) · overdue balance: the work list says $1,234.55, the account API says $1,234.56',
      "2026-04-14 · Basalt Joinery LLC (12) · level: the work list says 3 (its task's), the account API says 2 (highest of its open invoices: #7001 at 2, #7002 at 1, #7003 at 0)",
    ]);
    expect(checkListAgainstAccounts(DAY, [item({ oldestDaysOverdue: 16, customer: { ...customer, type: 'personal' } })], new Map([['12', account()]])).map((f) => f.figure)).toEqual(['oldest days overdue', 'type']);
  });

  it('2. reads the call sheet and compares its overdue figure and oldest days with the account', () => {
    const sheet = readCallSheet(sheetHtml('$1,234.56', [17, 4]));
    expect(sheet).toMatchObject({ overdueText: '$1,234.56', oldestDaysOverdue: 17 });
    expect(sheet.rows.map((r) => r.number)).toEqual(['7001', '7002']);
    expect(checkCallSheetAgainstAccount(DAY, customer, sheet, account())).toEqual([]);
    const broken = checkCallSheetAgainstAccount(DAY, customer, readCallSheet(sheetHtml('$1,234.57', [18, 4])), account());
    expect(broken.map(describeFinding)).toEqual([
      '2026-04-14 · Basalt Joinery LLC (12) · overdue balance: the call sheet says $1,234.57, the account API says $1,234.56',
      '2026-04-14 · Basalt Joinery LLC (12) · oldest days overdue: the call sheet says 18, the account API says 17',
      "2026-04-14 · Basalt Joinery LLC (12) · overdue balance: the call sheet's invoice table says $1,234.56, the call sheet's summary says $1,234.57",
    ]);
    expect(() => readCallSheet('<p>no summary</p>')).toThrow('no overdue figure');
  });

  it('3. holds the overdue balance to its invoices and to QuickBooks, to the cent', () => {
    const sandbox = { cents: 123456, oldestDue: '2026-03-28', invoiceIds: ['101', '102'] };
    expect(checkOverdueAgainstInvoicesAndSandbox(DAY, customer, account(), sandbox)).toEqual([]);
    expect(checkOverdueAgainstInvoicesAndSandbox(DAY, customer, account(), { ...sandbox, cents: 123455 }).map(describeFinding)).toEqual([
      '2026-04-14 · Basalt Joinery LLC (12) · overdue balance: the account API says $1,234.56, QuickBooks (the sandbox) says $1,234.55',
    ]);
    expect(checkOverdueAgainstInvoicesAndSandbox(DAY, customer, account({ overdueBalance: 1234.57 }), sandbox).map((f) => `${f.left.value} / ${f.right.source} ${f.right.value}`)).toEqual([
      '$1,234.57 / the sum of its open overdue invoices $1,234.56',
      '$1,234.57 / QuickBooks (the sandbox) $1,234.56',
    ]);
    expect(checkOverdueAgainstInvoicesAndSandbox(DAY, customer, account(), { ...sandbox, oldestDue: '2026-03-27' }).map((f) => `${f.figure}: ${f.left.value} / ${f.right.value}`)).toEqual(['oldest days overdue: 17 / 18']);
  });

  it('4. finds a customer twice on the list, and a job listed beside its account', () => {
    const payerOf = (id: string) => (id === '13' ? '12' : id);
    expect(checkOneTaskPerAccount(DAY, [item(), item({ taskId: 't-14', customer: { id: '14', name: 'Other', type: 'personal' } })], payerOf)).toEqual([]);
    const twice = checkOneTaskPerAccount(DAY, [item(), item({ taskId: 't-12b' })], payerOf);
    expect(twice.map(describeFinding)).toEqual(['2026-04-14 · Basalt Joinery LLC (12) · open tasks on the list: the work list says 2 lines (tasks t-12 for Basalt Joinery LLC, t-12b for Basalt Joinery LLC), one account says 1 line for account 12']);
    const job = checkOneTaskPerAccount(DAY, [item(), item({ taskId: 't-13', customer: { id: '13', name: 'Basalt job', type: 'commercial' } })], payerOf);
    expect(job.map((f) => f.figure)).toEqual(['open tasks on the list', 'listed customer']);
  });

  it('5a. finds an invoice listed in a message sent after QuickBooks had it paid, and not one paid after', () => {
    const paidAt = (n: string) => (n === '7002' ? 9 : undefined);
    expect(checkNoPaidInvoiceListed(DAY, [mail({ seenAt: 8 })], facts, paidAt)).toEqual([]);
    expect(checkNoPaidInvoiceListed(DAY, [mail()], facts, paidAt).map(describeFinding)).toEqual([
      '2026-04-14 · Basalt Joinery LLC (12) · invoice 7002 in "Second notice: $1,234.56 overdue" to ap@basalt.example (outbox o-1): the message says balance $234.06, QuickBooks (the sandbox) says $0.00, paid in full before it was sent (moment 9 < 10)',
    ]);
    const thanks = mail({ subject: 'Thank you for your payment, Basalt', text: 'We have received your payment for invoices 7001, 7002. Thank you.' });
    expect(thanks.invoiceNumbers).toEqual(['7001', '7002']);
    expect(checkNoPaidInvoiceListed(DAY, [thanks], facts, () => 0)).toEqual([]);
  });

  it('5b. finds the same message (recipient, subject, invoices) received twice', () => {
    expect(checkNoMessageTwice([mail(), mail({ subject: 'Demand for payment', outboxId: 'o-2' })], facts)).toEqual([]);
    const found = checkNoMessageTwice([mail(), mail({ day: '2026-04-17', outboxId: 'o-2', invoiceNumbers: ['7002', '7001'] })], facts);
    expect(found.map(describeFinding)).toEqual([
      '2026-04-17 · Basalt Joinery LLC (12) · "Second notice: $1,234.56 overdue" to ap@basalt.example for invoices 7002, 7001: the SMTP server says received it on 2026-04-14 (outbox o-1), and again says on 2026-04-17 (outbox o-2)',
    ]);
  });

  it('5c. finds two dunning messages to one customer closer than the gap', () => {
    expect(checkDunningGap([mail(), mail({ day: '2026-04-17', outboxId: 'o-2' })], facts, 3)).toEqual([]);
    const found = checkDunningGap([mail(), mail({ day: '2026-04-15', outboxId: 'o-2', subject: 'Demand for payment' })], facts, 3);
    expect(found.map(describeFinding)).toEqual([
      '2026-04-15 · Basalt Joinery LLC (12) · days between dunning messages (the gap is 3): the SMTP server says "Second notice: $1,234.56 overdue" on 2026-04-14 (outbox o-1), 1 day(s) later says "Demand for payment" on 2026-04-15 (outbox o-2)',
    ]);
  });

  it('6. finds an open task on an account QuickBooks shows paid, and a paid account on the list', () => {
    const paid = account({ openBalance: 0, overdueBalance: 0, oldestDaysOverdue: 0, level: 0, openInvoices: [] });
    expect(checkPaidAccountHasNoTask(DAY, customer, paid)).toEqual([]);
    const withTask = checkPaidAccountHasNoTask(DAY, customer, { ...paid, task: { id: 't-12', level: 0, reason: 'broken_promise', scheduledFor: DAY } });
    expect(withTask.map(describeFinding)).toEqual(['2026-04-14 · Basalt Joinery LLC (12) · open task: QuickBooks (the sandbox) says every invoice paid, $0.00 open, the account API says open task t-12 (broken_promise, level 0, due 2026-04-14) on $0.00 open']);
    expect(checkPaidAccountsOffList(DAY, [item()], () => false)).toEqual([]);
    expect(checkPaidAccountsOffList(DAY, [item({ overdueBalance: 0, flags: ['broken_promise'] })], () => true).map(describeFinding)).toEqual([
      '2026-04-14 · Basalt Joinery LLC (12) · on the list: QuickBooks (the sandbox) says every invoice paid, $0.00 open, the work list says task t-12, level 2 [broken_promise], $0.00 overdue',
    ]);
  });

  it('fails a check with the first disagreements named, and only for the figures asked about', () => {
    const findings = new Findings();
    findings.add(checkListAgainstAccounts(DAY, [item({ level: 3 })], new Map([['12', account()]])));
    expect(() => findings.expectNone('list', ['overdue balance'])).not.toThrow();
    expect(() => findings.expectNone('list')).toThrow(/1 disagreement\(s\) on 1 day\(s\): the work list and the account API agree\n {2}2026-04-14 · Basalt Joinery LLC \(12\) · level: the work list says 3/);
    expect(findings.summary()).toMatchObject({ list: 1, callSheet: 0 });
  });
});
