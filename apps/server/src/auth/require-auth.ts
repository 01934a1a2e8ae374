import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '@plantwire/protocol';
import { ApiHttpError } from '../api-error.js';
import { ROLE_RANK, type ServerContext } from '../server-context.js';
import type { Session } from './session-store.js';

/** The bearer token of a request (`Authorization: Bearer <token>`), if any. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** The session a request carries (set by {@link requireAuth}); undefined when auth is off. */
export function sessionOf(res: Response): Session | undefined {
  return res.locals['session'] as Session | undefined;
}

/**
 * With auth on, every request must carry a live session token (401 UNAUTHORIZED otherwise) and a
 * role of at least `minRole` (403 FORBIDDEN). With auth off, everything passes.
 */
export function requireAuth(ctx: ServerContext, minRole: Role = 'viewer'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (ctx.users === undefined) return next();
    const session = ctx.sessions.get(bearerToken(req));
    if (!session) return next(new ApiHttpError('UNAUTHORIZED', `${req.method} ${req.path} needs a session token: log in with POST /api/auth/login, then send "Authorization: Bearer <token>"`, { headers: { 'WWW-Authenticate': 'Bearer' } }));
    if (ROLE_RANK[session.role] < ROLE_RANK[minRole]) return next(new ApiHttpError('FORBIDDEN', `${req.method} ${req.path} needs the ${minRole} role; user "${session.user}" is ${session.role}`));
    res.locals['session'] = session;
    next();
  };
}
