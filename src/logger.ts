import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Every key below is replaced by "[redacted]" wherever it appears (one level deep or at the top),
 * so a token, secret or cookie that ends up in a log object is never written out.
 */
const SECRET_KEYS = [
  'access_token', 'refresh_token', 'accessToken', 'refreshToken', 'id_token', 'token', 'tokens',
  'authorization', 'Authorization', 'cookie', 'set-cookie', 'password', 'secret', 'clientSecret',
  'client_secret', 'sessionSecret', 'verifierToken', 'apiToken',
];

const redactPaths = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["intuit-signature"]',
  'res.headers["set-cookie"]',
];

/**
 * Email addresses: the customers' (and anyone's) are never written to a log, wherever they turn
 * up (a field, an SMTP server's refusal, a database error). Replaced with "[email address]".
 */
const EMAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
  /** Values never written, wherever they appear in a line (inside an error message, a URL...). */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 6);
  const scrub = secrets.length ? new RegExp(secrets.map(escapeRegExp).sort((a, b) => b.length - a.length).join('|'), 'g') : undefined;
  const clean = (line: string) => (scrub ? line.replace(scrub, '[redacted]') : line).replace(EMAIL_ADDRESS, '[email address]');
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      hooks: { streamWrite: clean },
    },
    options.destination,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes OAuth codes, states and tokens from a URL before it is logged. */
export function scrubUrl(url: string): string {
  return url
    .replace(/([?&](?:code|state|token|access_token|refresh_token)=)[^&#]*/gi, '$1[redacted]')
    // A customer's link carries its signed token in the path (src/services/customer-links.ts).
    .replace(/^(\/c\/(?:answer|statement)\/)[^/?#]+/, '$1[redacted]');
}
