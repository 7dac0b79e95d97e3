import { FreshBalances } from './fresh-balances';

/** QuickBooks' side, recorded: each call's ids, answered with a balance of 10 per invoice. */
function recordingClient(fail = false) {
  const calls: string[][] = [];
  return {
    calls,
    invoicesWithLinks: async (_realmId: string, ids: string[]) => {
      calls.push(ids);
      if (fail) throw new Error('QuickBooks is down');
      return ids.filter((id) => id !== 'gone').map((id) => ({ Id: id, Balance: 10, InvoiceLink: `https://pay.test/${id}` }));
    },
  };
}

describe('the shared fresh balance re-read', () => {
  it('answers messages of one company asking together with one query, each with its own invoices', async () => {
    const client = recordingClient();
    const balances = new FreshBalances(client);
    const [a, b, c] = await Promise.all([balances.read('1', ['1', '2']), balances.read('1', ['2', '3', 'gone']), balances.read('2', ['9'])]);
    expect(client.calls).toEqual([['1', '2', '3', 'gone'], ['9']]);
    expect([...a.keys()]).toEqual(['1', '2']);
    expect([...b.keys()]).toEqual(['2', '3']);
    expect(b.get('3')).toEqual({ id: '3', balance: 10, payLink: 'https://pay.test/3' });
    expect([...c.keys()]).toEqual(['9']);
  });

  it('never puts more than 200 ids in one query', async () => {
    const client = recordingClient();
    const balances = new FreshBalances(client);
    const asks = Array.from({ length: 30 }, (_, n) => balances.read('1', Array.from({ length: 15 }, (_, k) => String(n * 15 + k))));
    const answers = await Promise.all(asks);
    expect(answers.every((answer) => answer.size === 15)).toBe(true);
    expect(client.calls.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...client.calls.map((ids) => ids.length))).toBeLessThanOrEqual(200);
    expect(client.calls.flat()).toHaveLength(450);
  });

  it('fails every message of a failed query, so each is released and retried', async () => {
    const balances = new FreshBalances(recordingClient(true));
    const results = await Promise.allSettled([balances.read('1', ['1']), balances.read('1', ['2'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
