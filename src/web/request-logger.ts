import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { scrubUrl, type Logger } from '../logger';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * One structured line per request (pino-http), with the request id: the caller's X-Request-Id
 * when it is a plain token, else a new one, echoed in the answer. A request the client abandons
 * before the answer is complete is logged too ("request aborted"). Lines carry the method, the
 * URL with OAuth codes, states and tokens scrubbed, the status and the time, never headers.
 * `req.log` is the request's child logger, carrying its id.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    quietReqLogger: true,
    quietResLogger: true,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 || !res.writableEnded ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => (res.writableEnded && !(req as IncomingMessage & { readableAborted?: boolean }).readableAborted ? 'request' : 'request aborted'),
    customErrorMessage: () => 'request failed',
    customAttributeKeys: { responseTime: 'ms' },
    customSuccessObject: (req, res, value) => ({ ...value, ...lineOf(req as Request, res as Response) }),
    customErrorObject: (req, res, error, value) => ({ ...value, ...lineOf(req as Request, res as Response) }),
    // The line itself says everything; pino-http's own req/res objects would add every header.
    serializers: { req: () => undefined, res: () => undefined },
  });
}

function lineOf(req: Request, res: Response) {
  return { method: req.method, url: scrubUrl(req.originalUrl ?? req.url), status: res.writableEnded ? res.statusCode : 'aborted' };
}
