import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { AppError, ServiceUnavailableError } from '../errors';
import { isRedisUnreachable, RedisUnavailableError } from '../jobs/redis';
import { TemplateError } from '../mail/render-error';
import { templateProblem, zodProblems } from './presenters/form-errors';

interface HttpProblem {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** Seconds for Retry-After, on a 503 that will pass. */
  retryAfter?: number;
}

/**
 * Maps anything thrown in a route to one answer: our AppErrors, zod errors, body-parser errors,
 * and Redis being unreachable (503, whichever Redis call met it).
 */
export function toProblem(error: unknown): HttpProblem {
  if (!(error instanceof AppError) && isRedisUnreachable(error)) return toProblem(new RedisUnavailableError(error));
  if (error instanceof ServiceUnavailableError) return { status: error.status, code: error.code, message: error.message, details: error.details, retryAfter: error.retryAfterSeconds };
  // A template that cannot be used: where and what in words, the parser's details kept aside.
  if (error instanceof TemplateError) return { status: error.status, code: error.code, message: `${error.template} ${error.part}: ${templateProblem(error)}`, details: error.details };
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (error instanceof ZodError) {
    // Each field with what is wrong in words (zod's generic messages read as "must be a number").
    const fields = zodProblems(error).map(({ field, message }) => ({ field: field || '(body)', message }));
    return {
      status: 400,
      code: 'invalid_input',
      message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
      details: { fields },
    };
  }
  const parserError = error as { type?: string; status?: number; limit?: number };
  if (parserError?.type === 'entity.too.large') return { status: 413, code: 'body_too_large', message: `The request body is larger than the ${parserError.limit} bytes allowed` };
  if (parserError?.type === 'entity.parse.failed') return { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON' };
  if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') return { status: 415, code: 'unsupported_encoding', message: 'The request body encoding is not supported' };
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return { status: parserError.status, code: 'bad_request', message: 'The request could not be read' };
  }
  return { status: 500, code: 'internal', message: 'Something went wrong on our side. It has been logged.' };
}

function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.path.startsWith('/webhooks/') || (!req.accepts('html') && Boolean(req.accepts('json')));
}

export function errorHandler() {
  // Express recognises an error handler by its four parameters.
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(error);
    if (problem.status === 503) req.log?.warn({ err: error, code: problem.code }, 'request refused: a service it needs is unavailable');
    else if (problem.status >= 500) req.log?.error({ err: error }, 'request failed');
    if (res.headersSent) return;
    res.status(problem.status);
    if (problem.retryAfter) res.set('Retry-After', String(problem.retryAfter));
    if (wantsJson(req)) {
      res.json({ error: { code: problem.code, message: problem.message, ...(problem.details ? { details: problem.details } : {}) } });
    } else {
      res.render('error', { title: 'Something is wrong', status: problem.status, message: problem.message });
    }
  };
}

export function notFoundHandler() {
  return (req: Request, res: Response) => {
    res.status(404);
    if (wantsJson(req)) res.json({ error: { code: 'not_found', message: 'Not found' } });
    else res.render('error', { title: 'Not found', status: 404, message: 'There is nothing at this address.' });
  };
}
