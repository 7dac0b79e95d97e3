import { randomUUID } from 'node:crypto';
import type { CompaniesRepository } from '../db/companies-repository';
import type { Logger } from '../logger';
import { QuickBooksFault, ReconnectRequiredError } from './errors';
import { parseFault } from './faults';
import type { TokenManager } from './token-manager';

export const MINOR_VERSION = '75';

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Path under /v3/company/<realmId>/, e.g. `companyinfo/123` or `query`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Sent as `requestid` on writes so a replay returns the first result. */
  requestId?: string;
}

/**
 * The one door to the QuickBooks Accounting API: every call takes its token from the token
 * manager, carries minorversion 75, and turns any fault into a typed error with its intuit_tid.
 * A 401 triggers one refresh and one retry; a second 401 means the connection is gone.
 */
export class QuickBooksClient {
  constructor(
    private readonly deps: { apiBase: string; tokens: TokenManager; companies: CompaniesRepository; logger: Logger },
  ) {}

  async request<T>(realmId: string, options: RequestOptions): Promise<T> {
    let token = await this.deps.tokens.accessToken(realmId);
    for (let attempt = 1; ; attempt++) {
      const response = await this.send(realmId, token, options);
      if (response.status === 401 && attempt === 1) {
        token = await this.deps.tokens.afterRejection(realmId, token);
        continue;
      }
      const tid = response.headers.get('intuit_tid') ?? response.headers.get('intuit-tid') ?? undefined;
      const text = await response.text();
      if (response.status === 401) {
        await this.deps.companies.setStatus(realmId, 'needs_reconnect', 'QuickBooks refused our access (the app may have been disconnected in QuickBooks). Reconnect to resume.');
        throw new ReconnectRequiredError(realmId, 'QuickBooks answered 401 after a refresh');
      }
      const fault = parseFault(response.status, text, tid);
      if (fault) {
        this.deps.logger.warn({ realmId, path: options.path, status: response.status, code: fault.faultCode, intuitTid: tid }, 'QuickBooks fault');
        throw fault;
      }
      if (options.path.endsWith('/pdf')) return Buffer.from(text, 'latin1') as T;
      return JSON.parse(text) as T;
    }
  }

  private send(realmId: string, token: string, options: RequestOptions): Promise<Response> {
    const url = new URL(`${this.deps.apiBase}${encodeURIComponent(realmId)}/${options.path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    url.searchParams.set('minorversion', MINOR_VERSION);
    if (options.method === 'POST') url.searchParams.set('requestid', options.requestId ?? randomUUID());
    return fetch(url, {
      method: options.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: options.path.endsWith('/pdf') ? 'application/pdf' : 'application/json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
  }

  async companyInfo(realmId: string): Promise<CompanyInfo> {
    const answer = await this.request<{ CompanyInfo: CompanyInfo }>(realmId, { path: `companyinfo/${encodeURIComponent(realmId)}` });
    return answer.CompanyInfo;
  }
}

export interface CompanyInfo {
  CompanyName: string;
  LegalName?: string;
  Country?: string;
  Email?: { Address?: string };
  PrimaryPhone?: { FreeFormNumber?: string };
}

export { QuickBooksFault };
