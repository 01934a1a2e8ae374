import type { Express, NextFunction, Request, Response } from 'express';
import { parseDocumentText } from '@plantwire/flow';
import type { ApiError } from '@plantwire/protocol';
import { ApiHttpError } from './api-error.js';
import { editorStatic } from './http/editor-static.js';
import { isAllowedHost } from './http/is-allowed-host.js';
import { auditRoutes } from './routes/audit-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { connectionsRoutes } from './routes/connections-routes.js';
import { credentialsRoutes } from './routes/credentials-routes.js';
import { flowsRoutes } from './routes/flows-routes.js';
import { nodeTypesRoute } from './routes/node-types-route.js';
import { nodesRoutes } from './routes/nodes-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import type { ServerContext } from './server-context.js';

export interface AppOptions {
  readonly bodyLimit: number;
  readonly editorDir: string | undefined;
  /** Host names a request may name (DNS-rebinding guard); undefined: any. */
  readonly allowedHosts: readonly string[] | undefined;
}

/** The express app: `/api`, `/health`, `/metrics`, the editor's files; errors as {@link ApiError}. */
export function createApp(ctx: ServerContext, options: AppOptions): Express {
  const { express } = ctx.http;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('X-Frame-Options', 'DENY');
    res.set('Referrer-Policy', 'no-referrer');
    // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) names that
    // site in Host; only our own names are answered.
    if (options.allowedHosts !== undefined && !isAllowedHost(req.headers.host, options.allowedHosts)) {
      next(new ApiHttpError('FORBIDDEN', `requests must name this server's host (${options.allowedHosts.join(', ')}), not "${req.headers.host ?? ''}"`));
      return;
    }
    next();
  });

  app.use('/api', (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    // JSON only: this also makes a cross-site form post (text/plain, no preflight) fail here.
    if (hasBody && !req.is('application/json')) {
      next(new ApiHttpError('UNSUPPORTED_MEDIA_TYPE', `${req.method} ${req.originalUrl}: the body must be JSON (Content-Type: application/json), got "${req.headers['content-type'] ?? 'none'}"`));
      return;
    }
    next();
  });
  app.use('/api', express.json({ limit: options.bodyLimit, strict: true }));

  app.use(authRoutes(ctx));
  app.use(flowsRoutes(ctx));
  app.use(nodeTypesRoute(ctx));
  app.use(nodesRoutes(ctx));
  app.use(connectionsRoutes(ctx));
  app.use(credentialsRoutes(ctx));
  app.use(opsRoutes(ctx));
  app.use(auditRoutes(ctx));
  app.use('/api', (req: Request, _res: Response, next: NextFunction) => {
    next(new ApiHttpError('NOT_FOUND', `no API route ${req.method} ${req.originalUrl.split('?')[0]} (docs/api.md lists them)`));
  });
  app.use(editorStatic(options.editorDir, ctx.http));
  app.use((req: Request, res: Response) => {
    res.status(404).type('text/plain').send(`Not found: ${req.path}\n`);
  });

  // Four arguments: express's error handler signature. Never a stack trace, never an HTML error page.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toApiError(err, options.bodyLimit);
    if (error.status >= 500) ctx.logger.error('request failed', { method: req.method, path: req.path, code: error.code, error: err instanceof Error ? err.message : String(err) });
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(error.headers)) res.set(name, value);
    const body: ApiError = { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) };
    if (req.path.startsWith('/api/') || req.path === '/api' || req.path === '/metrics' || req.path === '/health' || req.accepts(['json', 'html']) === 'json') {
      res.status(error.status).json(body);
    } else {
      res.status(error.status).type('text/plain').send(`${error.code}: ${error.message}\n`);
    }
  });
  return app;
}


/** body-parser's errors carry `type` and `status`; everything else unknown is INTERNAL. */
function toApiError(err: unknown, bodyLimit: number): ApiHttpError {
  if (err instanceof ApiHttpError) return err;
  const e = err as { type?: unknown; status?: unknown; body?: unknown; message?: unknown };
  if (e?.type === 'entity.too.large') return new ApiHttpError('PAYLOAD_TOO_LARGE', `the request body is larger than the limit of ${bodyLimit} bytes`);
  if (e?.type === 'entity.parse.failed') {
    const parsed = typeof e.body === 'string' ? parseDocumentText(e.body) : undefined;
    const message = parsed && !parsed.ok ? parsed.issue.message : 'invalid JSON';
    return new ApiHttpError('BAD_REQUEST', `the request body is not valid JSON: ${message}`, { issues: [{ severity: 'error', code: 'INVALID_JSON', path: '$', message }] });
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new ApiHttpError('BAD_REQUEST', `bad request: ${String(e.message ?? 'unreadable body')}`);
  return new ApiHttpError('INTERNAL', `the server failed while handling the request: ${err instanceof Error ? err.message : String(err)}`);
}
