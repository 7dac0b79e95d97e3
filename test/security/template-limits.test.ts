import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';
import { startSmtp, type TestSmtp } from '../support/smtp';

const REALM = '9341701';
const TOKEN = 'operator-token-for-template-limits-0123456789';
// Friday 2026-11-20, 10:00 in New York: inside the send window.
const NOW = '2026-11-20T15:00:00Z';
const BUDGET_MS = 1000;

/** `depth` blocks each looping over every invoice of the message, one inside the other. */
function nestedLoops(depth: number): string {
  return `${'{{#each @root.invoices}}\n'.repeat(depth)}x\n${'{{/each}}\n'.repeat(depth)}`;
}

describe('templates cannot freeze a process, hide a failure, or write to the log', () => {
  let smtp: TestSmtp;
  let app: ConnectedApp;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${app.web.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const page = (path: string) => fetch(`${app.web.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startConnectedApp({
      realms: [{ realmId: REALM, name: 'Slate Works', customers: 25, invoices: 120 }],
      env: { SMTP_URL: smtp.url, ARDESK_NOW: NOW, API_TOKEN: TOKEN, MAIL_FROM: 'Slate Works AR <ar@slate.test>', TEMPLATE_RENDER_BUDGET_MS: String(BUDGET_MS) },
    });
    expect((await connect(app, new HttpClient(app.web.url), REALM)).status).toBeLessThan(400);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
  });
  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
  });

  /** A queued reminder made to list `count` open invoices, so a looping template has real work. */
  const reminderListing = async (count: number) => {
    const db = app.test.context.db;
    const message = await db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('kind', '=', 'reminder').where('status', '=', 'queued').orderBy('id').executeTakeFirstOrThrow();
    const open = await db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).where('balance', '>', '0').orderBy('id').limit(count).execute();
    expect(open).toHaveLength(count);
    await db.updateTable('messages').set({ invoice_ids: JSON.stringify(open.map((i) => i.id)) }).where('id', '=', message.id).execute();
    return message;
  };

  /** Asks /healthz every 100 ms while `work` runs; resolves with every answer's time. */
  const healthWhile = async <T>(work: Promise<T>): Promise<{ result: T; waits: number[] }> => {
    const waits: number[] = [];
    let running = true;
    const probing = (async () => {
      while (running) {
        const started = Date.now();
        const answer = await fetch(`${app.web.url}/healthz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
        waits.push(answer === 200 ? Date.now() - started : Infinity);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const result = await work;
    running = false;
    await probing;
    return { result, waits };
  };

  it('refuses 26 nested loops over the invoices at save, naming the line, in moments', async () => {
    const started = Date.now();
    const refused = await api('PUT', `/api/realms/${REALM}/templates/reminder`, { html: nestedLoops(26) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { message: string; details: { line: number } } };
    expect(body.error.message).toMatch(/reminder html: The HTML part has a problem \(line \d+\): blocks are nested \d+ deep; at most \d+ are allowed/);
    expect(body.error.details.line).toBeGreaterThan(1);
    expect(await app.test.context.repos.outbox.overridesOf(REALM, 'reminder')).toEqual({});
  });

  it('stops a template that passes the save check but is slow on real data, within its budget, while /healthz answers at once', async () => {
    // Six loops deep: two sample invoices make 64 rounds at save; 18 real ones make 34 million.
    expect((await api('PUT', `/api/realms/${REALM}/templates/reminder`, { html: nestedLoops(6) })).status).toBe(200);
    const message = await reminderListing(18);

    const started = Date.now();
    const { result: view, waits } = await healthWhile(page(`/companies/${REALM}/outbox/${message.id}`).then(async (r) => ({ status: r.status, html: await r.text(), ms: Date.now() - started })));
    expect(view.ms).toBeLessThan(BUDGET_MS + 2500);
    expect(view.status).toBe(200);
    expect(view.html).toMatch(/could not be shown:<\/strong> the html part: took longer than 1 second to render and was stopped/);
    expect(waits.length).toBeGreaterThan(2);
    expect(Math.max(...waits)).toBeLessThan(1000);

    // The worker renders the same way: the send gives up, and the message says why.
    const sendStarted = Date.now();
    const { result: outcome, waits: sendWaits } = await healthWhile(app.test.context.services.messages.send(message.id));
    expect(Date.now() - sendStarted).toBeLessThan(BUDGET_MS + 2500);
    expect(Math.max(...sendWaits)).toBeLessThan(1000);
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/took longer than 1 second/) });
    expect(await app.test.context.repos.outbox.find(message.id)).toMatchObject({ status: 'failed', status_reason: expect.stringMatching(/^The reminder template could not be rendered: the html part: took longer than 1 second/) });
    expect(smtp.received).toHaveLength(0);
    await api('PUT', `/api/realms/${REALM}/templates/reminder`, { html: null });
  });

  it('refuses a dynamic partial at save, even one the sample data never reaches', async () => {
    const hidden = '<p>Hello</p>\n{{#if (gt invoices.length 2)}}{{> (lookup customer "name")}}{{/if}}';
    const refused = await api('PUT', `/api/realms/${REALM}/templates/second_notice`, { html: hidden });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('second_notice html: The HTML part has a problem (line 2): a partial must be named (dynamic partials are not allowed)');
    expect(await app.test.context.repos.outbox.overridesOf(REALM, 'second_notice')).toEqual({});
  });

  it('marks a message whose template fails at send time failed with the real reason, and shows it on the company page', async () => {
    // Saved before the check existed: the override reaches the send untouched.
    // The first dunning message of a back catalogue is the overdue statement (first sight at level 2).
    const db = app.test.context.db;
    const message = await db.selectFrom('messages').selectAll().where('realm_id', '=', REALM).where('kind', 'in', ['reminder', 'overdue_statement']).where('status', '=', 'queued').orderBy('id').executeTakeFirstOrThrow();
    const words = message.kind.replace(/_/g, ' ');
    await app.test.context.repos.outbox.saveOverrides(REALM, message.kind as 'reminder', { html: '<p>Hello</p>\n{{> (lookup customer "name")}}' });
    const outcome = await app.test.context.services.messages.send(message.id);
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/could not be found/) });
    const row = (await app.test.context.repos.outbox.find(message.id))!;
    expect(row.status).toBe('failed');
    expect(row.status_reason).toMatch(new RegExp(`^The ${words} template could not be rendered: the html part(, line \\d+)?: The partial .+ could not be found`));
    // A retry of the same job finds nothing to do: no false "uncertain".
    expect(await app.test.context.services.messages.send(message.id)).toMatchObject({ status: 'skipped' });
    expect((await app.test.context.repos.outbox.find(message.id))!.status).toBe('failed');

    const company = await (await page(`/companies/${REALM}`)).text();
    expect(company).toMatch(/messages? could not be sent/);
    expect(company).toContain(`The ${words} template could not be rendered`);
    expect(company).toContain(`/companies/${REALM}/outbox?status=failed`);
    await app.test.context.repos.outbox.saveOverrides(REALM, 'reminder', { html: null });
  });

  it('has no {{log}} helper: a preview cannot write a forged line into the log', async () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        written.push(String(chunk));
        return write(chunk, ...(rest as []));
      }),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')))),
    ];
    try {
      const forged = '{{log \'{"level":60,"msg":"forged by a template"}\'}}';
      const refused = await api('POST', `/api/realms/${REALM}/templates/reminder/preview`, { html: `<p>Hi</p>\n${forged}` });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('reminder html: The HTML part has a problem (line 2): unknown helper "log"');
      // Without arguments it is no helper either, only a name that means nothing.
      const bare = await api('POST', `/api/realms/${REALM}/templates/reminder/preview`, { html: '<p>Hi</p>{{log}}{{#if (log)}}x{{/if}}' });
      expect(bare.status).toBe(400);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(written.join('\n')).not.toContain('forged by a template');
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
