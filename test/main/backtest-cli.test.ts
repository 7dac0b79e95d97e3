import { CompaniesRepository } from '../../src/db/companies-repository';
import { runArdesk } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testEnv } from '../support/env';
import { customerRow, invoiceRow } from '../support/rows';

const REALM = '5552503';
const FROM = '2026-02-01';
const TO = '2026-03-15';

/**
 * One late invoice worked out by hand with the default playbook (levels at 3/13/23/45 days,
 * 7 days between levels, 3 days between emails, sends Monday to Friday from 08:00), connected on
 * 1 February: due Monday 2 February; reminder Thursday 5th (3 days); level 2 on Sunday 15th,
 * so the second notice goes out Monday 16th; level 3 on Wednesday 25th, and with nobody calling
 * the demand letter waits three business days, to Monday 2 March; paid Tuesday 10 March (a
 * thank-you). The other invoice is paid before it is due and is never late.
 */
async function seed(database: TestDatabase): Promise<void> {
  await new CompaniesRepository(database.db).upsert({ realm_id: REALM, name: 'Backtest CLI Co', status: 'connected', connected_at: new Date('2026-03-20T15:00:00Z') });
  await database.db.insertInto('qbo_customers').values([customerRow(REALM, '1', { display_name: 'Acme Supply', company_name: 'Acme Supply', email: 'ap@acme.test' }), customerRow(REALM, '2', { display_name: 'Birch Design', company_name: 'Birch Design', email: 'pay@birch.test' })]).execute();
  await database.db.insertInto('qbo_invoices').values([invoiceRow(REALM, '11', '1', '2026-02-02', 0, { total: '1000.00', doc_number: '1011' }), invoiceRow(REALM, '21', '2', '2026-02-20', 0, { total: '250.00', doc_number: '1021' })]).execute();
  const payment = (id: string, customer: string, day: string, invoice: string, amount: number) => ({ realm_id: REALM, id, sync_token: '0', qbo_updated_at: new Date('2026-03-20T00:00:00Z'), customer_id: customer, txn_date: day, total: amount, unapplied: 0, applied_to: JSON.stringify([{ id: invoice, type: 'Invoice', amount }]) });
  await database.db.insertInto('qbo_payments').values([payment('p1', '1', '2026-03-10', '11', 1000), payment('p2', '2', '2026-02-18', '21', 250)]).execute();
}

describe('ardesk backtest', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await seed(database);
    env = testEnv({ DATABASE_URL: database.url });
  });
  afterAll(() => database.destroy());

  it('prints, as JSON, each late invoice\'s reminders on the days the playbook gives and the day it was paid', async () => {
    const result = await runArdesk(['backtest', '--realm', REALM, '--from', FROM, '--to', TO, '--json'], env, 60_000);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ from: FROM, to: TO, days: 43, settings: { levelDays: [3, 13, 23, 45] } });
    expect(report.lateInvoices).toEqual([
      expect.objectContaining({
        invoiceId: '11', docNumber: '1011', customerId: '1', dueDate: '2026-02-02', lateBalance: 1000, firstReminderOn: '2026-02-05', firstReminderKind: 'reminder', paidOn: '2026-03-10', paidAfterContact: 1000,
        steps: [
          { on: '2026-02-05', kind: 'level', level: 1 },
          { on: '2026-02-05', kind: 'reminder' },
          { on: '2026-02-15', kind: 'level', level: 2 },
          { on: '2026-02-16', kind: 'second_notice' },
          { on: '2026-02-25', kind: 'level', level: 3 },
          { on: '2026-03-02', kind: 'demand_letter' },
        ],
      }),
    ]);
    expect(report.totals).toMatchObject({ messages: { reminder: 1, second_notice: 1, demand_letter: 1, thank_you: 1 }, sentMessages: 4, lateInvoices: 1, lateDollars: 1000, paidAfterFirstContact: 1000, paidAfterFirstContactShare: 1, medianDaysDueToFirstReminder: 3, medianDaysFirstContactToPaid: 33 });
    expect(report.weeks.find((w: { week: string }) => w.week === '2026-W06')).toMatchObject({ messages: { reminder: 1 }, callsOpened: 1, listMax: 1 });
    expect(report.escalations).toEqual([]);
    expect(result.stderr).toMatch(/reading the history/);
    expect(result.stderr).toMatch(/43\/43 days replayed/);
  }, 90_000);

  it('prints a summary for people, and compares other settings side by side', async () => {
    const text = await runArdesk(['backtest', '--realm', REALM, '--from', FROM, '--to', TO], env, 60_000);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Messages: 4 (reminder 1, second_notice 1, demand_letter 1, thank_you 1)');
    expect(text.stdout).toMatch(/1011\s+2026-02-02\s+2026-02-05\s+02-16 second_notice, 03-02 demand_letter\s+2026-03-10/);

    // Levels at 5/15/30/60: the reminder waits for 5 days overdue, a Saturday, so it goes out Monday 9 February.
    const side = await runArdesk(['backtest', '--realm', REALM, '--from', FROM, '--to', TO, '--level-days', '5,15,30,60'], env, 60_000);
    expect(side.code).toBe(0);
    expect(side.stdout).toMatch(/levels \(days overdue\)\s+3\/13\/23\/45\s+5\/15\/30\/60/);
    expect(side.stdout).toMatch(/first reminder after due\s+3 days\s+7 days/);
    const json = JSON.parse((await runArdesk(['backtest', '--realm', REALM, '--from', FROM, '--to', TO, '--level-days', '5,15,30,60', '--json'], env, 60_000)).stdout);
    expect(json.variant.lateInvoices[0].firstReminderOn).toBe('2026-02-09');
    expect(json.baseline.lateInvoices[0].firstReminderOn).toBe('2026-02-05');
  }, 180_000);

  it('refuses a window or settings it cannot use, saying why', async () => {
    const backwards = await runArdesk(['backtest', '--realm', REALM, '--from', TO, '--to', FROM], env);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('is before --from');
    const levels = await runArdesk(['backtest', '--realm', REALM, '--from', FROM, '--to', TO, '--level-days', '5,15,10,60'], env);
    expect(levels.code).toBe(2);
    expect(levels.stderr).toContain('four increasing numbers of days');
  });
});
