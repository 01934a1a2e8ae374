export * from './test-node.js';
export * from './run-flow.js';
