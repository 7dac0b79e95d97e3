import { z } from 'zod';
import type { Config } from '../config';
import type { Logger } from '../logger';

/**
 * Intuit's OAuth 2.0 and OpenID Connect endpoints come from its discovery document, not from
 * constants: Intuit publishes one for production and one for its sandbox, and the local
 * emulator serves its own. The document is fetched on first use and kept for a day; a failed
 * refetch keeps the last good document (Intuit moving an endpoint is rare, Intuit being briefly
 * unreachable is not).
 */

export const INTUIT_DISCOVERY_URLS = {
  production: 'https://developer.api.intuit.com/.well-known/openid_configuration',
  sandbox: 'https://developer.api.intuit.com/.well-known/openid_sandbox_configuration',
} as const;

const CACHE_MS = 24 * 3600 * 1000;

export interface OAuthEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  userInfo: string;
}

const httpsOrLocal = z.string().url();
const documentSchema = z.object({
  issuer: z.string().min(1),
  authorization_endpoint: httpsOrLocal,
  token_endpoint: httpsOrLocal,
  userinfo_endpoint: httpsOrLocal,
  revocation_endpoint: httpsOrLocal,
});

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

/** Where the discovery document of an INTUIT_ENVIRONMENT is. */
export function discoveryUrl(intuit: Pick<Config['intuit'], 'environment' | 'localUrl'>): string {
  if (intuit.environment === 'local') return `${intuit.localUrl}/.well-known/openid_configuration`;
  return INTUIT_DISCOVERY_URLS[intuit.environment];
}

export class DiscoveryDocument {
  private cached?: { endpoints: OAuthEndpoints; fetchedAt: number };
  private fetching?: Promise<OAuthEndpoints>;

  constructor(
    readonly url: string,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The endpoints, from the cache while it is fresh. `signal` ends a fetch that takes too long
   * (the caller's deadline); concurrent callers share one fetch.
   */
  async endpoints(signal?: AbortSignal): Promise<OAuthEndpoints> {
    if (this.cached && this.now() - this.cached.fetchedAt < CACHE_MS) return this.cached.endpoints;
    this.fetching ??= this.fetch(signal).finally(() => (this.fetching = undefined));
    try {
      return await this.fetching;
    } catch (error) {
      if (!this.cached) throw error;
      this.logger?.warn({ url: this.url, err: (error as Error).message }, 'Intuit\'s discovery document could not be read again; using the one read before');
      return this.cached.endpoints;
    }
  }

  private async fetch(signal?: AbortSignal): Promise<OAuthEndpoints> {
    let response: Response;
    try {
      response = await fetch(this.url, { headers: { accept: 'application/json' }, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new DiscoveryError(`Intuit's discovery document (${this.url}) could not be reached: ${(error as Error).message}`);
    }
    if (!response.ok) throw new DiscoveryError(`Intuit's discovery document (${this.url}) answered HTTP ${response.status}`);
    const parsed = documentSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new DiscoveryError(`Intuit's discovery document (${this.url}) does not name the OAuth endpoints: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    const endpoints = {
      authorize: parsed.data.authorization_endpoint,
      token: parsed.data.token_endpoint,
      revoke: parsed.data.revocation_endpoint,
      userInfo: parsed.data.userinfo_endpoint,
    };
    this.cached = { endpoints, fetchedAt: this.now() };
    // (Logged under names the logger does not take for secrets: "token" is redacted wherever it appears.)
    this.logger?.info({ url: this.url, authorizeEndpoint: endpoints.authorize, tokenEndpoint: endpoints.token, revokeEndpoint: endpoints.revoke, userInfoEndpoint: endpoints.userInfo }, 'Intuit discovery document read');
    return endpoints;
  }
}
