import { playbookSettings } from '../collections/settings';
import type { Db } from '../db/database';
import { createLogger } from '../logger';
import { FreshBalances } from '../mail/fresh-balances';
import { MessageSendService, type MessageSendDeps } from './send-message';

// Tuesday 10:00 in New York: inside the default send window (weekdays 8 to 17).
const IN_WINDOW = new Date('2026-03-03T15:00:00Z');
// Tuesday 18:00 in New York: the window opens again on Wednesday at 08:00.
const AFTER_HOURS = new Date('2026-03-03T23:00:00Z');

const queued = { id: 'm1', realm_id: 'r1', customer_id: 'c1', kind: 'reminder', to_address: 'ap@customer.test', invoice_ids: ['i1', 'i2'], status: 'sending' };

/**
 * A send with fakes for every dependency it names: what it did to the outbox, the call tasks and
 * the mail server is recorded. The database is never reached before the mail server accepts.
 */
function sendWith(options: { now?: Date; message?: Partial<typeof queued>; companyStatus?: string; balances?: Record<string, number>; pausedCustomer?: string; doNotContact?: string[]; payerId?: string; freshBalances?: MessageSendDeps['balances']; coverageMs?: () => number } = {}) {
  const calls: string[] = [];
  const note = (what: string) => async (...args: unknown[]) => {
    calls.push(`${what} ${JSON.stringify(args.slice(1, 2))}`);
    return true;
  };
  const deps: MessageSendDeps = {
    db: new Proxy({}, { get: () => { throw new Error('the database was reached'); } }) as Db,
    outbox: {
      claim: async () => ({ ...queued, ...options.message }) as never,
      find: async () => undefined,
      markUncertain: note('uncertain'),
      release: note('release') as never,
      postpone: note('postpone') as never,
      finish: note('finish'),
      overridesOf: async () => ({}),
    },
    coverage: {
      factsFor: async () => (await new Promise((resolve) => setTimeout(resolve, options.coverageMs?.() ?? 0)), { invoices: [], promises: [], disputes: [], pauses: options.pausedCustomer ? [{ customerId: options.pausedCustomer, invoiceId: null, until: null }] : [] }),
      contactFacts: async () => ({ payerId: options.payerId ?? 'c1', doNotContact: options.doNotContact ?? [] }),
    },
    companies: { find: async () => ({ realm_id: 'r1', status: options.companyStatus ?? 'connected', timezone: 'America/New_York', email: 'ar@seller.test' }) as never },
    callTasks: { wantReason: async (_realmId, task) => (calls.push(`task ${task.reason} ${task.scheduledFor}`), 'added') },
    settings: { settingsOf: async (_realmId, timezone) => playbookSettings({ timezone }) },
    balances: options.freshBalances ?? { read: async (_realmId, ids) => (calls.push(`balances ${JSON.stringify(ids)}`), new Map(ids.map((id) => [id, { id, balance: options.balances?.[id] ?? 5000, payLink: null, invoice: { Id: id } }]))) },
    templates: { render: async () => { throw new Error('rendered'); } },
    sentCopies: { prepare: async () => { throw new Error('copied'); }, store: async () => undefined },
    mailer: { send: async () => { throw new Error('the mail server was reached'); } },
    mailFrom: 'Ardesk <ar@seller.test>',
    links: { linksFor: () => null },
    clock: { now: () => options.now ?? IN_WINDOW, businessNow: () => options.now ?? IN_WINDOW },
    logger: createLogger({ level: 'silent' }),
  };
  const service = new MessageSendService(deps);
  return { calls, send: () => service.send('m1', { lastAttempt: true }) };
}

describe('sending one message, before the mail server is reached', () => {
  it('holds the message of a company that is not connected', async () => {
    const { calls, send } = sendWith({ companyStatus: 'needs_reconnect' });
    expect(await send()).toEqual({ status: 'skipped', reason: 'company not connected' });
    expect(calls).toEqual(['release ["held: the company is needs_reconnect"]']);
  });

  it('postpones a message whose turn comes after the send window to the next business morning', async () => {
    const { calls, send } = sendWith({ now: AFTER_HOURS });
    expect(await send()).toEqual({ status: 'skipped', reason: 'outside the send window; goes out 2026-03-04T13:00:00.000Z' });
    expect(calls).toEqual(['postpone ["2026-03-04T13:00:00.000Z"]']);
  });

  it('fails a malformed address and opens a find-an-email task for today', async () => {
    const { calls, send } = sendWith({ message: { to_address: 'ap@customer' } });
    expect(await send()).toEqual({ status: 'failed', reason: 'invalid address' });
    expect(calls).toEqual(['finish ["failed"]', 'task find_email 2026-03-03']);
  });

  it('cancels a dunning message whose invoices QuickBooks says are paid now', async () => {
    const { calls, send } = sendWith({ balances: { i1: 0, i2: 0 } });
    expect(await send()).toEqual({ status: 'cancelled', reason: 'paid' });
    expect(calls).toEqual(['balances ["i1","i2"]', 'finish ["cancelled"]']);
  });

  it('cancels a dunning message of a customer paused since it was queued, without asking QuickBooks', async () => {
    const { calls, send } = sendWith({ pausedCustomer: 'c1' });
    expect(await send()).toEqual({ status: 'cancelled', reason: 'paused' });
    expect(calls).toEqual(['finish ["cancelled"]']);
  });

  it.each(['promise_confirmation', 'plan_confirmation'])('cancels a %s whose invoices were all paid since it was queued', async (kind) => {
    // The customer's pause does not hold back the confirmation of what it promised.
    const { calls, send } = sendWith({ message: { kind }, balances: { i1: 0, i2: 0 }, pausedCustomer: 'c1' });
    expect(await send()).toEqual({ status: 'cancelled', reason: 'paid' });
    expect(calls).toEqual(['balances ["i1","i2"]', 'finish ["cancelled"]']);
  });

  it.each([
    ['a reminder to the customer marked', 'reminder', 'c1', ['c1']],
    ['a thank-you to the customer marked', 'thank_you', 'c1', ['c1']],
    ['a promise confirmation to a sub-customer whose paying account is marked', 'promise_confirmation', 'parent', ['parent']],
  ])('cancels %s do not contact since it was queued, without asking QuickBooks', async (_label, kind, payerId, doNotContact) => {
    const { calls, send } = sendWith({ message: { kind }, payerId, doNotContact });
    expect(await send()).toEqual({ status: 'cancelled', reason: 'marked do not contact' });
    expect(calls).toEqual(['finish ["cancelled"]']);
  });

  it('still thanks a customer for invoices that are paid', async () => {
    const { send } = sendWith({ message: { kind: 'thank_you' }, balances: { i1: 0, i2: 0 } });
    // It goes on to the merge data: the database is reached, nothing is cancelled.
    await expect(send()).rejects.toThrow('the database was reached');
  });
});

describe('the balance re-reads of sends under way together', () => {
  it('waits for every claimed send of the company, however far apart they ask, and reads them in one query', async () => {
    const queries: string[][] = [];
    const freshBalances = new FreshBalances({ invoicesWithLinks: async (_realmId: string, ids: string[]) => (queries.push(ids), ids.map((id) => ({ Id: id, Balance: 0 }))) });
    // Each send's coverage check takes 30 ms longer than the one before: twice the plain gather window apart.
    let n = 0;
    const { send } = sendWith({ freshBalances, coverageMs: () => 30 * n++ });
    const outcomes = await Promise.all([send(), send(), send()]);
    expect(outcomes.map((o) => o.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(queries).toEqual([['i1', 'i2']]);
  });
});
