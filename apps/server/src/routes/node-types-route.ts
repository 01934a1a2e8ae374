import type { Router } from 'express';
import { toConnectionManifest, toManifest } from '@plantwire/node-sdk';
import { API_ROUTES, type NodeTypesResponse } from '@plantwire/protocol';
import { requireAuth } from '../auth/require-auth.js';
import type { ServerContext } from '../server-context.js';

/** `GET /api/node-types`: manifests derived from the definitions, computed once. */
export function nodeTypesRoute(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();
  const body: NodeTypesResponse = {
    nodes: ctx.registry.all().map(toManifest),
    connections: ctx.registry.allConnections().map(toConnectionManifest),
  };
  router.get(API_ROUTES.nodeTypes, requireAuth(ctx), (_req, res) => {
    res.json(body);
  });
  return router;
}
