import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCompany } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { signWebhook } from '../../src/sandbox/webhooks';

const REALM = '9341452000000555';

async function withSandbox(work: (running: RunningSandbox, token: string) => Promise<void>, setup: (sandbox: Sandbox) => void = () => undefined): Promise<void> {
  const sandbox = new Sandbox();
  loadSeed(sandbox, generateCompany({ realmId: REALM, customers: 20, invoices: 50, asOf: '2026-11-20' }));
  setup(sandbox);
  const running = await startSandbox({ sandbox });
  try {
    await work(running, sandbox.oauth.mintTokens('client', REALM).access_token);
  } finally {
    await running.stop();
  }
}

function get(running: RunningSandbox, token: string, path: string): Promise<Response> {
  return fetch(`${running.url}/v3/company/${REALM}/${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
}

describe('sandbox limits', () => {
  it('answers the 11th concurrent request with the real XML throttle fault', async () => {
    await withSandbox(
      async (running, token) => {
        const answers = await Promise.all(Array.from({ length: 11 }, () => get(running, token, 'companyinfo/1')));
        const statuses = answers.map((a) => a.status).sort();
        expect(statuses.filter((s) => s === 200)).toHaveLength(10);
        const throttled = answers.find((a) => a.status === 429)!;
        expect(throttled.headers.get('content-type')).toContain('application/xml');
        const xml = await throttled.text();
        expect(xml).toContain('<Error code="3001">');
        expect(xml).toContain('message=ThrottleExceeded; errorCode=003001; statusCode=429');
      },
      (sandbox) => sandbox.setKnobs({ latencyMs: 300 }),
    );
  });

  it('answers the 501st request within a minute with 429, and counts only admitted requests', async () => {
    await withSandbox(async (running, token) => {
      const statuses: number[] = [];
      for (let batch = 0; batch < 51; batch++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => get(running, token, 'companyinfo/1')));
        statuses.push(...answers.map((a) => a.status));
      }
      expect(statuses.slice(0, 500).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(500).every((s) => s === 429)).toBe(true);
      const log = running.sandbox.requestLog.filter((entry) => entry.realmId === REALM);
      expect(log.filter((entry) => entry.status === 200)).toHaveLength(500);
      expect(log.filter((entry) => entry.status === 429)).toHaveLength(10);
    });
  });

  it('limits batch requests to 40 a minute', async () => {
    await withSandbox(async (running, token) => {
      const statuses: number[] = [];
      for (let i = 0; i < 41; i++) {
        const answer = await fetch(`${running.url}/v3/company/${REALM}/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ BatchItemRequest: [{ bId: '1', Query: 'select * from Term' }] }),
        });
        statuses.push(answer.status);
      }
      expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
      expect(statuses[40]).toBe(429);
    });
  });
});

describe('sandbox faults and knobs', () => {
  it('answers an expired token with 401 in the lower-case envelope and WWW-Authenticate', async () => {
    await withSandbox(async (running, token) => {
      running.sandbox.oauth.expireAccessTokens(REALM);
      const answer = await get(running, token, 'customer/1');
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="Intuit", error="invalid_token"');
      const body = (await answer.json()) as { fault: { error: Array<{ code: string; detail: string }>; type: string } };
      expect(body.fault.type).toBe('AUTHENTICATION');
      expect(body.fault.error[0]).toMatchObject({ code: '3200', detail: expect.stringMatching(/^Token expired/) });
    });
  });

  it('answers a token of another company with 403 (3100)', async () => {
    await withSandbox(async (running) => {
      const other = running.sandbox.addRealm('111');
      expect(other).toBeDefined();
      const foreign = running.sandbox.oauth.mintTokens('client', '111').access_token;
      const answer = await get(running, foreign, 'companyinfo/1');
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as { Fault: { Error: Array<{ code: string }> } }).Fault.Error[0]!.code).toBe('3100');
    });
  });

  it('injects 5xx, throttle bursts and stale SyncTokens on demand, and logs every request with intuit_tid', async () => {
    await withSandbox(async (running, token) => {
      const knobs = await fetch(`${running.url}/_sandbox/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 2, throttleNext: 1, staleNext: 1 }) });
      expect(((await knobs.json()) as { failNext: number }).failNext).toBe(2);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(running, token, 'customer/1')).status);
      expect(statuses).toEqual([429, 500, 500, 200]);
      const customer = ((await (await get(running, token, 'customer/1')).json()) as { Customer: { SyncToken: string } }).Customer;
      const update = await fetch(`${running.url}/v3/company/${REALM}/customer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Id: '1', SyncToken: customer.SyncToken, sparse: true, Notes: 'x' }),
      });
      expect(update.status).toBe(400);
      expect(((await update.json()) as { Fault: { Error: Array<{ code: string }> } }).Fault.Error[0]!.code).toBe('5010');
      expect(update.headers.get('intuit_tid')).toMatch(/^1-/);
      const log = (await (await fetch(`${running.url}/_sandbox/requests?realmId=${REALM}`)).json()) as Array<{ kind: string; status: number }>;
      expect(log.map((e) => e.status)).toEqual([429, 500, 500, 200, 200, 400]);
      expect(log.at(-1)!.kind).toBe('write');
    });
  });

  it('serves an invoice PDF and records a send', async () => {
    await withSandbox(async (running, token) => {
      const pdf = await get(running, token, 'invoice/21/pdf');
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toContain('application/pdf');
      const bytes = Buffer.from(await pdf.arrayBuffer());
      expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
      expect(bytes.subarray(-6).toString('latin1')).toBe('%%EOF\n');
      const sent = await fetch(`${running.url}/v3/company/${REALM}/invoice/21/send?sendTo=ap@example.test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(((await sent.json()) as { Invoice: { EmailStatus: string; BillEmail: { Address: string } } }).Invoice).toMatchObject({ EmailStatus: 'EmailSent', BillEmail: { Address: 'ap@example.test' } });
    });
  });

  it('returns the online pay link only when asked with include=invoiceLink', async () => {
    await withSandbox(async (running, token) => {
      const plain = ((await (await get(running, token, 'invoice/21')).json()) as { Invoice: Record<string, unknown> }).Invoice;
      expect(plain.InvoiceLink).toBeUndefined();
      const linked = ((await (await get(running, token, 'invoice/21?include=invoiceLink')).json()) as { Invoice: { InvoiceLink: string } }).Invoice;
      expect(linked.InvoiceLink).toBe(`${running.url}/pay/${REALM}/21`);
    });
  });
});

describe('sandbox webhooks', () => {
  let receiver: Server;
  let url: string;
  const received: Array<{ body: string; signature: string }> = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['intuit-signature']) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it.each(['legacy', 'cloudevents'] as const)('posts signed %s notifications after changes', async (format) => {
    received.length = 0;
    await withSandbox(
      async (running, token) => {
        await fetch(`${running.url}/v3/company/${REALM}/customer`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ DisplayName: `Webhook ${format}` }),
        });
        await running.sandbox.webhooks.drain();
      },
      (sandbox) => sandbox.setKnobs({ webhook: { url, verifierToken: 'verifier-123', format, delayMs: 10 } }),
    );
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery!.signature).toBe(signWebhook('verifier-123', delivery!.body));
    const payload = JSON.parse(delivery!.body);
    if (format === 'legacy') {
      expect(payload.eventNotifications[0]).toMatchObject({ realmId: REALM, dataChangeEvent: { entities: [{ name: 'Customer', operation: 'Create' }] } });
    } else {
      expect(payload[0]).toMatchObject({ specversion: '1.0', type: 'qbo.customer.created.v1', intuitaccountid: REALM });
    }
  });
});
