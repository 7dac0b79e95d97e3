import { randomBytes } from 'node:crypto';
import { createAppContext, type AppContext } from '../src/app-context';
import { addDays } from '../src/collections/calendar';
import { centsToDecimal, centsToNumber } from '../src/collections/money';
import { createLogger } from '../src/logger';
import type { Figure } from './run';
import { benchConfig, temporaryDatabase } from './support';

const REALM = '7770025';
const CUSTOMERS = 2_000;
const INVOICES = 20_000;
const FROM = '2025-01-01';
const TO = '2025-12-31';

/**
 * A year of a 20,000-invoice company in the copy of QuickBooks: invoices issued through the
 * year (and the two months before), most paid, many late, some in part, a few credit memos.
 */
async function seed(context: AppContext): Promise<void> {
  await context.repos.companies.upsert({ realm_id: REALM, name: 'Backtest Bench Co', status: 'connected', connected_at: new Date('2026-01-05T15:00:00Z') });
  let state = 25;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const stamp = new Date('2026-01-05T12:00:00Z');
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({ realm_id: REALM, id: String(i + 1), sync_token: '0', qbo_updated_at: stamp, display_name: `Customer ${i + 1}`, company_name: i % 3 ? `Customer ${i + 1} LLC` : null, given_name: null, family_name: null, email: i % 12 ? `ap${i}@example.test` : null, phone: null, mobile: null, notes: null, balance: 0, active: true, parent_id: null, sales_term_id: null, currency: 'USD', raw: '{}' }));
  const invoices = [];
  const payments = [];
  const span = 365 + 60;
  for (let i = 0; i < INVOICES; i++) {
    const txn = addDays(FROM, -60 + Math.floor(random() * span));
    const due = addDays(txn, [0, 15, 30, 30, 60][Math.floor(random() * 5)]!);
    const total = 1000 + Math.floor(random() * 500000);
    const roll = random();
    // 70 % paid in full (a third of those late), 15 % in part, the rest still owed.
    const late = Math.floor(Math.pow(random(), 2) * 120);
    const paidOn = addDays(due, roll < 0.45 ? -Math.floor(random() * 10) : late);
    const amount = roll < 0.7 ? total : roll < 0.85 ? Math.round(total * (0.2 + random() * 0.5)) : 0;
    const settled = amount > 0 && paidOn <= '2026-01-05';
    const id = String(100000 + i);
    invoices.push({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: stamp, customer_id: String(1 + Math.floor(Math.pow(random(), 2) * CUSTOMERS)), doc_number: String(1000 + i), txn_date: txn, due_date: due, total: centsToDecimal(total), balance: centsToDecimal(settled ? total - amount : total), bill_email: null, sales_term_id: null, currency: 'USD', email_status: null, raw: '{}' });
    if (settled) payments.push({ realm_id: REALM, id: `p${i}`, sync_token: '0', qbo_updated_at: stamp, customer_id: invoices[i]!.customer_id, txn_date: paidOn < txn ? txn : paidOn, total: centsToDecimal(amount), unapplied: 0, applied_to: JSON.stringify([{ id, type: 'Invoice', amount: centsToNumber(amount) }]) });
  }
  for (let start = 0; start < customers.length; start += 2000) await context.db.insertInto('qbo_customers').values(customers.slice(start, start + 2000)).execute();
  for (let start = 0; start < invoices.length; start += 2000) await context.db.insertInto('qbo_invoices').values(invoices.slice(start, start + 2000)).execute();
  for (let start = 0; start < payments.length; start += 2000) await context.db.insertInto('qbo_payments').values(payments.slice(start, start + 2000)).execute();
}

/** Issue 25's figure: a year of a 20,000-invoice company back-tested, history loading included. */
export async function backtestBenchmark(): Promise<Figure[]> {
  const database = await temporaryDatabase();
  let context: AppContext | undefined;
  try {
    context = await createAppContext(benchConfig({ DATABASE_URL: database.url, ARDESK_NOW: '2026-01-05T15:00:00Z' }), { logger: createLogger({ level: 'silent' }), queuePrefix: `ardesk-bench-${randomBytes(3).toString('hex')}` });
    await seed(context);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await context.services.backtest.run({ realmId: REALM, from: FROM, to: TO });
    const ms = Math.round(performance.now() - started);
    const used = process.cpuUsage(cpu);
    const cpuMs = Math.round((used.user + used.system) / 1000);
    return [
      { id: 'backtest.year_20k_ms', benchmark: 'backtest', measure: `a year (${report.days} days) of ${INVOICES.toLocaleString('en-US')} invoices back-tested, history load included (${report.totals.sentMessages} messages, ${report.totals.lateInvoices} late invoices)`, value: ms, unit: 'ms', target: '<= 30000 ms', met: ms <= 30_000 },
      { benchmark: 'backtest', measure: 'of which loading the history', value: ms - report.timings.replayMs, unit: 'ms' },
      { benchmark: 'backtest', measure: 'of which the playbook itself', value: report.timings.playbookMs, unit: 'ms' },
      { benchmark: 'backtest', measure: 'processor time of this process for the whole back-test (the machine is shared)', value: cpuMs, unit: 'ms' },
    ];
  } finally {
    await context?.close();
    await database.drop();
  }
}
