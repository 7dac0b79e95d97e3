import type { Config } from '../config';

/** Where Intuit lives for each INTUIT_ENVIRONMENT; `local` is the sandbox emulator. */
export interface IntuitEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  userInfo: string;
  /** Accounting API base, ending in /v3/company/ */
  api: string;
}

export function intuitEndpoints(intuit: Config['intuit']): IntuitEndpoints {
  if (intuit.environment === 'local') {
    const base = intuit.localUrl!;
    return {
      authorize: `${base}/connect/oauth2`,
      token: `${base}/oauth2/v1/tokens/bearer`,
      revoke: `${base}/v2/oauth2/tokens/revoke`,
      userInfo: `${base}/v1/openid_connect/userinfo`,
      api: `${base}/v3/company/`,
    };
  }
  return {
    authorize: 'https://appcenter.intuit.com/connect/oauth2',
    token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    revoke: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
    userInfo: intuit.environment === 'sandbox' ? 'https://sandbox-accounts.platform.intuit.com/v1/openid_connect/userinfo' : 'https://accounts.platform.intuit.com/v1/openid_connect/userinfo',
    api: intuit.environment === 'sandbox' ? 'https://sandbox-quickbooks.api.intuit.com/v3/company/' : 'https://quickbooks.api.intuit.com/v3/company/',
  };
}
