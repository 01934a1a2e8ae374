import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@plantwire/protocol';

/** A logged-in client. */
export interface Session {
  readonly user: string;
  readonly role: Role;
  readonly expiresAt: number;
  /** The hash the store keys the session by; sockets remember it to be closed on logout. */
  readonly key: string;
}

export interface SessionStore {
  /** A new token (32 random bytes, base64url) for a user; only its hash is kept. */
  create(user: string, role: Role): { readonly token: string; readonly session: Session };
  /** The live session of a token, or undefined (unknown, revoked or expired). */
  get(token: string | undefined): Session | undefined;
  /** Forget a token; listeners learn which session ended (open sockets are closed). */
  revoke(token: string): boolean;
  onRevoked(listener: (session: Session) => void): () => void;
  /** Number of live sessions (tests, bounds). */
  size(): number;
}

/** At most this many sessions live at once; the oldest goes first (bounded memory). */
const MAX_SESSIONS = 10_000;

const keyOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** In-memory sessions that expire after `ttlMs` (default 12 h) and end on logout or restart. */
export function createSessionStore(options: { ttlMs?: number; now?: () => number } = {}): SessionStore {
  const ttlMs = options.ttlMs ?? 12 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();
  const listeners = new Set<(session: Session) => void>();

  const end = (key: string) => {
    const session = sessions.get(key);
    if (!session) return false;
    sessions.delete(key);
    for (const listener of listeners) listener(session);
    return true;
  };

  return {
    create(user, role) {
      for (const [key, s] of sessions) if (s.expiresAt <= now()) end(key);
      while (sessions.size >= MAX_SESSIONS) end(sessions.keys().next().value!);
      const token = randomBytes(32).toString('base64url');
      const key = keyOf(token);
      const session: Session = { user, role, expiresAt: now() + ttlMs, key };
      sessions.set(key, session);
      return { token, session };
    },
    get(token) {
      if (!token) return undefined;
      const key = keyOf(token);
      const session = sessions.get(key);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        end(key);
        return undefined;
      }
      return session;
    },
    revoke: (token) => end(keyOf(token)),
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    size: () => sessions.size,
  };
}
