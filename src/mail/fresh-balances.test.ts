import { FreshBalances } from './fresh-balances';

/** QuickBooks' side, recorded: each call's ids, answered with a balance of 10.00 per invoice. */
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
    // In cents, as everything inside Ardesk; the invoice whole, as QuickBooks answered.
    expect(b.get('3')).toEqual({ id: '3', balance: 1000, payLink: 'https://pay.test/3', invoice: { Id: '3', Balance: 10, InvoiceLink: 'https://pay.test/3' } });
    expect([...c.keys()]).toEqual(['9']);
  });

  it('reads QuickBooks\' balances digit by digit into cents; one that is no amount leaves nothing to ask for', async () => {
    const balances = new FreshBalances({ invoicesWithLinks: async () => [{ Id: '1', Balance: 0.3 }, { Id: '2', Balance: '15231.89' }, { Id: '3', Balance: 'n/a' }, { Id: '4' }] });
    const fresh = await balances.read('1', ['1', '2', '3', '4']);
    expect([...fresh.values()].map((f) => f.balance)).toEqual([30, 1523189, 0, 0]);
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

describe('the shared re-read under load', () => {
  it('keeps at most two queries of a company in flight, and sends whatever gathered meanwhile in the next', async () => {
    const calls: string[][] = [];
    const gates: Array<() => void> = [];
    const client = {
      invoicesWithLinks: (_realmId: string, ids: string[]) => {
        calls.push(ids);
        return new Promise<Array<{ Id: string; Balance: number }>>((resolve) => gates.push(() => resolve(ids.map((id) => ({ Id: id, Balance: 1 })))));
      },
    };
    const balances = new FreshBalances(client);
    const first = balances.read('1', ['1']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = balances.read('1', ['2']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Two in flight now; these six wait, however long, for a slot.
    const later = Array.from({ length: 6 }, (_, n) => balances.read('1', [String(10 + n)]));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls).toEqual([['1'], ['2']]);
    gates[0]!();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls[2]).toEqual(['10', '11', '12', '13', '14', '15']);
    gates[1]!();
    gates[2]!();
    await Promise.all([second, ...later]);
    expect(calls).toHaveLength(3);
  });
});

describe('the re-reads of a company\'s sends in progress together', () => {
  it('waits for every announced send to ask or leave, then reads them in ceil(ids / 200) queries', async () => {
    const client = recordingClient();
    const balances = new FreshBalances(client);
    const sends = balances.expect('1', 150);
    // 120 sends ask for 3 invoices each, at moments further apart than the plain 15 ms window; 30 end without asking.
    const asked: Array<Promise<Map<string, unknown>>> = [];
    for (let n = 0; n < 120; n++) {
      asked.push(sends[n]!.read([String(3 * n), String(3 * n + 1), String(3 * n + 2)]));
      if (n % 40 === 39) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(client.calls).toHaveLength(1); // a full query went as soon as 200 ids were there
    for (const send of sends.slice(120)) send.leave();
    const answers = await Promise.all(asked);
    expect(answers.every((answer) => answer.size === 3)).toBe(true);
    // 360 ids: two queries, the first as full as whole messages fill it.
    expect(client.calls.map((ids) => ids.length)).toEqual([198, 162]);
  });

  it('reads what gathered once the last announced send has left, without waiting out the window', async () => {
    const client = recordingClient();
    const balances = new FreshBalances(client);
    const [first, second] = balances.expect('1', 2);
    const answer = first!.read(['1']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(client.calls).toEqual([]);
    const started = Date.now();
    second!.leave();
    await answer;
    expect(client.calls).toEqual([['1']]);
    expect(Date.now() - started).toBeLessThan(15);
  });
});
