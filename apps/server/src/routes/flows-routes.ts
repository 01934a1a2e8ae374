import type { Router } from 'express';
import { parseDocumentText, validate, type FlowDocument, type ValidationIssue } from '@plantwire/flow';
import { API_ROUTES, type DeployAuditEntry, type DeployResponse, type FlowsResponse, type ImportResponse, type ValidateResponse } from '@plantwire/protocol';
import { ApiHttpError } from '../api-error.js';
import { privilegedChanges, type PrivilegedChange } from '../audit/privileged-changes.js';
import { requireAuth, sessionOf } from '../auth/require-auth.js';
import type { Session } from '../auth/session-store.js';
import { revisionOf, textOf } from '../flow-store.js';
import { errorsOf, ROLE_RANK, withDocumentEnv, type ServerContext } from '../server-context.js';

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
    const task = deploying.then(() => deploy(ctx, body['document'], body['revision'] as string, sessionOf(res)));
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

/** One deploy: checked, elevated if it touches device writers, run, saved, and written to the audit log whatever the outcome. */
async function deploy(ctx: ServerContext, document: unknown, revision: string, session: Session | undefined): Promise<DeployResponse> {
  const user = session?.user ?? 'anonymous';
  const before = ctx.store.current().revision;
  let privileged: PrivilegedChange[] = [];
  const record = (fields: { result: DeployAuditEntry['result']; message?: string; after?: DeployResponse }) =>
    ctx.audit.append({
      kind: 'deploy',
      time: new Date().toISOString(),
      user,
      ...(session ? { role: session.role } : {}),
      revisionBefore: before,
      ...(fields.after ? { revisionAfter: fields.after.revision } : {}),
      started: fields.after?.started.length ?? 0,
      stopped: fields.after?.stopped.length ?? 0,
      restarted: fields.after?.restarted.length ?? 0,
      privilegedNodes: privileged.map((p) => p.nodeId),
      result: fields.result,
      ...(fields.message === undefined ? {} : { message: fields.message }),
    });
  try {
    const checked = check(ctx, document);
    if (!checked.ok || !checked.document) throw invalid(checked.issues);
    const current = ctx.store.current();
    if (revision !== current.revision) {
      throw new ApiHttpError('REVISION_CONFLICT', `the flows changed since revision ${revision} (now ${current.revision}); reload them, reapply your edits and deploy again`);
    }
    privileged = privilegedChanges(ctx.runtime.document, checked.document, ctx.registry);
    const needed = ctx.privilegedDeployRole;
    if (needed !== undefined && session !== undefined && privileged.length > 0 && ROLE_RANK[session.role] < ROLE_RANK[needed]) {
      throw new ApiHttpError('FORBIDDEN', `deploying node(s) that write to devices needs the ${needed} role; user "${user}" is ${session.role}: ${privileged.map((p) => `${p.nodeId} (${p.reason})`).join('; ')}`, {
        issues: privileged.map((p) => ({ severity: 'error', code: 'ELEVATION_REQUIRED', nodeId: p.nodeId, path: `$.nodes[${checked.document!.nodes.findIndex((n) => n.id === p.nodeId)}]`, message: p.reason })),
      });
    }
    const stored = storedForm(ctx, document) ?? (document as FlowDocument);
    const previous = { ...ctx.running };
    // Writes made while the new nodes start already belong to this deploy.
    Object.assign(ctx.running, { user, revision: revisionOf(textOf(stored)) });
    const result = await ctx.runtime.deploy(withDocumentEnv(document, ctx.documentEnv));
    if (!result.ok) {
      Object.assign(ctx.running, previous);
      throw invalid(result.issues);
    }
    let saved;
    try {
      saved = await ctx.store.save(stored);
    } catch (err) {
      ctx.logger.error('deployed, but flows.json could not be written', { error: (err as Error).message });
      throw new ApiHttpError('INTERNAL', `the flow was deployed and is running, but saving it failed: ${(err as Error).message}`);
    }
    ctx.running.revision = saved.revision;
    const response: DeployResponse = {
      revision: saved.revision,
      started: result.started,
      stopped: result.stopped,
      restarted: result.restarted,
      unchanged: result.unchanged,
      warnings: result.warnings,
    };
    await record({ result: 'ok', after: response });
    ctx.logger.info('flows deployed', { user, revision: saved.revision, started: result.started.length, stopped: result.stopped.length, restarted: result.restarted.length });
    ctx.broadcastDeployed(response);
    return response;
  } catch (err) {
    const code = err instanceof ApiHttpError ? err.code : 'INTERNAL';
    await record({ result: code, message: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

function invalid(issues: readonly ValidationIssue[]): ApiHttpError {
  const errors = errorsOf(issues);
  const first = errors[0];
  const where = first ? ` (first: ${first.nodeId ? `node ${first.nodeId} ` : ''}${first.path}: ${first.message})` : '';
  return new ApiHttpError('FLOW_INVALID', `the flow document has ${errors.length} error(s); nothing was deployed${where}`, { issues });
}
