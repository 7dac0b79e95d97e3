import express, { Router } from 'express';
import type { Sandbox } from './sandbox';
import { loadSeed, SeedError, type SeedFile } from './seed';

/**
 * `/_sandbox/*`: the knobs, the request log and shortcuts for tests and benchmarks. Not part of
 * QuickBooks; the sandbox only ever listens on a local address.
 */
export function adminRoutes(sandbox: Sandbox): Router {
  const router = Router();
  router.use('/_sandbox', express.json({ limit: '200mb' }));

  router.get('/_sandbox/knobs', (_req, res) => {
    res.json(sandbox.knobs);
  });
  router.post('/_sandbox/knobs', (req, res) => {
    res.json(sandbox.setKnobs(req.body ?? {}));
  });
  router.get('/_sandbox/requests', (req, res) => {
    const realmId = typeof req.query.realmId === 'string' ? req.query.realmId : undefined;
    res.json(realmId ? sandbox.requestLog.filter((entry) => entry.realmId === realmId) : sandbox.requestLog);
  });
  router.delete('/_sandbox/requests', (_req, res) => {
    sandbox.requestLog.length = 0;
    res.status(204).end();
  });
  router.get('/_sandbox/realms', (_req, res) => {
    res.json(
      [...sandbox.realms.values()].map((realm) => ({
        realmId: realm.id,
        companyName: realm.get('CompanyInfo', '1')?.CompanyName,
        owner: sandbox.userOf(realm.id),
        counts: Object.fromEntries(['Customer', 'Invoice', 'Payment', 'CreditMemo', 'Term', 'Attachable'].map((e) => [e, realm.count(e)])),
      })),
    );
  });
  router.post('/_sandbox/realms', (req, res) => {
    try {
      const realm = loadSeed(sandbox, req.body as SeedFile);
      res.status(201).json({ realmId: realm.id });
    } catch (error) {
      if (error instanceof SeedError) res.status(400).json({ error: error.message, problems: error.problems });
      else res.status(400).json({ error: (error as Error).message });
    }
  });
  router.post('/_sandbox/realms/:realmId/tokens', (req, res) => {
    if (!sandbox.realm(req.params.realmId)) return void res.status(404).json({ error: 'no such company' });
    res.json(sandbox.oauth.mintTokens(String(req.body?.clientId ?? 'sandbox-client'), req.params.realmId));
  });
  router.post('/_sandbox/realms/:realmId/revoke', (req, res) => {
    res.json({ revoked: sandbox.oauth.revokeRealm(req.params.realmId) });
  });
  router.post('/_sandbox/realms/:realmId/expire-access-tokens', (req, res) => {
    res.json({ expired: sandbox.oauth.expireAccessTokens(req.params.realmId) });
  });
  router.post('/_sandbox/clock', (req, res) => {
    const advance = Number(req.body?.advanceSeconds ?? 0);
    if (!Number.isFinite(advance)) return void res.status(400).json({ error: 'advanceSeconds must be a number' });
    sandbox.knobs.clockOffsetMs += advance * 1000;
    res.json({ now: sandbox.now().toISOString() });
  });
  router.get('/_sandbox/oauth', (_req, res) => {
    res.json(sandbox.oauth.counts);
  });
  router.get('/_sandbox/webhooks', (_req, res) => {
    res.json(sandbox.webhooks.deliveries);
  });
  return router;
}
