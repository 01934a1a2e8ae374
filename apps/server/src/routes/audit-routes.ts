import type { Router } from 'express';
import { API_ROUTES, type AuditResponse } from '@plantwire/protocol';
import { ApiHttpError } from '../api-error.js';
import { MAX_AUDIT_TAIL } from '../audit/audit-log.js';
import { requireAuth } from '../auth/require-auth.js';
import type { ServerContext } from '../server-context.js';

/** `GET /api/audit?limit=` (admin): the last entries of the audit log, oldest first. */
export function auditRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();
  router.get(API_ROUTES.audit, requireAuth(ctx, 'admin'), async (req, res) => {
    const raw = req.query['limit'];
    const limit = raw === undefined ? 100 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_TAIL) {
      throw new ApiHttpError('BAD_REQUEST', `GET /api/audit: limit must be an integer from 1 to ${MAX_AUDIT_TAIL}, got ${JSON.stringify(raw)}`, {
        issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.query.limit', message: `expected an integer from 1 to ${MAX_AUDIT_TAIL}` }],
      });
    }
    res.json({ entries: await ctx.audit.tail(limit) } satisfies AuditResponse);
  });
  return router;
}
