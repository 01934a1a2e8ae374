export * from './test-node.js';
