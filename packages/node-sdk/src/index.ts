export * from './connection-ref.js';
export * from './define-connection.js';
export * from './define-node.js';
export * from './errors.js';
export { jsonValue, type ZodJsonValue } from './json-value.js';
export * from './manifest.js';
export * from './message.js';
export * from './registry.js';
export { findMeta, schemaMentions, type ConfigPath, type MetaHit } from './schema-walk.js';
