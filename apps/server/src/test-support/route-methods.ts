// Test support: what the auth tests enumerate. A route the app mounts that is missing here fails
// auth-coverage.test.ts, so a new route cannot escape the "needs a token" check.
import type { API_ROUTES } from '@plantwire/protocol';

/** Every route with each method it answers (from the contract). */
export const METHODS: Readonly<Record<keyof typeof API_ROUTES, readonly string[]>> = {
  flows: ['GET', 'PUT'],
  validate: ['POST'],
  exportFlows: ['GET'],
  importFlows: ['POST'],
  nodeTypes: ['GET'],
  inject: ['POST'],
  testConnection: ['POST'],
  browse: ['GET'],
  credentials: ['GET', 'PUT'],
  auth: ['GET'],
  login: ['POST'],
  logout: ['POST'],
  audit: ['GET'],
};

/** Routes that answer without a token, by design. */
export const OPEN = new Set(['GET /api/auth', 'POST /api/auth/login']);

/** Routes outside `/api`, with their own rule (docs/api.md): /health is open, /metrics needs a token unless `publicMetrics`. */
export const OPS_ROUTES = ['GET /health', 'GET /metrics'];

/** The editor's files (open by design: the page holds no data; it logs in through /api). Without a built editor, `/` says how to build it. */
export const STATIC_ROUTES = ['GET /'];
