import OAuthClient from 'intuit-oauth';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { DEFAULT_DEADLINE_MS, DeadlineExceeded, seconds, withDeadline } from './deadline';
import { intuitEndpoints, type IntuitEndpoints } from './endpoints';
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
  name?: string;
}

interface IntuitOAuthFailure {
  authResponse?: { json?: { error?: string; error_description?: string }; response?: { status?: number } };
  intuit_tid?: string;
  message?: string;
}

/**
 * Intuit OAuth 2.0 through intuit-oauth, pointed at the configured environment. A fresh
 * OAuthClient per call keeps one company's tokens out of another's requests. Every request has
 * the configured deadline; one that runs past it is abandoned as a retryable failure.
 */
export class IntuitOAuth {
  readonly endpoints: IntuitEndpoints;
  /** Deadline of one request to Intuit's OAuth server, in ms. */
  readonly deadlineMs: number;

  constructor(
    private readonly intuit: Config['intuit'],
    private readonly logger?: Logger,
  ) {
    this.endpoints = intuitEndpoints(intuit);
    this.deadlineMs = intuit.requestTimeoutMs ?? DEFAULT_DEADLINE_MS;
  }

  /** `work` under the deadline; the signal also reaches intuit-oauth's own request (see deadline.ts). */
  private async timed<T>(request: string, endpoint: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(this.deadlineMs, work);
    } catch (error) {
      if (!(error instanceof DeadlineExceeded)) throw error;
      this.logger?.warn({ request, endpoint, deadlineMs: error.ms }, 'Intuit OAuth request timed out');
      throw new OAuthRequestError('timeout', `Intuit's OAuth server did not answer the ${request} within ${seconds(error.ms)}`, undefined, true);
    }
  }

  private client(): OAuthClient {
    const client = new OAuthClient({
      clientId: this.intuit.clientId,
      clientSecret: this.intuit.clientSecret,
      environment: this.intuit.environment === 'production' ? 'production' : 'sandbox',
      redirectUri: this.intuit.redirectUri,
      includeRefreshTokenHardExpiresIn: true,
    } as ConstructorParameters<typeof OAuthClient>[0]);
    // intuit-oauth keeps its endpoints on the class; set them every time so configuration decides.
    client.setAuthorizeURLs({
      authorizeEndpoint: this.endpoints.authorize,
      tokenEndpoint: this.endpoints.token,
      revokeEndpoint: this.endpoints.revoke,
      userInfoEndpoint: this.endpoints.userInfo,
    });
    return client;
  }

  authorizeUrl(state: string): string {
    return this.client().authorizeUri({ scope: SCOPES, state });
  }

  /** The consent URL of "Sign in with Intuit" (OpenID only); its code is exchanged like any other. */
  signInUrl(state: string): string {
    return this.client().authorizeUri({ scope: SIGN_IN_SCOPES, state });
  }

  /** Exchanges the code of a callback URL (`...?code=&state=&realmId=`). Never call twice per code. */
  async exchangeCode(callbackUrl: string): Promise<IssuedTokens> {
    try {
      return issued((await this.timed('code exchange', this.endpoints.token, () => this.client().createToken(callbackUrl))).getJson());
    } catch (error) {
      throw mapFailure(error);
    }
  }

  async refresh(refreshToken: string): Promise<IssuedTokens> {
    try {
      return issued((await this.timed('token refresh', this.endpoints.token, () => this.client().refreshUsingToken(refreshToken))).getJson());
    } catch (error) {
      throw mapFailure(error);
    }
  }

  async revoke(token: string): Promise<void> {
    try {
      await this.timed('token revocation', this.endpoints.revoke, () => this.client().revoke({ refresh_token: token }));
    } catch (error) {
      throw mapFailure(error);
    }
  }

  async userInfo(accessToken: string): Promise<IntuitUser> {
    const { response, body } = await this.timed('userinfo request', this.endpoints.userInfo, async (signal) => {
      const response = await fetch(this.endpoints.userInfo, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal });
      return { response, body: response.ok ? ((await response.json()) as { sub?: string; email?: string; givenName?: string; familyName?: string }) : {} };
    });
    if (!response.ok) throw new OAuthRequestError('userinfo_failed', `Intuit userinfo answered ${response.status}`, response.headers.get('intuit_tid') ?? undefined, response.status >= 500);
    if (!body.sub) throw new OAuthRequestError('userinfo_failed', 'Intuit userinfo did not name the user');
    return { sub: body.sub, email: body.email, name: [body.givenName, body.familyName].filter(Boolean).join(' ') || undefined };
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
