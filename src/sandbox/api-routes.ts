import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { ALL_ENTITIES, TRACKED, canonicalEntity, type Entity } from './entities';
import { SandboxFault, authenticationFault, authorizationFault, faultBody, faults, throttleFault, timestamp, validationFault } from './faults';
import { textPdf } from './pdf';
import { parseQuery } from './query';
import type { Realm } from './realm';
import type { Sandbox } from './sandbox';

const CDC_MAX_OBJECTS = 1000;
const CDC_MAX_DAYS = 30;
const BATCH_MAX_ITEMS = 30;

type Body = Record<string, unknown>;

interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
}

function json(body: Body, status = 200): Answer {
  return { status, body };
}

function faultAnswer(error: unknown): Answer {
  if (error instanceof SandboxFault) return { status: error.status, body: error.body, contentType: error.contentType };
  throw error;
}

/** The kind of call, for the request log that tests and benchmarks count. */
function kindOf(method: string, rest: string[], query: Request['query']): string {
  const [first, , third] = rest;
  if (first === 'query') return 'query';
  if (first === 'cdc') return 'cdc';
  if (first === 'batch') return 'batch';
  if (first === 'companyinfo') return 'companyinfo';
  if (third === 'pdf') return 'pdf';
  if (third === 'send') return 'send';
  if (method === 'GET') return 'read';
  const operation = String(query.operation ?? '').toLowerCase();
  return operation || 'write';
}

export function apiRoutes(sandbox: Sandbox): Router {
  const router = Router();
  router.use(express.json({ limit: '4mb', type: ['application/json', 'application/*+json'] }));
  router.use(express.text({ limit: '1mb', type: ['application/text', 'text/plain'] }));

  router.all('/v3/company/:realmId/*rest', async (req: Request, res: Response) => {
    const started = Date.now();
    const realmId = String(req.params.realmId);
    const rest = (req.params.rest as unknown as string[]).map((part) => part.toLowerCase());
    const kind = kindOf(req.method, rest, req.query);
    let answer: Answer;
    let release: (() => void) | undefined;
    let replay = false;
    try {
      const realm = sandbox.realm(realmId);
      const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!bearer) throw authenticationFault('Authorization header is missing', sandbox.now());
      const checked = sandbox.oauth.checkAccessToken(bearer);
      if ('problem' in checked) throw authenticationFault(checked.problem, sandbox.now());
      if (!realm || checked.grant.realmId !== realmId) throw authorizationFault(sandbox.now());
      if (sandbox.knobs.hangNext > 0) {
        sandbox.knobs.hangNext--;
        // A request QuickBooks never answers: nothing is sent until the client hangs up.
        await new Promise((resolve) => res.once('close', resolve));
        sandbox.log({ at: new Date().toISOString(), realmId, method: req.method, path: req.path, kind, status: 0, ms: Date.now() - started, detail: 'held open' });
        return;
      }

      const nth = ++sandbox.apiRequests;
      if (sandbox.knobs.throttleNext > 0 || (sandbox.knobs.throttleEvery > 0 && nth % sandbox.knobs.throttleEvery === 0) || Date.now() < sandbox.knobs.throttleUntil) {
        if (sandbox.knobs.throttleNext > 0) sandbox.knobs.throttleNext--;
        throw throttleFault(sandbox.now());
      }
      const admission = sandbox.limiter(realmId).admit(Date.now(), kind === 'batch');
      if (!admission.admitted) throw throttleFault(sandbox.now());
      release = admission.release;
      sandbox.arrivals.set(`${realmId}:${kind}`, (sandbox.arrivals.get(`${realmId}:${kind}`) ?? 0) + 1);
      // Unref: a stopped sandbox must not keep its process alive for an answer nobody waits for.
      if (sandbox.knobs.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, sandbox.knobs.latencyMs).unref());
      if (sandbox.knobs.failNext > 0 || (sandbox.knobs.failEvery > 0 && nth % sandbox.knobs.failEvery === 1) || (sandbox.knobs.errorRate > 0 && Math.random() < sandbox.knobs.errorRate)) {
        if (sandbox.knobs.failNext > 0) sandbox.knobs.failNext--;
        throw faults.serverError();
      }

      const requestId = typeof req.query.requestid === 'string' && req.query.requestid ? `${realmId}:${req.query.requestid}` : undefined;
      const remembered = requestId && req.method === 'POST' ? sandbox.replays.get(requestId) : undefined;
      if (remembered) {
        replay = true;
        answer = { status: remembered.status, body: remembered.body };
      } else {
        answer = handle(sandbox, realm, req, rest);
        if (requestId && req.method === 'POST' && answer.status < 500) sandbox.replays.set(requestId, { status: answer.status, body: answer.body });
      }
      // The per-row part of the latency model: the request holds its in-flight slot meanwhile.
      const perRow = sandbox.knobs.latencyPerRowMs * rowsOf(answer.body);
      if (perRow > 0) await new Promise((resolve) => setTimeout(resolve, perRow).unref());
    } catch (error) {
      answer = faultAnswer(error);
      if (error instanceof SandboxFault) for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    } finally {
      release?.();
    }
    const tid = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    res.setHeader('intuit_tid', tid);
    res.setHeader('Intuit-Tid', tid);
    res.status(answer.status);
    if (Buffer.isBuffer(answer.body)) res.type(answer.contentType ?? 'application/pdf').send(answer.body);
    else if (typeof answer.body === 'string') res.type(answer.contentType ?? 'application/xml').send(answer.body);
    else res.type('application/json;charset=utf-8').send(JSON.stringify(answer.body));
    const detail = kind === 'query' ? queryText(req) : kind === 'cdc' ? String(req.query.entities ?? '') : undefined;
    const batchItems = kind === 'batch' ? ((req.body as Body)?.BatchItemRequest as unknown[] | undefined)?.length : undefined;
    sandbox.log({ at: new Date().toISOString(), realmId, method: req.method, path: req.path, kind, status: answer.status, ms: Date.now() - started, detail, batchItems, replay: replay || undefined });
  });

  // A company-less path is not an API QuickBooks serves.
  router.all('/v3/*rest', (req, res) => {
    res.status(400).type('application/json').send(JSON.stringify(faults.unsupportedOperation(req.path).body));
  });
  return router;
}

/** How many entity rows an answer holds: a query page's, a CDC answer's, a batch's, or 1 for one entity. */
export function rowsOf(body: unknown): number {
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return 0;
  const record = body as Body;
  const rowsIn = (response: unknown) => Object.values((response ?? {}) as Body).reduce<number>((sum, value) => sum + (Array.isArray(value) ? value.length : 0), 0);
  if (record.QueryResponse) return rowsIn(record.QueryResponse);
  if (Array.isArray(record.CDCResponse)) return (record.CDCResponse as Body[]).reduce<number>((sum, cdc) => sum + ((cdc.QueryResponse as unknown[]) ?? []).reduce<number>((n, section) => n + rowsIn(section), 0), 0);
  if (Array.isArray(record.BatchItemResponse)) return (record.BatchItemResponse as Body[]).reduce<number>((sum, item) => sum + (item.QueryResponse ? rowsIn(item.QueryResponse) : 1), 0);
  return Object.keys(record).some((key) => key !== 'time' && key !== 'Fault' && key !== 'fault') ? 1 : 0;
}

function queryText(req: Request): string {
  if (typeof req.query.query === 'string') return req.query.query;
  return typeof req.body === 'string' ? req.body : '';
}

function handle(sandbox: Sandbox, realm: Realm, req: Request, rest: string[]): Answer {
  const [first = '', second, third] = rest;
  const now = sandbox.now();
  const withLinks = String(req.query.include ?? '').toLowerCase().split(',').includes('invoicelink');
  const present = (entity: string, row: Entity) => (withLinks && entity === 'Invoice' ? withInvoiceLink(sandbox, realm, row) : row);

  if (first === 'query' && (req.method === 'GET' || req.method === 'POST')) {
    return runQuery(realm, queryText(req), now, present);
  }
  if (first === 'cdc' && req.method === 'GET') return changeDataCapture(realm, req, now);
  if (first === 'batch' && req.method === 'POST') return batch(sandbox, realm, req.body as Body, now, present);
  if (first === 'companyinfo' && req.method === 'GET') {
    // QuickBooks documents the read as companyinfo/<realmId>; the entity itself has Id 1.
    const id = second === undefined || second === realm.id ? '1' : second;
    return json({ CompanyInfo: realm.read('CompanyInfo', id), time: timestamp(now) });
  }
  if (first === 'companyinfo' && req.method === 'POST') return json({ CompanyInfo: realm.update('CompanyInfo', bodyOf(req)), time: timestamp(now) });

  const entity = canonicalEntity(first);
  if (!entity) throw faults.unsupportedOperation(req.path);
  if (req.method === 'GET' && second && !third) return json({ [entity]: present(entity, realm.read(entity, second)), time: timestamp(now) });
  if (req.method === 'GET' && entity === 'Invoice' && second && third === 'pdf') return { status: 200, body: invoicePdf(realm, realm.read('Invoice', second)), contentType: 'application/pdf' };
  if (req.method === 'POST' && entity === 'Invoice' && second && third === 'send') {
    const sendTo = typeof req.query.sendTo === 'string' ? req.query.sendTo : undefined;
    if (sendTo !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(sendTo)) throw validationFault('2050', 'Invalid Email Address format', `Email Address does not conform to the syntax rules of RFC 822. Supplied value:${sendTo}`, 'sendTo');
    return json({ Invoice: realm.markSent(second, sendTo), time: timestamp(now) });
  }
  if (req.method === 'POST' && !second) return json({ ...write(sandbox, realm, entity, String(req.query.operation ?? ''), bodyOf(req)), time: timestamp(now) });
  throw faults.unsupportedOperation(req.path);
}

function bodyOf(req: Request): Body {
  const body = req.body as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw faults.malformedBody('the request body must be a JSON object');
  return body as Body;
}

function write(sandbox: Sandbox, realm: Realm, entity: string, operation: string, body: Body): Body {
  switch (operation.toLowerCase()) {
    case 'delete':
      return { [entity]: realm.delete(entity, body) };
    case 'void':
      return { [entity]: realm.void(entity, body) };
    case '':
    case 'update':
    case 'create':
      if (body.Id !== undefined && operation.toLowerCase() !== 'create') {
        if (sandbox.knobs.staleNext > 0) {
          sandbox.knobs.staleNext--;
          throw faults.stale();
        }
        return { [entity]: realm.update(entity, body) };
      }
      return { [entity]: realm.create(entity, body) };
    default:
      throw faults.unsupportedOperation(`operation=${operation}`);
  }
}

function runQuery(realm: Realm, text: string, now: Date, present: (entity: string, row: Entity) => Entity): Answer {
  const parsed = parseQuery(text);
  const entity = canonicalEntity(parsed.entity);
  if (!entity) throw faults.invalidQuery(`invalid context declaration: ${parsed.entity}`);
  parsed.entity = entity;
  const { rows, total } = realm.query(parsed);
  if (parsed.count) return json({ QueryResponse: { totalCount: total }, time: timestamp(now) });
  if (rows.length === 0) return json({ QueryResponse: {}, time: timestamp(now) });
  return json({ QueryResponse: { [entity]: rows.map((row) => present(entity, row)), startPosition: parsed.startPosition, maxResults: rows.length }, time: timestamp(now) });
}

function changeDataCapture(realm: Realm, req: Request, now: Date): Answer {
  const names = String(req.query.entities ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw faults.required('entities');
  const entities = names.map((name) => {
    const entity = canonicalEntity(name);
    if (!entity || !TRACKED.has(entity)) throw validationFault('10000', 'Invalid entity', `Entity ${name} is not supported by change data capture`, 'entities');
    return entity;
  });
  const since = new Date(String(req.query.changedSince ?? ''));
  if (Number.isNaN(since.getTime())) throw faults.required('changedSince');
  // QuickBooks keeps 30 days of changes: an older changedSince is answered, from the window's start.
  const windowStart = new Date(now.getTime() - CDC_MAX_DAYS * 24 * 3600 * 1000);
  const from = since < windowStart ? windowStart : since;
  let budget = CDC_MAX_OBJECTS;
  const responses = entities.map((entity) => {
    const changed = realm.changedSince(entity, from).slice(0, Math.max(budget, 0));
    budget -= changed.length;
    return changed.length ? { [entity]: changed, startPosition: 1, maxResults: changed.length } : {};
  });
  return json({ CDCResponse: [{ QueryResponse: responses }], time: timestamp(now) });
}

function batch(sandbox: Sandbox, realm: Realm, body: Body, now: Date, present: (entity: string, row: Entity) => Entity): Answer {
  const items = body?.BatchItemRequest;
  if (!Array.isArray(items) || items.length === 0) throw faults.required('BatchItemRequest');
  if (items.length > BATCH_MAX_ITEMS) throw faults.batchTooLarge();
  const responses = (items as Body[]).map((item) => {
    const bId = item.bId;
    try {
      if (typeof item.Query === 'string') {
        const answer = runQuery(realm, item.Query, now, present).body as Body;
        return { ...(answer as Body), bId, time: undefined };
      }
      const entity = Object.keys(item).map(canonicalEntity).find((name): name is string => Boolean(name) && ALL_ENTITIES.includes(name!));
      if (!entity) throw faults.required('entity');
      const key = Object.keys(item).find((k) => canonicalEntity(k) === entity)!;
      const payload = item[key] as Body;
      const operation = String(item.operation ?? 'create');
      return { ...write(sandbox, realm, entity, operation === 'create' ? 'create' : operation, payload), bId };
    } catch (error) {
      if (!(error instanceof SandboxFault)) throw error;
      const fault = (error.body as { Fault?: unknown }).Fault;
      return { Fault: fault ?? faultBody([{ Message: 'Error', Detail: String(error.message), code: String(error.status) }]).Fault, bId };
    }
  });
  return json({ BatchItemResponse: responses.map(({ time: _time, ...rest }: Body) => rest), time: timestamp(now) });
}

function withInvoiceLink(sandbox: Sandbox, realm: Realm, invoice: Entity): Entity {
  if (!realm.paymentsEnabled || !(invoice.AllowOnlineCreditCardPayment || invoice.AllowOnlineACHPayment)) return invoice;
  return { ...invoice, InvoiceLink: `${sandbox.publicUrl}/pay/${realm.id}/${invoice.Id}` };
}

function invoicePdf(realm: Realm, invoice: Entity): Buffer {
  const company = realm.get('CompanyInfo', '1');
  const lines = [
    `${String(company?.CompanyName ?? '')}`,
    '',
    `Invoice ${String(invoice.DocNumber ?? invoice.Id)}    Date ${String(invoice.TxnDate ?? '')}    Due ${String(invoice.DueDate ?? '')}`,
    `Bill to: ${String((invoice.CustomerRef as { name?: string })?.name ?? '')}`,
    '',
    ...((invoice.Line as Body[] | undefined) ?? [])
      .filter((line) => line.DetailType !== 'SubTotalLineDetail')
      .map((line) => `${String(line.Description ?? (line.SalesItemLineDetail as { ItemRef?: { name?: string } })?.ItemRef?.name ?? 'Item')}  ${Number(line.Amount ?? 0).toFixed(2)}`),
    '',
    `Total ${Number(invoice.TotalAmt ?? 0).toFixed(2)}    Balance due ${Number(invoice.Balance ?? 0).toFixed(2)}`,
  ];
  return textPdf(`Invoice ${String(invoice.DocNumber ?? invoice.Id)}`, lines);
}
