export * from './test-node.js';
export * from './run-flow.js';
export * from './fault-proxy.js';
export * from './wait-for.js';
