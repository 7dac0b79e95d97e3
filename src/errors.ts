/**
 * The small family of errors the app raises on purpose. Each has a stable `code`, the HTTP status
 * the web layer answers with, and whether a job that hit it should be retried.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options: { status?: number; retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('bad_request', message, { status: 400, details });
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Not found') {
    super('not_found', what, { status: 404 });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first') {
    super('unauthorized', message, { status: 401 });
  }
}

/** A service the request needs (Redis, say) is down for now: 503, and asking again later works. */
export class ServiceUnavailableError extends AppError {
  /** What the answer's Retry-After says. */
  readonly retryAfterSeconds: number;

  constructor(code: string, message: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(code, message, { status: 503, retryable: true, cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 30;
  }
}
