import OAuthClient from 'intuit-oauth';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { DEFAULT_DEADLINE_MS, DeadlineExceeded, seconds, withDeadline } from './deadline';
import { DiscoveryDocument, DiscoveryError, discoveryUrl, type OAuthEndpoints } from './discovery';
import { OAuthRequestError } from './errors';

export const SCOPES = ['com.intuit.quickbooks.accounting', 'openid', 'profile', 'email'];
/** "Sign in with Intuit": who the person is, and no access to any company's books. */
export const SIGN_IN_SCOPES = ['openid', 'profile', 'email'];

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
  hardExpiresIn?: number;
}

export interface IntuitUser {
  sub: string;
  email?: string;
  /** Intuit has verified `email` belongs to this person. */
  emailVerified: boolean;
  name?: string;
}

interface IntuitOAuthFailure {
  authResponse?: { json?: { error?: string; error_description?: string }; response?: { status?: number } };
  intuit_tid?: string;
  message?: string;
}

/**
 * Intuit OAuth 2.0 through intuit-oauth, at the endpoints of the configured environment's
 * discovery document. A fresh OAuthClient per call keeps one company's tokens out of another's
 * requests. Every request has the configured deadline; one that runs past it is abandoned as a
 * retryable failure. Nothing here retries on its own: intuit-oauth's automatic retries are off.
 */
export class IntuitOAuth {
  readonly discovery: DiscoveryDocument;
  /** Deadline of one request to Intuit's OAuth server, in ms. */
  readonly deadlineMs: number;

  constructor(
    private readonly intuit: Config['intuit'],
    private readonly logger?: Logger,
    discovery?: DiscoveryDocument,
  ) {
    this.discovery = discovery ?? new DiscoveryDocument(discoveryUrl(intuit), logger);
    this.deadlineMs = intuit.requestTimeoutMs ?? DEFAULT_DEADLINE_MS;
  }

  /** The endpoints, from the discovery document, under the deadline. */
  async endpoints(request = 'discovery document request'): Promise<OAuthEndpoints> {
    return this.timed(request, () => undefined, (signal) => this.discovery.endpoints(signal));
  }

  /**
   * The endpoints, then `work` with them, each under the deadline. `work` must start its request
   * synchronously: the deadline's signal reaches intuit-oauth's axios request only then
   * (deadline.ts), so nothing may be awaited between the endpoints and the library call.
   */
  private async withEndpoints<T>(request: string, which: keyof OAuthEndpoints, work: (endpoints: OAuthEndpoints, signal: AbortSignal) => Promise<T>): Promise<T> {
    const endpoints = await this.endpoints(request);
    return this.timed(request, () => endpoints[which], (signal) => work(endpoints, signal));
  }

  /** `work` under the deadline; the signal also reaches intuit-oauth's own request (see deadline.ts). */
  private async timed<T>(request: string, endpoint: () => string | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(this.deadlineMs, work);
    } catch (error) {
      if (error instanceof DiscoveryError) throw new OAuthRequestError('discovery_failed', error.message, undefined, true);
      if (!(error instanceof DeadlineExceeded)) throw error;
      this.logger?.warn({ request, endpoint: endpoint() ?? this.discovery.url, deadlineMs: error.ms }, 'Intuit OAuth request timed out');
      throw new OAuthRequestError('timeout', `Intuit's OAuth server did not answer the ${request} within ${seconds(error.ms)}`, undefined, true);
    }
  }

  private client(endpoints: OAuthEndpoints): OAuthClient {
    const client = new OAuthClient({
      clientId: this.intuit.clientId,
      clientSecret: this.intuit.clientSecret,
      environment: this.intuit.environment === 'production' ? 'production' : 'sandbox',
      redirectUri: this.intuit.redirectUri,
      includeRefreshTokenHardExpiresIn: true,
    } as ConstructorParameters<typeof OAuthClient>[0]);
    // intuit-oauth keeps its endpoints on the class; set them every time so the discovery document decides.
    client.setAuthorizeURLs({
      authorizeEndpoint: endpoints.authorize,
      tokenEndpoint: endpoints.token,
      revokeEndpoint: endpoints.revoke,
      userInfoEndpoint: endpoints.userInfo,
    });
    // intuit-oauth repeats a failed request up to 3 times (after 1, 2 and 4 s) on 408, 429, 5xx
    // and network errors (OAuthClient.prototype.shouldRetry, OAuthClient.retryConfig). A token
    // request is not safe to repeat blind: a code is single-use, a refresh rotates the token, and
    // a repeat can outlive the deadline. The callers decide (the job's backoff, a person's click).
    (client as unknown as { shouldRetry: () => boolean }).shouldRetry = () => false;
    return client;
  }

  async authorizeUrl(state: string): Promise<string> {
    const endpoints = await this.endpoints('authorization request');
    return this.client(endpoints).authorizeUri({ scope: SCOPES, state });
  }

  /** The consent URL of "Sign in with Intuit" (OpenID only); its code is exchanged like any other. */
  async signInUrl(state: string): Promise<string> {
    const endpoints = await this.endpoints('sign-in request');
    return this.client(endpoints).authorizeUri({ scope: SIGN_IN_SCOPES, state });
  }

  /** Exchanges the code of a callback URL (`...?code=&state=&realmId=`). Never call twice per code. */
  async exchangeCode(callbackUrl: string): Promise<IssuedTokens> {
    try {
      return issued((await this.withEndpoints('code exchange', 'token', (endpoints) => this.client(endpoints).createToken(callbackUrl))).getJson());
    } catch (error) {
      throw mapFailure(error);
    }
  }

  async refresh(refreshToken: string): Promise<IssuedTokens> {
    try {
      return issued((await this.withEndpoints('token refresh', 'token', (endpoints) => this.client(endpoints).refreshUsingToken(refreshToken))).getJson());
    } catch (error) {
      throw mapFailure(error);
    }
  }

  async revoke(token: string): Promise<void> {
    try {
      await this.withEndpoints('token revocation', 'revoke', (endpoints) => this.client(endpoints).revoke({ refresh_token: token }));
    } catch (error) {
      throw mapFailure(error);
    }
  }

  async userInfo(accessToken: string): Promise<IntuitUser> {
    const { response, body } = await this.withEndpoints('userinfo request', 'userInfo', async ({ userInfo }, signal) => {
      const response = await fetch(userInfo, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal });
      return { response, body: response.ok ? ((await response.json()) as { sub?: string; email?: string; emailVerified?: boolean; givenName?: string; familyName?: string }) : {} };
    });
    if (!response.ok) throw new OAuthRequestError('userinfo_failed', `Intuit userinfo answered ${response.status}`, response.headers.get('intuit_tid') ?? undefined, response.status >= 500);
    if (!body.sub) throw new OAuthRequestError('userinfo_failed', 'Intuit userinfo did not name the user');
    return { sub: body.sub, email: body.email, emailVerified: body.emailVerified === true, name: [body.givenName, body.familyName].filter(Boolean).join(' ') || undefined };
  }
}

function issued(json: Record<string, unknown>): IssuedTokens {
  const accessToken = json.access_token;
  const refreshToken = json.refresh_token;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || !accessToken || !refreshToken) {
    throw new OAuthRequestError('invalid_response', 'Intuit answered the token request without tokens');
  }
  return {
    accessToken,
    refreshToken,
    expiresIn: Number(json.expires_in) || 3600,
    refreshExpiresIn: Number(json.x_refresh_token_expires_in) || 0,
    hardExpiresIn: Number(json.x_refresh_token_hard_expires_in) || undefined,
  };
}

function mapFailure(error: unknown): OAuthRequestError {
  if (error instanceof OAuthRequestError) return error;
  const failure = error as IntuitOAuthFailure;
  const code = failure.authResponse?.json?.error;
  const status = failure.authResponse?.response?.status;
  if (code) {
    const transient = code === 'temporarily_unavailable' || code === 'server_error';
    return new OAuthRequestError(code, `Intuit refused the token request: ${code}${failure.authResponse?.json?.error_description ? ` (${failure.authResponse.json.error_description})` : ''}`, failure.intuit_tid, transient);
  }
  // No OAuth answer: the network or Intuit failed; worth another try.
  return new OAuthRequestError('unreachable', `Intuit's OAuth server could not be reached${status ? ` (HTTP ${status})` : ''}: ${failure.message ?? 'no answer'}`, failure.intuit_tid, true);
}
