import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { OAuthError } from './oauth';
import { escapeHtml } from './html';
import type { Sandbox, SandboxUser } from './sandbox';

const ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';

/** Intuit gives a company (realmId) only to an authorization that asks for the accounting scope. */
function asksForCompany(scope: string): boolean {
  return scope.split(/\s+/).includes(ACCOUNTING_SCOPE);
}

/** The people of the sandbox (each company's owner), once each. */
function people(sandbox: Sandbox): SandboxUser[] {
  return [...new Map([...sandbox.owners.values()].map((user) => [user.sub, user])).values()];
}

function oauthError(res: Response, error: unknown): void {
  if (!(error instanceof OAuthError)) throw error;
  res.setHeader('intuit_tid', randomUUID());
  res.status(error.status).json({ error: error.error, error_description: error.description });
}

function redirectWith(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/** "Sign in with Intuit": choose who you are; no company is shared. */
function signInPage(sandbox: Sandbox, params: Record<string, string>): string {
  const hidden = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const options = people(sandbox)
    .map((u, i) => `<label class="company"><input type="radio" name="userSub" value="${escapeHtml(u.sub)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(`${u.givenName} ${u.familyName}`)} <small>(${escapeHtml(u.email)})</small></label>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in with Intuit (sandbox)</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f5f8;margin:0}main{max-width:460px;margin:60px auto;background:#fff;border-radius:8px;padding:28px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}.company{display:block;padding:10px;border:1px solid #ddd;border-radius:6px;margin:8px 0}button{font-size:1rem;padding:10px 18px;border-radius:4px;border:0;cursor:pointer}
.connect{background:#2ca01c;color:#fff}.cancel{background:#eee;margin-left:8px}.note{color:#666;font-size:.85rem}</style></head>
<body><main><h1>Sign in with Intuit</h1><p>An app (client <code>${escapeHtml(params.client_id ?? '')}</code>) asks for your name and email address. It gets no access to any company's books.</p>
<form method="post" action="/connect/oauth2">${hidden}<fieldset style="border:0;padding:0"><legend>Sign in as</legend>${options || '<p>No user in this sandbox.</p>'}</fieldset>
<p><button class="connect" type="submit" name="decision" value="approve">Sign in</button><button class="cancel" type="submit" name="decision" value="deny">Cancel</button></p></form>
<p class="note">This is the local QuickBooks Online sandbox; no data leaves this machine.</p></main></body></html>`;
}

function consentPage(sandbox: Sandbox, params: Record<string, string>): string {
  const companies = [...sandbox.realms.values()].map((realm) => ({ id: realm.id, name: String(realm.get('CompanyInfo', '1')?.CompanyName ?? realm.id) }));
  const hidden = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const options = companies
    .map((c, i) => `<label class="company"><input type="radio" name="realmId" value="${escapeHtml(c.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(c.name)} <small>(${escapeHtml(c.id)})</small></label>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connect to QuickBooks (sandbox)</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f5f8;margin:0}main{max-width:460px;margin:60px auto;background:#fff;border-radius:8px;padding:28px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}.company{display:block;padding:10px;border:1px solid #ddd;border-radius:6px;margin:8px 0}button{font-size:1rem;padding:10px 18px;border-radius:4px;border:0;cursor:pointer}
.connect{background:#2ca01c;color:#fff}.cancel{background:#eee;margin-left:8px}.note{color:#666;font-size:.85rem}</style></head>
<body><main><h1>Connect an app to QuickBooks</h1><p>An app (client <code>${escapeHtml(params.client_id ?? '')}</code>) asks to read and write the accounting data of the company you choose.</p>
<form method="post" action="/connect/oauth2">${hidden}<fieldset style="border:0;padding:0"><legend>Company</legend>${options || '<p>No company in this sandbox.</p>'}</fieldset>
<p><button class="connect" type="submit" name="decision" value="approve">Connect</button><button class="cancel" type="submit" name="decision" value="deny">Cancel</button></p></form>
<p class="note">This is the local QuickBooks Online sandbox; no data leaves this machine.</p></main></body></html>`;
}

export function oauthRoutes(sandbox: Sandbox): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  // The discovery document, as Intuit publishes one per environment: clients read the endpoints from it.
  router.get(['/.well-known/openid_configuration', '/.well-known/openid_sandbox_configuration'], (_req, res) => {
    sandbox.oauthRequests.discovery++;
    const base = sandbox.publicUrl;
    res.json({
      issuer: 'https://oauth.platform.intuit.com/op/v1',
      authorization_endpoint: `${base}/connect/oauth2`,
      token_endpoint: `${base}/oauth2/v1/tokens/bearer`,
      userinfo_endpoint: `${base}/v1/openid_connect/userinfo`,
      revocation_endpoint: `${base}/v2/oauth2/tokens/revoke`,
      jwks_uri: `${base}/op/v1/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile', 'address', 'phone'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['aud', 'exp', 'iat', 'iss', 'realmid', 'sub'],
    });
  });
  router.get('/op/v1/jwks', (_req, res) => {
    res.json({ keys: [] });
  });

  const authorizeParams = (source: Record<string, unknown>) => {
    const pick = (key: string) => (typeof source[key] === 'string' ? (source[key] as string) : '');
    return { client_id: pick('client_id'), redirect_uri: pick('redirect_uri'), response_type: pick('response_type'), scope: pick('scope'), state: pick('state') };
  };
  const checkAuthorize = (params: ReturnType<typeof authorizeParams>): string | undefined => {
    if (!params.client_id || !sandbox.oauth.knowsClient(params.client_id)) return 'Unknown client_id';
    if (params.response_type !== 'code') return 'response_type must be "code"';
    try {
      const url = new URL(params.redirect_uri);
      if (!/^https?:$/.test(url.protocol)) return 'redirect_uri must be an http(s) URL';
    } catch {
      return 'redirect_uri is missing or not a URL';
    }
    const scopes = params.scope.split(/\s+/);
    if (!scopes.includes(ACCOUNTING_SCOPE) && !scopes.includes('openid')) return `scope must include ${ACCOUNTING_SCOPE} or openid`;
    return undefined;
  };
  const approve = (res: Response, params: ReturnType<typeof authorizeParams>, realmId: string) => {
    const owner = sandbox.userOf(realmId)!;
    const code = sandbox.oauth.issueCode({ clientId: params.client_id, realmId, redirectUri: params.redirect_uri, scope: params.scope, userSub: owner.sub });
    res.redirect(302, redirectWith(params.redirect_uri, { code, state: params.state, realmId }));
  };
  // OpenID only: the code names the person; the redirect carries no realmId, as Intuit's does.
  const approveSignIn = (res: Response, params: ReturnType<typeof authorizeParams>, user: SandboxUser) => {
    const code = sandbox.oauth.issueCode({ clientId: params.client_id, realmId: null, redirectUri: params.redirect_uri, scope: params.scope, userSub: user.sub });
    res.redirect(302, redirectWith(params.redirect_uri, { code, state: params.state }));
  };

  router.get('/connect/oauth2', (req: Request, res: Response) => {
    const params = authorizeParams(req.query as Record<string, unknown>);
    const problem = checkAuthorize(params);
    if (problem) {
      res.status(400).type('text/plain').send(`Invalid authorization request: ${problem}`);
      return;
    }
    if (!asksForCompany(params.scope)) {
      const person = people(sandbox)[0];
      if (sandbox.knobs.autoApprove && person) approveSignIn(res, params, person);
      else res.type('html').send(signInPage(sandbox, params));
      return;
    }
    const first = [...sandbox.realms.keys()][0];
    if (sandbox.knobs.autoApprove && first) {
      approve(res, params, first);
      return;
    }
    res.type('html').send(consentPage(sandbox, params));
  });

  router.post('/connect/oauth2', form, (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const params = authorizeParams(body);
    const problem = checkAuthorize(params);
    if (problem) {
      res.status(400).type('text/plain').send(`Invalid authorization request: ${problem}`);
      return;
    }
    if (body.decision !== 'approve') {
      res.redirect(302, redirectWith(params.redirect_uri, { error: 'access_denied', state: params.state }));
      return;
    }
    if (!asksForCompany(params.scope)) {
      const person = people(sandbox).find((user) => user.sub === body.userSub);
      if (!person) {
        res.status(400).type('text/plain').send('Choose who signs in');
        return;
      }
      approveSignIn(res, params, person);
      return;
    }
    const realmId = String(body.realmId ?? '');
    if (!sandbox.realm(realmId)) {
      res.status(400).type('text/plain').send('Choose a company to connect');
      return;
    }
    approve(res, params, realmId);
  });

  router.post('/oauth2/v1/tokens/bearer', form, (req: Request, res: Response) => {
    sandbox.oauthRequests.token++;
    if (sandbox.knobs.tokenFailNext > 0) {
      sandbox.knobs.tokenFailNext--;
      res.setHeader('intuit_tid', randomUUID());
      res.status(503).json({ error: 'temporarily_unavailable', error_description: 'The token service is unavailable (sandbox knob tokenFailNext)' });
      return;
    }
    try {
      const clientId = sandbox.oauth.authenticateClient(req.get('authorization'));
      const body = req.body as Record<string, string | undefined>;
      const hard = req.get('x-include-refresh-token-hard-expires-in') === 'true';
      res.setHeader('intuit_tid', randomUUID());
      res.setHeader('Cache-Control', 'no-cache, no-store');
      if (body.grant_type === 'authorization_code') {
        if (!body.code) throw new OAuthError(400, 'invalid_request', 'code is required');
        res.json(sandbox.oauth.exchangeCode(clientId, body.code, body.redirect_uri ?? '', hard));
      } else if (body.grant_type === 'refresh_token') {
        if (!body.refresh_token) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
        res.json(sandbox.oauth.refresh(clientId, body.refresh_token, hard));
      } else {
        throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
      }
    } catch (error) {
      oauthError(res, error);
    }
  });

  router.post('/v2/oauth2/tokens/revoke', express.json({ limit: '16kb' }), form, (req: Request, res: Response) => {
    try {
      const clientId = sandbox.oauth.authenticateClient(req.get('authorization'));
      const token = (req.body as { token?: string })?.token;
      if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
      sandbox.oauth.revoke(clientId, token);
      res.setHeader('intuit_tid', randomUUID());
      res.status(200).send('');
    } catch (error) {
      oauthError(res, error);
    }
  });

  router.get('/v1/openid_connect/userinfo', (req: Request, res: Response) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
    const checked = sandbox.oauth.checkAccessToken(bearer);
    if ('problem' in checked) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid_token', error_description: checked.problem });
      return;
    }
    const grant = checked.grant;
    const owner = grant.realmId ? sandbox.userOf(grant.realmId) : people(sandbox).find((user) => user.sub === grant.userSub);
    if (!owner) {
      res.status(401).json({ error: 'invalid_token', error_description: 'No such user' });
      return;
    }
    res.json({ sub: owner.sub, email: owner.email, emailVerified: true, givenName: owner.givenName, familyName: owner.familyName, phoneNumber: '+1 5555550100', phoneNumberVerified: false });
  });
  return router;
}
