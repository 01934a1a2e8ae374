export * from './define-node.js';
export * from './errors.js';
export * from './manifest.js';
export * from './message.js';
export * from './registry.js';
