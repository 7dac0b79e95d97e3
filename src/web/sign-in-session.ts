import type { Request, Response } from 'express';
import { newCsrfToken } from './csrf';
import { SESSION_COOKIE } from './session-store';

function promised(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

/**
 * Stores the session now and makes sure the browser gets its cookie, e.g. before an OAuth
 * redirect, so the `state` has a session to come back to. express-session sends the cookie of a
 * new session only when it holds something: it holds its form token.
 */
export function saveSession(req: Request): Promise<void> {
  req.session.csrfToken ??= newCsrfToken();
  return promised((done) => req.session.save(done));
}

/**
 * Signs `userId` in on a new session id: a session fixed before sign-in is worth nothing after
 * it. The new session begins its absolute lifetime now and carries its form token from the start.
 */
export async function beginSession(req: Request, userId: string, options: { operatorEmail?: string } = {}): Promise<void> {
  await promised((done) => req.session.regenerate(done));
  req.session.userId = userId;
  if (options.operatorEmail) req.session.operatorEmail = options.operatorEmail;
  await saveSession(req);
}

/** Signs out: the session row is deleted, so its cookie is worth nothing, and the cookie is cleared. */
export async function endSession(req: Request, res: Response): Promise<void> {
  await promised((done) => req.session.destroy(done));
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}
