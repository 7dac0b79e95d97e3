import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseWebhook, verifyWebhookSignature } from '../../src/quickbooks/webhooks';
import { startWeb, type RunningWeb } from '../../src/main/web';
import { createTestContext, type TestContext } from '../support/context';
import { REFERENCE_DIR, readReference } from '../support/reference';
import { ALREADY_COLLECTING } from '../support/rows';

const VERIFIER = 'test-verifier-token-9f1c';
const REALM = '310687';

interface Vector {
  id: string;
  verifier_token: string;
  intuit_signature: string;
  payload_file: string;
  expected_valid?: boolean;
}

const payload = (file: string) => fs.readFileSync(path.join(REFERENCE_DIR, 'webhooks', file));
const sign = (body: string | Buffer, token = VERIFIER) => createHmac('sha256', token).update(body).digest('base64');

describe('webhook signatures', () => {
  it.each(readReference<Vector[]>('webhooks/signature_vectors.json'))('checks Intuit vector $id', (vector) => {
    const body = payload(vector.payload_file);
    expect(verifyWebhookSignature(vector.verifier_token, body, vector.intuit_signature)).toBe(vector.expected_valid ?? true);
  });

  it('verifies the raw bytes, so re-serialised JSON with other whitespace fails', () => {
    const raw = Buffer.from('{\n  "eventNotifications": [ { "realmId": "310687",\n "dataChangeEvent": { "entities": [ { "name": "Invoice", "id": "42", "operation": "Update", "lastUpdated": "2026-03-02T10:00:00.000Z" } ] } } ]\n}\n');
    const signature = sign(raw);
    expect(verifyWebhookSignature(VERIFIER, raw, signature)).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifyWebhookSignature(VERIFIER, reserialised, signature)).toBe(false);
    expect(verifyWebhookSignature(VERIFIER, raw, undefined)).toBe(false);
    expect(verifyWebhookSignature(VERIFIER, raw, 'not base64 at all!')).toBe(false);
  });

  it('reads both formats Intuit sends', () => {
    expect(parseWebhook(JSON.parse(payload('intuit_blog_2025-11-12_legacy_sample.json').toString()))).toEqual([expect.objectContaining({ realmId: '310687', entity: 'Account', id: '1234', operation: 'Create' })]);
    expect(parseWebhook(JSON.parse(payload('cloudevents_dotnet_sdk_sample.json').toString()))).toEqual([expect.objectContaining({ realmId: '310687', entity: 'Class', id: '1234', operation: 'created' })]);
    expect(parseWebhook({ hello: 'world' })).toBeUndefined();
  });
});

describe('POST /webhooks/intuit', () => {
  let test: TestContext;
  let web: RunningWeb;

  beforeAll(async () => {
    test = await createTestContext({ env: { INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER } });
    await test.context.repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Webhook Co', status: 'connected' });
    web = await startWeb(test.context, 0);
  });
  afterAll(async () => {
    await web.stop();
    await test.context.queues.queue('sync').obliterate({ force: true });
    await test.destroy();
  });

  const post = (body: string | Buffer, signature?: string) =>
    fetch(`${web.url}/webhooks/intuit`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature ? { 'intuit-signature': signature } : {}) } });
  const queuedSyncs = async () => (await test.context.queues.queue('sync').getJobs(['delayed', 'waiting', 'active', 'completed', 'failed'])).filter((job) => job.data.realmId === REALM);

  it('refuses a bad signature with 401 and queues nothing', async () => {
    const body = payload('intuit_blog_2025-11-12_legacy_sample.json');
    expect((await post(body, sign(body, 'wrong-token'))).status).toBe(401);
    expect((await post(body)).status).toBe(401);
    expect(await queuedSyncs()).toHaveLength(0);
  });

  it('accepts a signed notification with whitespace, answers at once, and queues one incremental sync; a retry is deduplicated', async () => {
    const body = Buffer.from(`{ "eventNotifications": [ { "realmId": "${REALM}", "dataChangeEvent": { "entities": [\n  { "name": "Invoice", "id": "77", "operation": "Update", "lastUpdated": "2026-03-02T10:00:00.000Z" },\n  { "name": "Payment", "id": "78", "operation": "Create", "lastUpdated": "2026-03-02T10:00:01.000Z" } ] } } ] }`);
    const started = Date.now();
    const answer = await post(body, sign(body));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ received: 2, new: 2, syncsQueued: 1 });
    const jobs = await queuedSyncs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toEqual({ realmId: REALM, mode: 'incremental' });
    const retry = await post(body, sign(body));
    expect(await retry.json()).toEqual({ received: 2, new: 0, syncsQueued: 0 });
    expect(await queuedSyncs()).toHaveLength(1);
  });

  it('accepts CloudEvents', async () => {
    const body = payload('cloudevents_dotnet_sdk_sample.json');
    const answer = await post(body, sign(body));
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { received: number }).received).toBe(1);
  });

  it('answers malformed JSON with 400 and bodies over 1 MB with 413', async () => {
    const broken = Buffer.from('{"eventNotifications": [');
    expect((await post(broken, sign(broken))).status).toBe(400);
    const notWebhook = Buffer.from('{"hello":"world"}');
    expect((await post(notWebhook, sign(notWebhook))).status).toBe(400);
    const huge = Buffer.alloc(1_100_000, 32);
    expect((await post(huge, sign(huge))).status).toBe(413);
  });
});
