import { sql } from 'kysely';
import { runBacktest, type BacktestReport } from '../../src/collections/backtest';
import { addDays, zonedInstant } from '../../src/collections/calendar';
import { DUNNING_KINDS } from '../../src/collections/message-kinds';
import { DEFAULT_SETTINGS } from '../../src/collections/settings';
import { recordActivities, recordSent } from '../../src/db/cadence-recorder';
import { createTestContext, type TestContext } from '../support/context';
import { cents, openBalanceOn, sandboxBooks, writeCopy, type Books } from './backtest-books';

/**
 * The back-test against the live cadence: the same sandbox history is replayed day by day
 * through the services (each day the copy of QuickBooks holds what QuickBooks held that day, the
 * cadence runs at 07:00 and the day's messages go out with the fresh balance check, as the send
 * path does), and the back-test of the same window must have decided the same, invoice by invoice.
 */

const REALM = '5552502';
const TO = '2026-03-02';
const FROM = addDays(TO, -55);
const ZONE = 'America/New_York';

type Step = { on: string; kind: string };

async function replayLive(test: TestContext, books: Books): Promise<void> {
  const { db, services } = test.context;
  await test.context.repos.companies.upsert({ realm_id: REALM, name: 'Backtest Live Co', status: 'connected', connected_at: zonedInstant(FROM, 10 * 60, ZONE) });
  await writeCopy(db, REALM, 'Customer', books.Customer);
  const written = new Set<string>();
  for (let day = FROM; day <= TO; day = addDays(day, 1)) {
    // The copy as the sync left it that day: invoices issued by then, their balance that day, the payments made by then.
    const invoices = books.Invoice.filter((i) => String(i.TxnDate) <= day);
    const fresh = invoices.filter((i) => !written.has(i.Id));
    if (fresh.length) await writeCopy(db, REALM, 'Invoice', fresh);
    const payments = books.Payment.filter((p) => String(p.TxnDate) <= day && !written.has(`p${p.Id}`));
    if (payments.length) await writeCopy(db, REALM, 'Payment', payments);
    fresh.forEach((i) => written.add(i.Id));
    payments.forEach((p) => written.add(`p${p.Id}`));
    const balances = invoices.map((i) => ({ id: i.Id, balance: (openBalanceOn(i, books.Payment, day) / 100).toFixed(2) }));
    await sql`update qbo_invoices i set balance = b.balance::numeric from jsonb_to_recordset(${JSON.stringify(balances)}::jsonb) as b(id text, balance text) where i.realm_id = ${REALM} and i.id = b.id`.execute(db);

    await services.cadence.runDay(REALM, day);

    // The send path at 08:00: what is due goes out, less what is paid by then; nothing left, nothing sent.
    const due = await db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('status', '=', 'queued').where('send_at', '<=', zonedInstant(day, 17 * 60, ZONE)).execute();
    for (const message of due) {
      const open = new Map((await db.selectFrom('qbo_invoices').select(['id', 'balance']).where('realm_id', '=', REALM).where('id', 'in', message.invoice_ids).execute()).map((r) => [r.id, cents(r.balance)]));
      const listed = message.kind === 'thank_you' ? message.invoice_ids : message.invoice_ids.filter((id) => (open.get(id) ?? 0) > 0);
      await db.transaction().execute(async (trx) => {
        if (!listed.length) return void (await trx.updateTable('messages').set({ status: 'cancelled' }).where('id', '=', message.id).execute());
        await trx.updateTable('messages').set({ status: 'sent', listed_invoice_ids: JSON.stringify(listed), sent_at: new Date() }).where('id', '=', message.id).execute();
        await recordSent(trx, REALM, { customerId: message.customer_id, kind: message.kind }, day);
        await recordActivities(trx, REALM, day, [{ customerId: message.customer_id, invoiceIds: listed, kind: 'email_sent', summary: `${message.kind} sent`, key: `sent:${message.id}` }]);
      });
    }
  }
}

/** Each invoice's dunning messages as the live run sent them: their send day and kind. */
async function liveSteps(test: TestContext): Promise<Map<string, Step[]>> {
  const rows = await test.context.db
    .selectFrom('messages as m')
    .innerJoin('activities as a', (join) => join.onRef('a.realm_id', '=', 'm.realm_id').on('a.key', '=', sql<string>`'sent:' || m.id::text`))
    .select(['m.kind', 'm.listed_invoice_ids', 'a.occurred_on'])
    .where('m.realm_id', '=', REALM)
    .where('m.status', '=', 'sent')
    .execute();
  const steps = new Map<string, Step[]>();
  for (const row of rows.filter((r) => DUNNING_KINDS.has(r.kind))) for (const id of row.listed_invoice_ids ?? []) steps.set(id, [...(steps.get(id) ?? []), { on: row.occurred_on, kind: row.kind }]);
  for (const list of steps.values()) list.sort((a, b) => a.on.localeCompare(b.on));
  return steps;
}

const backtestSteps = (report: BacktestReport) => new Map(report.lateInvoices.filter((i) => i.steps.some((s) => s.kind !== 'level')).map((i) => [i.invoiceId, i.steps.filter((s) => s.kind !== 'level').map(({ on, kind }) => ({ on, kind }))]));

describe('the back-test and the live cadence on the same history', () => {
  let test: TestContext;
  let books: Books;
  let report: BacktestReport;
  beforeAll(async () => {
    books = sandboxBooks({ realmId: REALM, customers: 14, invoices: 140, asOf: TO, seed: 11 });
    test = await createTestContext();
    await replayLive(test, books);
    report = await test.context.services.backtest.run({ realmId: REALM, from: FROM, to: TO });
  }, 240_000);
  afterAll(() => test.destroy());

  it('sends each invoice its first reminder on the day the live cadence did, for every invoice', async () => {
    const live = await liveSteps(test);
    const firstLive = new Map(books.Invoice.map((i) => [i.Id, live.get(i.Id)?.[0] ?? null]));
    const byId = new Map(report.lateInvoices.map((i) => [i.invoiceId, i]));
    const firstBacktest = new Map(books.Invoice.map((i) => [i.Id, byId.get(i.Id)?.firstReminderOn ? { on: byId.get(i.Id)!.firstReminderOn!, kind: byId.get(i.Id)!.firstReminderKind! } : null]));
    expect(firstBacktest).toEqual(firstLive);
    // Enough happened to mean something: reminders, overdue statements at connect, later steps.
    expect([...firstLive.values()].filter(Boolean).length).toBeGreaterThan(15);
    expect([...firstLive.values()].filter((s) => s?.kind === 'reminder').length).toBeGreaterThan(3);
    expect([...firstLive.values()].filter((s) => s?.kind === 'overdue_statement').length).toBeGreaterThan(3);
    if (process.env.BACKTEST_DEBUG) process.stderr.write(`${JSON.stringify(report.totals)} escalations ${report.escalations.length}\n`);
  });

  it('takes every later step on the same day as the live cadence, and sends the same messages', async () => {
    const live = await liveSteps(test);
    expect(backtestSteps(report)).toEqual(live);
    const sent = await test.context.db.selectFrom('messages').select(['kind', sql<number>`count(*)::int`.as('n')]).where('realm_id', '=', REALM).where('status', '=', 'sent').groupBy('kind').execute();
    expect(report.totals.messages).toEqual(Object.fromEntries(sent.map((r) => [r.kind, r.n])));
    expect(Object.keys(report.totals.messages)).toEqual(expect.arrayContaining(['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'thank_you']));
  });

  it('moves invoices through the levels on the days the live cadence did', async () => {
    const rows = await test.context.db.selectFrom('activities').select(['invoice_ids', 'occurred_on', sql<number>`(details->>'to')::int`.as('to')]).where('realm_id', '=', REALM).where('kind', '=', 'level_change').execute();
    const live = rows.flatMap((r) => r.invoice_ids.map((id) => `${id} ${r.occurred_on} ${r.to}`)).sort();
    const backtest = report.lateInvoices.flatMap((i) => i.steps.filter((s) => s.kind === 'level').map((s) => `${i.invoiceId} ${s.on} ${s.level}`)).sort();
    // Levels of invoices the back-test lists as late (an invoice due today may enter level 1 with levelDays[0] = 0; not with the defaults).
    expect(backtest).toEqual(live);
    expect(live.length).toBeGreaterThan(20);
  });

  it('decides the same when every open invoice is fed every day (the pruning changes nothing)', async () => {
    const history = await test.context.repos.backtest.loadHistory(REALM, ZONE);
    const settings = { ...DEFAULT_SETTINGS, timezone: ZONE };
    const pruned = runBacktest(history, { from: FROM, to: TO, settings });
    const full = runBacktest(history, { from: FROM, to: TO, settings, prune: false });
    expect({ ...pruned, timings: null }).toEqual({ ...full, timings: null });
    expect(pruned.escalations.length).toBeGreaterThan(0);
  });
});
