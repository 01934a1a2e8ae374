import type { Router } from 'express';
import { toConnectionManifest } from '@plantwire/node-sdk';
import { API_ROUTES, type CredentialsStatusResponse } from '@plantwire/protocol';
import { CredentialsError } from '@plantwire/runtime';
import { ApiHttpError } from '../api-error.js';
import { requireAuth } from '../auth/require-auth.js';
import type { ServerContext } from '../server-context.js';
import { objectBody } from './flows-routes.js';

/**
 * `GET/PUT /api/credentials/:connectionId`: write-only. A response says which fields are "set" or
 * "not set", never a value; values go straight to the runtime's encrypted store.
 */
export function credentialsRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();

  const typeOf = (id: string, given: unknown): string => {
    const deployed = ctx.runtime.document?.connections?.find((c) => c.id === id)?.type;
    const type = deployed ?? (typeof given === 'string' ? given : undefined);
    if (type === undefined) throw new ApiHttpError('NOT_FOUND', `credentials: no connection "${id}" in the running flow; name its type (?type= or {type}) for one not deployed yet`);
    if (!ctx.registry.connection(type)) throw new ApiHttpError('NOT_FOUND', `credentials: unknown connection type "${type}" for connection "${id}"`);
    return type;
  };

  const status = async (id: string, type: string): Promise<CredentialsStatusResponse> => {
    const stored = new Set(await ctx.runtime.credentials.has(id));
    const connectionType = ctx.registry.connection(type);
    const declared = connectionType ? toConnectionManifest(connectionType).credentialFields : [];
    const fields: Record<string, 'set' | 'not set'> = {};
    for (const name of new Set([...declared, ...stored])) fields[name] = stored.has(name) ? 'set' : 'not set';
    return { connectionId: id, fields };
  };

  router.get(API_ROUTES.credentials, requireAuth(ctx, 'editor'), async (req, res) => {
    const id = String(req.params['connectionId']);
    res.json(await status(id, typeOf(id, req.query['type'])));
  });

  router.put(API_ROUTES.credentials, requireAuth(ctx, 'editor'), async (req, res) => {
    const id = String(req.params['connectionId']);
    const body = objectBody(req.body, `PUT /api/credentials/${id}`);
    const values = body['values'];
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new ApiHttpError('BAD_REQUEST', 'credentials: "values" must be an object of field values', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.values', message: 'expected an object' }] });
    }
    const type = typeOf(id, body['type']);
    try {
      await ctx.runtime.credentials.set(id, values as Record<string, unknown>, { type });
    } catch (err) {
      if (err instanceof CredentialsError && err.code === 'CREDENTIALS_INVALID') {
        throw new ApiHttpError('BAD_REQUEST', err.message, { issues: [{ severity: 'error', code: 'CREDENTIALS_INVALID', path: '$.values', message: err.message, nodeId: id }] });
      }
      throw err;
    }
    ctx.logger.info('credentials set', { connectionId: id, fields: Object.keys(values) });
    res.json(await status(id, type));
  });

  return router;
}
