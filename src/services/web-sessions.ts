import type { SessionsRepository } from '../db/sessions-repository';

/**
 * The web's sessions, kept in the database so every web process shares them. What a session
 * holds and how long it lives is the web's business (src/web/session-store.ts); this keeps them.
 */
export class WebSessionsService {
  constructor(private readonly deps: { sessions: Pick<SessionsRepository, 'get' | 'set' | 'touch' | 'destroy'> }) {}

  /** The session's data, while it has not expired at `now`. */
  get(sid: string, now: Date): Promise<Record<string, unknown> | undefined> {
    return this.deps.sessions.get(sid, now);
  }

  set(sid: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
    return this.deps.sessions.set(sid, data, expiresAt);
  }

  /** A request on an unchanged session: when it was seen (ms) and its new expiry. */
  touch(sid: string, seenAt: number, expiresAt: Date): Promise<void> {
    return this.deps.sessions.touch(sid, seenAt, expiresAt);
  }

  destroy(sid: string): Promise<void> {
    return this.deps.sessions.destroy(sid);
  }
}
