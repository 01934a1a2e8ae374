import type { Router } from 'express';
import { requireAuth } from '../auth/require-auth.js';
import { renderPrometheus } from '../render-prometheus.js';
import type { ServerContext } from '../server-context.js';

/**
 * `GET /health` (always open: a load balancer has no token; it tells nothing but up or stopping)
 * and `GET /metrics` (Prometheus text; needs a token when auth is on, unless `publicMetrics`).
 */
export function opsRoutes(ctx: ServerContext): Router {
  const router = ctx.http.express.Router();
  router.get('/health', (_req, res) => {
    const status = ctx.state();
    res.set('Cache-Control', 'no-store');
    res.status(status === 'ok' ? 200 : 503).json({ status });
  });
  const metricsAuth = ctx.publicMetrics ? [] : [requireAuth(ctx)];
  router.get('/metrics', ...metricsAuth, (_req, res) => {
    const typeOf = (id: string) => ctx.runtime.document?.nodes.find((n) => n.id === id)?.type;
    res.set('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    res.set('Cache-Control', 'no-store');
    res.send(renderPrometheus(ctx.runtime.metrics(), typeOf, (Date.now() - ctx.startedAt) / 1000));
  });
  return router;
}
