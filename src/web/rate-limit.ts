import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';

export class TooManyRequestsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_requests', 'Too many requests from your address. Please wait a minute and try again.', { status: 429 });
  }
}

/**
 * A sliding-window limit per client address: at most `limit` requests in any `windowMs`. Kept in
 * this process's memory (the public pages are few and cheap; a deployment with several web
 * processes allows `limit` per process). Time comes from `now` (real time, never the business clock).
 */
export function rateLimit(options: { limit: number; windowMs: number; now: () => Date; maxClients?: number }) {
  const hits = new Map<string, number[]>();
  const maxClients = options.maxClients ?? 10_000;
  return (req: Request, res: Response, next: NextFunction) => {
    const now = options.now().getTime();
    const since = now - options.windowMs;
    const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const recent = (hits.get(key) ?? []).filter((at) => at > since);
    if (recent.length >= options.limit) {
      hits.set(key, recent);
      const retryAfter = Math.max(1, Math.ceil((recent[0]! + options.windowMs - now) / 1000));
      res.set('Retry-After', String(retryAfter));
      return next(new TooManyRequestsError(retryAfter));
    }
    recent.push(now);
    hits.delete(key);
    hits.set(key, recent);
    // The oldest clients go first when too many are remembered (a Map keeps insertion order).
    while (hits.size > maxClients) hits.delete(hits.keys().next().value!);
    next();
  };
}
