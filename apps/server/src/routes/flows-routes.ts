import type { Router } from 'express';
import { parseDocumentText, validate, type FlowDocument, type ValidationIssue } from '@plantwire/flow';
import { API_ROUTES, type DeployResponse, type FlowsResponse, type ImportResponse, type ValidateResponse } from '@plantwire/protocol';
import { ApiHttpError } from '../api-error.js';
import { requireAuth } from '../auth/require-auth.js';
import { errorsOf, withDocumentEnv, type ServerContext } from '../server-context.js';

/** The body of a JSON request as an object, or 400 naming what was expected. */
export function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiHttpError('BAD_REQUEST', `${what}: the body must be a JSON object`, { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$', message: 'expected a JSON object' }] });
  return body as Record<string, unknown>;
}

/** Validate as the runtime would deploy: with the server's env overlay and the known types. */
function check(ctx: ServerContext, document: unknown) {
  return validate(withDocumentEnv(document, ctx.documentEnv), { nodeTypes: (type) => ctx.registry.info(type), env: ctx.env });
}

/**
 * The document as stored: migrated and validated, but without the env overlay (which belongs to
 * this server's run, not to the user's flow).
 */
function storedForm(ctx: ServerContext, document: unknown): FlowDocument | undefined {
  return validate(document, { nodeTypes: (type) => ctx.registry.info(type), env: { ...ctx.env, ...ctx.documentEnv } }).document;
}

/** `/api/flows`, `/api/flows/validate`, `/api/flows/export`, `/api/flows/import`. */
export function flowsRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();
  // One deploy at a time: the revision check and the deploy must not interleave.
  let deploying: Promise<unknown> = Promise.resolve();

  router.get(API_ROUTES.flows, requireAuth(ctx), (_req, res) => {
    const { document, revision } = ctx.store.current();
    res.json({ document: document as FlowDocument, revision } satisfies FlowsResponse);
  });

  router.put(API_ROUTES.flows, requireAuth(ctx, 'editor'), async (req, res) => {
    const body = objectBody(req.body, 'PUT /api/flows');
    if (typeof body['revision'] !== 'string') throw new ApiHttpError('BAD_REQUEST', 'PUT /api/flows needs {document, revision}: "revision" (a string from GET /api/flows) is missing', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.revision', message: 'expected the revision string from GET /api/flows' }] });
    if (!('document' in body)) throw new ApiHttpError('BAD_REQUEST', 'PUT /api/flows needs {document, revision}: "document" is missing', { issues: [{ severity: 'error', code: 'BAD_REQUEST', path: '$.document', message: 'expected the flow document' }] });
    const task = deploying.then(() => deploy(ctx, body['document'], body['revision'] as string));
    deploying = task.catch(() => {});
    res.json(await task);
  });

  router.post(API_ROUTES.validate, requireAuth(ctx), (req, res) => {
    const body = objectBody(req.body, 'POST /api/flows/validate');
    // `{document}` or the document itself.
    const document = 'document' in body && !('nodes' in body) ? body['document'] : body;
    res.json({ issues: check(ctx, document).issues } satisfies ValidateResponse);
  });

  router.get(API_ROUTES.exportFlows, requireAuth(ctx), (_req, res) => {
    const { text, revision } = ctx.store.current();
    res.set('Content-Type', 'application/json; charset=utf-8');
    res.set('Content-Disposition', 'attachment; filename="flows.json"');
    res.set('ETag', `"${revision}"`);
    res.send(text);
  });

  router.post(API_ROUTES.importFlows, requireAuth(ctx, 'editor'), (req, res) => {
    const body = objectBody(req.body, 'POST /api/flows/import');
    let raw: unknown;
    if (typeof body['text'] === 'string') {
      const parsed = parseDocumentText(body['text']);
      if (!parsed.ok) throw new ApiHttpError('FLOW_INVALID', `import: ${parsed.issue.message}`, { issues: [parsed.issue] });
      raw = parsed.value;
    } else if ('document' in body && !('nodes' in body)) raw = body['document'];
    else raw = body;
    const result = check(ctx, raw);
    const document = storedForm(ctx, raw);
    if (!document) throw new ApiHttpError('FLOW_INVALID', `import: not a flow document (${errorsOf(result.issues).length} error(s))`, { issues: result.issues });
    res.json({ document, issues: result.issues } satisfies ImportResponse);
  });

  return router;
}

async function deploy(ctx: ServerContext, document: unknown, revision: string): Promise<DeployResponse> {
  const checked = check(ctx, document);
  if (!checked.ok) throw invalid(checked.issues);
  const current = ctx.store.current();
  if (revision !== current.revision) {
    throw new ApiHttpError('REVISION_CONFLICT', `the flows changed since revision ${revision} (now ${current.revision}); reload them, reapply your edits and deploy again`);
  }
  const result = await ctx.runtime.deploy(withDocumentEnv(document, ctx.documentEnv));
  if (!result.ok) throw invalid(result.issues);
  const stored = storedForm(ctx, document) ?? (document as FlowDocument);
  let saved;
  try {
    saved = await ctx.store.save(stored);
  } catch (err) {
    ctx.logger.error('deployed, but flows.json could not be written', { error: (err as Error).message });
    throw new ApiHttpError('INTERNAL', `the flow was deployed and is running, but saving it failed: ${(err as Error).message}`);
  }
  const response: DeployResponse = {
    revision: saved.revision,
    started: result.started,
    stopped: result.stopped,
    restarted: result.restarted,
    unchanged: result.unchanged,
    warnings: result.warnings,
  };
  ctx.logger.info('flows deployed', { revision: saved.revision, started: result.started.length, stopped: result.stopped.length, restarted: result.restarted.length });
  ctx.broadcastDeployed(response);
  return response;
}

function invalid(issues: readonly ValidationIssue[]): ApiHttpError {
  const errors = errorsOf(issues);
  const first = errors[0];
  const where = first ? ` (first: ${first.nodeId ? `node ${first.nodeId} ` : ''}${first.path}: ${first.message})` : '';
  return new ApiHttpError('FLOW_INVALID', `the flow document has ${errors.length} error(s); nothing was deployed${where}`, { issues });
}
