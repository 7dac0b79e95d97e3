import { SendReviewService } from '../../src/services/send-review';
import { createTestContext, type TestContext } from '../support/context';
import type { Engine } from '../support/database';
import { customerRow, invoiceRow } from '../support/rows';

const REALM = '9341019';
const OWNER = { kind: 'operator' } as const;
// A Tuesday at 10:00 in New York: inside the send window.
const NOW = new Date('2026-11-24T15:00:00Z');

describe.each<Engine>(['postgres', 'pglite'])('review before sending (%s)', (engine) => {
  let test: TestContext;
  let review: SendReviewService;
  let next = 0;
  const queue = async (customerId: string, kind = 'reminder', invoiceIds: string[] = ['1']) => {
    const key = `review:${++next}`;
    const row = await test.context.db
      .insertInto('messages')
      .values({ realm_id: REALM, customer_id: customerId, kind, to_address: `ap@customer-${customerId}.test`, invoice_ids: JSON.stringify(invoiceIds), total: '120.50', send_at: new Date(NOW.getTime() - 3600_000), key })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const due = async () => (await test.context.repos.outbox.dueForDispatch(NOW, 100)).map((m) => m.id).sort();
  const claimable = async (id: string) => Boolean(await test.context.repos.outbox.claim(id, NOW));

  beforeAll(async () => {
    test = await createTestContext({ engine, env: { ARDESK_NOW: NOW.toISOString() } });
    review = test.context.services.sendReview;
    // A company that has just connected: nobody has approved anything yet.
    await test.context.repos.companies.upsert({ realm_id: REALM, name: 'Review Co', status: 'connected', connected_at: NOW });
    await test.context.db.insertInto('qbo_customers').values([customerRow(REALM, '7', { display_name: 'Maple Bakery' }), customerRow(REALM, '8', { display_name: 'Cedar Design' })]).execute();
    await test.context.db.insertInto('qbo_invoices').values([invoiceRow(REALM, '1', '7', '2026-10-01', 12050), invoiceRow(REALM, '2', '8', '2026-09-01', 40000)]).execute();
  });
  afterAll(async () => test.destroy());

  it('holds every message of a company nobody has approved, lists it per account, and sends nothing', async () => {
    // Approving an empty list (before the first run made anything) does not start collecting.
    expect(await review.approve(REALM, OWNER, [])).toEqual({ approved: 0 });
    expect((await review.review(REALM)).collectingSince).toBeNull();
    const first = await queue('7', 'reminder', ['1']);
    const second = await queue('8', 'second_notice', ['2']);
    expect(await due()).toEqual([]);
    expect(await claimable(first)).toBe(false);

    const page = await review.review(REALM);
    expect(page).toMatchObject({ mode: 'first_run', collectingSince: null, awaiting: true, messages: 2, total: 24100 });
    expect(page.accounts.map((a) => [a.name, a.messages.map((m) => [m.kind, m.level, m.invoices.map((i) => i.docNumber)])])).toEqual(
      expect.arrayContaining([
        ['Maple Bakery', [['reminder', 1, ['101']]]],
        ['Cedar Design', [['second_notice', 2, ['102']]]],
      ]),
    );
    expect(new Set(page.accounts.flatMap((a) => a.messages.map((m) => m.id)))).toEqual(new Set([first, second]));
  });

  it('approves exactly what the person saw: a message made after the page stays held', async () => {
    const seen = (await review.review(REALM)).accounts.flatMap((a) => a.messages.map((m) => m.id));
    const later = await queue('7', 'verification', ['1']);
    expect(await review.approve(REALM, OWNER, seen)).toEqual({ approved: 2 });
    expect(await due()).toEqual([...seen].sort());
    // Made before collecting started and never shown: it waits on the page for the next look.
    expect((await review.review(REALM)).accounts.flatMap((a) => a.messages.map((m) => m.id))).toEqual([later]);
    const approval = await test.context.db.selectFrom('send_approvals').selectAll().where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    expect(approval).toMatchObject({ approved_by: 'the operator (API token)', messages: 2, accounts: 2 });
    expect(Number(approval.total)).toBe(241);
    // Approving the same messages again changes nothing, and records no approval.
    expect(await review.approve(REALM, OWNER, seen)).toEqual({ approved: 0 });
    expect(await test.context.db.selectFrom('send_approvals').select('id').where('realm_id', '=', REALM).execute()).toHaveLength(1);
    await review.approve(REALM, OWNER, [later]);
  });

  it('under first_run, what later runs make goes out without a review', async () => {
    const fresh = await queue('8', 'reminder', ['2']);
    expect(await due()).toContain(fresh);
    expect((await review.review(REALM)).awaiting).toBe(false);
  });

  it('under every_run, each message waits for its own approval; off sends without one', async () => {
    await review.setMode(REALM, 'every_run');
    const held = await queue('8', 'demand_letter', ['2']);
    expect(await due()).not.toContain(held);
    expect(await claimable(held)).toBe(false);
    // Switching to every_run also holds what is queued and was never approved (the reminder above).
    expect((await review.review(REALM)).accounts.flatMap((a) => a.messages.map((m) => m.kind)).sort()).toEqual(['demand_letter', 'reminder']);
    await review.setMode(REALM, 'off');
    expect(await due()).toContain(held);
    await review.setMode(REALM, 'every_run');
    await expect(review.setMode(REALM, 'sometimes')).rejects.toThrow('Choose when to review');
  });

  it('an approved message waits for the send window when approved outside it', async () => {
    const held = await queue('7', 'reminder', ['1']);
    const saturday = new Date('2026-11-28T23:00:00Z');
    await test.context.repos.sendReview.approve(REALM, [held], 'owner@review.test', new Date('2026-11-30T13:00:00Z'));
    const row = await test.context.db.selectFrom('messages').select(['send_at', 'approved_at']).where('id', '=', held).executeTakeFirstOrThrow();
    expect(row.send_at.toISOString()).toBe('2026-11-30T13:00:00.000Z');
    expect(row.approved_at).not.toBeNull();
    expect(saturday < row.send_at).toBe(true);
  });

  it('holding an account back pauses it with the reason and cancels its held messages', async () => {
    const held = await queue('7', 'reminder', ['1']);
    const other = await queue('8', 'reminder', ['2']);
    await expect(review.holdBack(REALM, '7', '  ', test.context.logger)).rejects.toThrow('Say why');
    expect(await review.holdBack(REALM, '7', 'pays by cheque on the 15th', test.context.logger)).toEqual({ cancelled: 1 });
    const rows = await test.context.db.selectFrom('messages').select(['id', 'status', 'status_reason']).where('id', 'in', [held, other]).execute();
    expect(rows.find((r) => r.id === held)).toMatchObject({ status: 'cancelled', status_reason: 'held back on the review page: pays by cheque on the 15th' });
    expect(rows.find((r) => r.id === other)).toMatchObject({ status: 'queued' });
    const pause = await test.context.db.selectFrom('pauses').select(['customer_id', 'reason']).where('realm_id', '=', REALM).executeTakeFirstOrThrow();
    expect(pause).toEqual({ customer_id: '7', reason: 'pays by cheque on the 15th' });
  });
});
