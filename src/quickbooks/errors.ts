import { AppError } from '../errors';

/** The connection cannot be used until a person reconnects it (refresh token dead or revoked). */
export class ReconnectRequiredError extends AppError {
  constructor(readonly realmId: string, reason: string) {
    super('reconnect_required', `QuickBooks company ${realmId} needs to be reconnected: ${reason}`, { status: 409, retryable: false });
  }
}

/** Intuit's OAuth server refused or failed a token request. */
export class OAuthRequestError extends AppError {
  constructor(readonly oauthError: string, message: string, readonly intuitTid?: string, retryable = false) {
    super(oauthError === 'invalid_grant' ? 'invalid_grant' : 'oauth_failed', message, { status: 502, retryable });
  }
}

/** A fault answered by the QuickBooks Accounting API, parsed from either envelope or the XML throttle. */
export class QuickBooksFault extends AppError {
  constructor(
    readonly httpStatus: number,
    readonly faultCode: string,
    message: string,
    readonly detail: string,
    readonly intuitTid: string | undefined,
    retryable: boolean,
    readonly element?: string,
  ) {
    super(`qbo_${faultCode || httpStatus}`, message, { status: 502, retryable, details: { faultCode, httpStatus, intuitTid } });
  }
}
