import type { Router } from 'express';
import { API_ROUTES, type AuthStatusResponse, type LoginResponse } from '@plantwire/protocol';
import { ApiHttpError } from '../api-error.js';
import { verifyPassword } from '../auth/password-hash.js';
import { bearerToken, requireAuth } from '../auth/require-auth.js';
import type { ServerContext } from '../server-context.js';
import { objectBody } from './flows-routes.js';

/** `GET /api/auth` (open), `POST /api/auth/login` (open, rate-limited), `POST /api/auth/logout`. */
export function authRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();

  router.get(API_ROUTES.auth, (req, res) => {
    if (ctx.users === undefined) {
      res.json({ required: false, authenticated: true, role: 'admin' } satisfies AuthStatusResponse);
      return;
    }
    const session = ctx.sessions.get(bearerToken(req));
    res.json({ required: true, authenticated: session !== undefined, role: session?.role, expiresAt: session && new Date(session.expiresAt).toISOString() } satisfies AuthStatusResponse);
  });

  router.post(API_ROUTES.login, async (req, res) => {
    if (ctx.users === undefined) throw new ApiHttpError('BAD_REQUEST', 'login: authentication is off on this server; no token is needed');
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const waitSeconds = ctx.loginLimiter.attempt(address);
    if (waitSeconds > 0) {
      ctx.logger.warn('login rate limit hit', { address });
      throw new ApiHttpError('RATE_LIMITED', `login: too many attempts from this address; try again in ${waitSeconds} s`, { headers: { 'Retry-After': String(waitSeconds) } });
    }
    const body = objectBody(req.body, 'POST /api/auth/login');
    const password = body['password'];
    if (typeof password !== 'string' || password.length === 0) throw new ApiHttpError('BAD_REQUEST', 'login: "password" (a non-empty string) is missing', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.password', message: 'expected a non-empty string' }] });
    // Every user's hash is tried, so the time taken does not tell which users exist.
    let match: (typeof ctx.users)[number] | undefined;
    for (const user of ctx.users) if ((await verifyPassword(password, user.passwordHash)) && !match) match = user;
    if (!match) {
      ctx.logger.warn('login failed', { address });
      throw new ApiHttpError('UNAUTHORIZED', 'login: wrong password');
    }
    ctx.loginLimiter.reset(address);
    const { token, session } = ctx.sessions.create(match.name, match.role);
    ctx.logger.info('login', { user: match.name, role: match.role, address });
    res.json({ token, role: session.role, expiresAt: new Date(session.expiresAt).toISOString() } satisfies LoginResponse);
  });

  router.post(API_ROUTES.logout, requireAuth(ctx), (req, res) => {
    const token = bearerToken(req);
    if (ctx.users !== undefined && token !== undefined) ctx.sessions.revoke(token);
    res.status(204).end();
  });

  return router;
}
