import type { Router } from 'express';
import { API_ROUTES, type InjectResponse } from '@plantwire/protocol';
import type { Runtime } from '@plantwire/runtime';
import { ApiHttpError } from '../api-error.js';
import { requireAuth } from '../auth/require-auth.js';
import type { ServerContext } from '../server-context.js';
import { objectBody } from './flows-routes.js';

/** `runtime.trigger`, added to the runtime alongside this server; looked up so either order of landing compiles. */
type Triggerable = Runtime & { trigger?: (nodeId: string) => boolean };

/**
 * `POST /api/nodes/:id/inject`: an empty body fires a source's configured output (the inject
 * node's button); `{payload, topic?, port?}` puts that message on the node's input.
 */
export function nodesRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();
  router.post(API_ROUTES.inject, requireAuth(ctx, 'editor'), (req, res) => {
    const id = String(req.params['id']);
    const node = ctx.runtime.document?.nodes.find((n) => n.id === id);
    if (!node) throw new ApiHttpError('NOT_FOUND', `inject: no node "${id}" in the running flow`);
    const body = req.body === undefined ? {} : objectBody(req.body, `POST /api/nodes/${id}/inject`);
    let accepted: boolean;
    if ('payload' in body) {
      const topic = body['topic'];
      const port = body['port'];
      if (topic !== undefined && typeof topic !== 'string') throw new ApiHttpError('BAD_REQUEST', 'inject: "topic" must be a string', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.topic', message: 'expected a string' }] });
      if (port !== undefined && typeof port !== 'string') throw new ApiHttpError('BAD_REQUEST', 'inject: "port" must be a string', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.port', message: 'expected a string' }] });
      try {
        accepted = ctx.runtime.inject(id, { payload: body['payload'], ...(topic === undefined ? {} : { topic }) }, port);
      } catch (err) {
        // Not running (disabled) or no such input port: the runtime's message says which.
        throw new ApiHttpError('INJECT_REFUSED', (err as Error).message);
      }
      if (!accepted) throw new ApiHttpError('INJECT_REFUSED', `inject: node "${id}" (${node.type}) did not take the message: it is not running, has no such input port, or its queue is full`);
    } else {
      const runtime = ctx.runtime as Triggerable;
      if (typeof runtime.trigger !== 'function') throw new ApiHttpError('NOT_SUPPORTED', 'inject: this runtime cannot trigger a source node; send {payload} instead');
      accepted = runtime.trigger(id);
      if (!accepted) throw new ApiHttpError('INJECT_REFUSED', `inject: node "${id}" (${node.type}) cannot be triggered: it is not running or is not a source with a configured output; send {payload} to put a message on its input`);
    }
    res.json({ nodeId: id, accepted: true } satisfies InjectResponse);
  });
  return router;
}
