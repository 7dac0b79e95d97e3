import type { NextFunction, Request, Response } from 'express';
import type { HttpMetrics } from '../metrics';

/**
 * Counts every request by method, route pattern (never the raw URL: one series per route, not
 * per company or id) and status; "aborted" when the client left before the answer was complete.
 */
export function httpMetrics(metrics: HttpMetrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      const pattern = req.route?.path as unknown;
      const route = pattern === undefined ? 'unmatched' : `${req.baseUrl}${Array.isArray(pattern) ? pattern.join('|') : String(pattern)}`;
      metrics.httpRequest(req.method, route, res.writableEnded ? String(res.statusCode) : 'aborted', Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', count);
    res.once('close', count);
    next();
  };
}
