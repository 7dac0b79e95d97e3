import session from 'express-session';
import type { SessionsRepository } from '../db/sessions-repository';

const DAY = 24 * 3600 * 1000;

/** express-session store on the database, so every web process shares the sessions. */
export class DatabaseSessionStore extends session.Store {
  constructor(private readonly sessions: SessionsRepository, private readonly now: () => Date = () => new Date()) {
    super();
  }

  private expiry(data: session.SessionData): Date {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires) : new Date(this.now().getTime() + DAY);
  }

  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    this.sessions.get(sid, this.now()).then(
      (data) => callback(null, (data as unknown as session.SessionData) ?? null),
      (error) => callback(error),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    this.sessions.set(sid, data as unknown as Record<string, unknown>, this.expiry(data)).then(() => callback?.(), (error) => callback?.(error));
  }

  override touch(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    this.sessions.touch(sid, this.expiry(data)).then(() => callback?.(), (error) => callback?.(error));
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.sessions.destroy(sid).then(() => callback?.(), (error) => callback?.(error));
  }
}
