import session from 'express-session';
import type { WebSessionsService } from '../services/web-sessions';

declare module 'express-session' {
  interface SessionData {
    /** When the session was first stored (ms): sign-in regenerates it, so for a person, sign-in time. */
    startedAt?: number;
    /** The last request the store recorded (ms); written at most every TOUCH_EVERY_MS. */
    seenAt?: number;
  }
}

export const SESSION_COOKIE = 'ardesk.sid';

const MINUTE = 60_000;
/** A request on an unchanged session is written down at most this often. */
export const TOUCH_EVERY_MS = 5 * MINUTE;
/** A session nobody signed in to holds only a form token or an OAuth state in flight. */
const ANONYMOUS_MS = 60 * MINUTE;

export interface SessionLifetime {
  idleMs: number;
  absoluteMs: number;
}

export function sessionLifetime(config: { idleMinutes: number; maxDays: number }): SessionLifetime {
  return { idleMs: config.idleMinutes * MINUTE, absoluteMs: config.maxDays * 24 * 60 * MINUTE };
}

/**
 * express-session store on the database, so every web process shares the sessions. The lifetime
 * is enforced here, on the server: a session ends `idleMs` after its last request and
 * `absoluteMs` after it began, whatever the cookie says.
 */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly sessions: Pick<WebSessionsService, 'get' | 'set' | 'touch' | 'destroy'>,
    private readonly lifetime: SessionLifetime,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  private deadline(data: session.SessionData, seenAt: number): number {
    const idle = data.userId ? this.lifetime.idleMs : Math.min(this.lifetime.idleMs, ANONYMOUS_MS);
    return Math.min(seenAt + idle, (data.startedAt ?? seenAt) + this.lifetime.absoluteMs);
  }

  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    const now = this.now().getTime();
    this.sessions.get(sid, new Date(now)).then(
      (stored) => {
        const data = stored as unknown as session.SessionData | undefined;
        // The limits in force now decide, even for a row written under longer ones.
        if (data && this.deadline(data, data.seenAt ?? 0) > now) return callback(null, data);
        if (!data) return callback(null, null);
        this.sessions.destroy(sid).then(() => callback(null, null), (error) => callback(error));
      },
      (error) => callback(error),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    const now = this.now().getTime();
    const stored = { ...data, startedAt: data.startedAt ?? now, seenAt: now };
    this.sessions.set(sid, stored as unknown as Record<string, unknown>, new Date(this.deadline(stored, now))).then(() => callback?.(), (error) => callback?.(error));
  }

  /** Called on every request of an unchanged session; writes only when the last write is old. */
  override touch(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    const now = this.now().getTime();
    if (data.seenAt !== undefined && now - data.seenAt < TOUCH_EVERY_MS) return callback?.();
    this.sessions.touch(sid, now, new Date(this.deadline(data, now))).then(() => callback?.(), (error) => callback?.(error));
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.sessions.destroy(sid).then(() => callback?.(), (error) => callback?.(error));
  }
}
