import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { generateCompany, parseGenerateSpec } from './generator';
import { LATENCY_MODEL, Sandbox } from './sandbox';
import { loadSeed, type SeedFile } from './seed';
import { startSandbox, type RunningSandbox } from './server';

export const SANDBOX_USAGE = `Usage: ardesk sandbox [options]

The local QuickBooks Online sandbox: Intuit OAuth and the Accounting API on this machine.

  --port P                    port to listen on (default 4010; 0 picks a free one)
  --host H                    address to listen on (default 127.0.0.1)
  --seed FILE                 load a company from a seed file (repeatable)
  --generate customers=N,invoices=M[,open=K][,days=D]
                              generate a realistic company (with --seed-number, --as-of, --realm):
                              at most K invoices left open, history over D days (default 200)
  --seed-number N             seed of the generator (default 1)
  --as-of YYYY-MM-DD          the generated company's "today" (default: today)
  --realm ID                  realm id of the generated company (default 9341452000000001)
  --auto-approve              the consent screen approves at once
  --client-id ID --client-secret S
                              accept only this OAuth client (default: any client)
  --webhook-url URL --webhook-verifier-token T [--webhook-format legacy|cloudevents]
                              post signed change notifications
  --latency MS                add latency to every API answer (the latency model's base)
  --latency-per-row MS        add this much more for each entity row an answer holds
  --latency-model             QuickBooks-like answer times: 150 ms + 1.5 ms a row
  --error-rate R              answer this fraction (0..1) of API requests with a 500
  --no-limits                 turn off the 500/min and 10-in-flight throttles`;

export function parseSandboxArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', multiple: true },
      generate: { type: 'string' },
      'seed-number': { type: 'string', default: '1' },
      'as-of': { type: 'string' },
      realm: { type: 'string', default: '9341452000000001' },
      'auto-approve': { type: 'boolean', default: false },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-verifier-token': { type: 'string' },
      'webhook-format': { type: 'string', default: 'legacy' },
      latency: { type: 'string' },
      'latency-per-row': { type: 'string' },
      'latency-model': { type: 'boolean', default: false },
      'error-rate': { type: 'string', default: '0' },
      'no-limits': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const number = (name: string, text: string, min: number, max: number) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return value;
  };
  if (values['as-of'] && !/^\d{4}-\d{2}-\d{2}$/.test(values['as-of'])) throw new Error('--as-of must be a date, YYYY-MM-DD');
  if (values['webhook-url'] && !values['webhook-verifier-token']) throw new Error('--webhook-url needs --webhook-verifier-token');
  if (!['legacy', 'cloudevents'].includes(values['webhook-format']!)) throw new Error('--webhook-format is legacy or cloudevents');
  if (Boolean(values['client-id']) !== Boolean(values['client-secret'])) throw new Error('--client-id and --client-secret go together');
  return {
    help: values.help!,
    port: number('port', values.port!, 0, 65535),
    host: values.host!,
    seeds: values.seed ?? [],
    generate: values.generate ? parseGenerateSpec(values.generate) : undefined,
    seedNumber: number('seed-number', values['seed-number']!, 0, 2 ** 31),
    asOf: values['as-of'] ?? new Date().toISOString().slice(0, 10),
    realmId: values.realm!,
    autoApprove: values['auto-approve']!,
    clients: values['client-id'] ? [{ clientId: values['client-id'], clientSecret: values['client-secret']! }] : [],
    webhook: values['webhook-url']
      ? { url: values['webhook-url'], verifierToken: values['webhook-verifier-token']!, format: values['webhook-format'] as 'legacy' | 'cloudevents', delayMs: 500 }
      : undefined,
    latencyMs: number('latency', values.latency ?? String(values['latency-model'] ? LATENCY_MODEL.latencyMs : 0), 0, 60_000),
    latencyPerRowMs: number('latency-per-row', values['latency-per-row'] ?? String(values['latency-model'] ? LATENCY_MODEL.latencyPerRowMs : 0), 0, 1000),
    errorRate: number('error-rate', values['error-rate']!, 0, 1),
    limits: !values['no-limits'],
  };
}

export async function runSandboxCommand(argv: string[], write: (line: string) => void): Promise<RunningSandbox | undefined> {
  const options = parseSandboxArgs(argv);
  if (options.help) {
    write(SANDBOX_USAGE);
    return undefined;
  }
  const sandbox = new Sandbox({ clients: options.clients, knobs: { autoApprove: options.autoApprove, latencyMs: options.latencyMs, latencyPerRowMs: options.latencyPerRowMs, errorRate: options.errorRate, webhook: options.webhook } });
  sandbox.knobs.limits.enabled = options.limits;
  for (const file of options.seeds) {
    let seed: SeedFile;
    try {
      seed = JSON.parse(fs.readFileSync(file, 'utf8')) as SeedFile;
    } catch (error) {
      throw new Error(`Cannot read seed ${file}: ${(error as Error).message}`, { cause: error });
    }
    loadSeed(sandbox, seed);
  }
  if (options.generate) {
    const started = Date.now();
    loadSeed(sandbox, generateCompany({ realmId: options.realmId, ...options.generate, asOf: options.asOf, seed: options.seedNumber, generatedAt: sandbox.now() }));
    write(`Generated company ${options.realmId}: ${options.generate.customers} customers, ${options.generate.invoices} invoices as of ${options.asOf} (${Date.now() - started} ms)`);
  }
  if (sandbox.realms.size === 0) {
    loadSeed(sandbox, generateCompany({ realmId: options.realmId, customers: 60, invoices: 300, asOf: options.asOf, seed: options.seedNumber, generatedAt: sandbox.now() }));
    write(`No seed given: generated company ${options.realmId} (60 customers, 300 invoices)`);
  }
  const running = await startSandbox({ sandbox, port: options.port, host: options.host });
  write(`QuickBooks sandbox listening on ${running.url} (companies: ${[...sandbox.realms.keys()].join(', ')})`);
  write(`Discovery: ${running.url}/.well-known/openid_configuration · knobs: ${running.url}/_sandbox/knobs`);
  return running;
}
