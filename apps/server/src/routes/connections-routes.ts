import type { Router } from 'express';
import type { ConnectionEntry } from '@plantwire/flow';
import { API_ROUTES, type BrowseItem, type BrowseResponse, type ConnectionTestResponse } from '@plantwire/protocol';
import type { Runtime } from '@plantwire/runtime';
import { ApiHttpError } from '../api-error.js';
import { requireAuth } from '../auth/require-auth.js';
import type { ServerContext } from '../server-context.js';
import { objectBody } from './flows-routes.js';

/** `runtime.browse`, added to the runtime alongside this server; looked up so either order of landing compiles. */
type Browsable = Runtime & {
  browse?: (connectionId: string, request: { node?: string; continuationPoint?: string }) => Promise<{ node: string; items: BrowseItem[]; continuationPoint?: string }>;
};

/** Browse failures by the runtime's code. */
const BROWSE_ERRORS: Readonly<Record<string, 'NOT_FOUND' | 'NOT_SUPPORTED' | 'NOT_CONNECTED' | 'BAD_REQUEST'>> = {
  CONNECTION_UNKNOWN: 'NOT_FOUND',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  NOT_CONNECTED: 'NOT_CONNECTED',
  // The device did not answer in time: as unreachable as a closed link.
  TIMEOUT: 'NOT_CONNECTED',
  // The device refused (unknown node, expired continuation point): the request's fault.
  BROWSE_FAILED: 'BAD_REQUEST',
};

/** `POST /api/connections/:id/test` and `GET /api/connections/:id/browse`. */
export function connectionsRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();

  router.post(API_ROUTES.testConnection, requireAuth(ctx, 'editor'), async (req, res) => {
    const id = String(req.params['id']);
    const body = req.body === undefined ? {} : objectBody(req.body, `POST /api/connections/${id}/test`);
    const entry = body['entry'];
    const credentials = body['credentials'];
    if (entry !== undefined && (typeof entry !== 'object' || entry === null || Array.isArray(entry))) {
      throw new ApiHttpError('BAD_REQUEST', 'test connection: "entry" must be a connection entry object', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.entry', message: 'expected an object {id, type, config}' }] });
    }
    if (credentials !== undefined && (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials))) {
      throw new ApiHttpError('BAD_REQUEST', 'test connection: "credentials" must be an object of field values', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.credentials', message: 'expected an object' }] });
    }
    if (entry === undefined && !ctx.runtime.document?.connections?.some((c) => c.id === id)) {
      throw new ApiHttpError('NOT_FOUND', `test connection: no connection "${id}" in the running flow; send {entry} to test one not deployed yet`);
    }
    const target = entry === undefined ? id : ({ ...(entry as ConnectionEntry), id } as ConnectionEntry);
    const report = await ctx.runtime.testConnection(target, credentials === undefined ? {} : { credentials: credentials as Record<string, unknown> });
    res.json({ ok: report.ok, message: report.message, durationMs: report.durationMs } satisfies ConnectionTestResponse);
  });

  router.get(API_ROUTES.browse, requireAuth(ctx, 'editor'), async (req, res) => {
    const id = String(req.params['id']);
    const runtime = ctx.runtime as Browsable;
    if (typeof runtime.browse !== 'function') throw new ApiHttpError('NOT_SUPPORTED', 'browse: this runtime cannot browse connections');
    const node = req.query['node'];
    const continuationPoint = req.query['continuationPoint'];
    if ((node !== undefined && typeof node !== 'string') || (continuationPoint !== undefined && typeof continuationPoint !== 'string')) {
      throw new ApiHttpError('BAD_REQUEST', 'browse: "node" and "continuationPoint" must be single query parameters');
    }
    try {
      const result = await runtime.browse(id, { ...(node ? { node } : {}), ...(continuationPoint ? { continuationPoint } : {}) });
      res.json({ node: result.node, items: result.items, ...(result.continuationPoint === undefined ? {} : { continuationPoint: result.continuationPoint }) } satisfies BrowseResponse);
    } catch (err) {
      const code = BROWSE_ERRORS[String((err as { code?: unknown }).code)];
      if (code === undefined) throw err;
      // NOT_SUPPORTED is the client's mistake here (this connection's type has no address space).
      throw new ApiHttpError(code, `browse connection "${id}": ${(err as Error).message}`, code === 'NOT_SUPPORTED' ? { status: 400 } : {});
    }
  });

  return router;
}
