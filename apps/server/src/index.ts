export { createPlantwireServer, ServerConfigError } from './create-plantwire-server.js';
export type { PlantwireServer, PlantwireServerOptions, ServerLogger, ServerUser } from './server-options.js';
export { hashPassword, verifyPassword, parsePasswordHash } from './auth/password-hash.js';
export { renderPrometheus } from './render-prometheus.js';
export { isLoopback } from './http/is-allowed-host.js';
