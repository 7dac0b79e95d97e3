import { parseSandboxArgs } from '../../src/sandbox/command';
import { generateCompany } from '../../src/sandbox/generator';
import { LATENCY_MODEL, Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed } from '../../src/sandbox/seed';
import { startSandbox } from '../../src/sandbox/server';

const REALM = '9341452000002203';

describe('the sandbox latency model: base + perRow × rows', () => {
  it('is off by default, and --latency-model turns on the documented 150 ms + 1.5 ms a row', () => {
    expect(new Sandbox().knobs).toMatchObject({ latencyMs: 0, latencyPerRowMs: 0 });
    expect(parseSandboxArgs([])).toMatchObject({ latencyMs: 0, latencyPerRowMs: 0 });
    expect(LATENCY_MODEL).toEqual({ latencyMs: 150, latencyPerRowMs: 1.5 });
    expect(parseSandboxArgs(['--latency-model'])).toMatchObject({ latencyMs: 150, latencyPerRowMs: 1.5 });
    expect(parseSandboxArgs(['--latency', '50'])).toMatchObject({ latencyMs: 50, latencyPerRowMs: 0 });
    expect(parseSandboxArgs(['--latency-model', '--latency-per-row', '3'])).toMatchObject({ latencyMs: 150, latencyPerRowMs: 3 });
  });

  it('answers a 1000-row page in base + 1000 × perRow, and a COUNT(*) in about the base', async () => {
    const sandbox = new Sandbox({ knobs: { latencyMs: 20, latencyPerRowMs: 2 } });
    loadSeed(sandbox, generateCompany({ realmId: REALM, customers: 50, invoices: 1200, asOf: '2026-11-20' }));
    const running = await startSandbox({ sandbox });
    try {
      const token = sandbox.oauth.mintTokens('client', REALM).access_token;
      const timed = async (query: string) => {
        const started = performance.now();
        const answer = await fetch(`${running.url}/v3/company/${REALM}/query?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
        await answer.json();
        return performance.now() - started;
      };
      const page = await timed('SELECT * FROM Invoice ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000');
      const count = await timed('SELECT COUNT(*) FROM Invoice');
      expect(page).toBeGreaterThanOrEqual(20 + 2000 - 5);
      expect(count).toBeGreaterThanOrEqual(20 - 5);
      // A count pays no row's latency: far under the 2 s its 1,200 rows would cost (a busy machine adds some).
      expect(count).toBeLessThan(1000);
    } finally {
      await running.stop();
    }
  });
});
