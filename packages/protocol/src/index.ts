export * from './manifests.js';
export * from './rest.js';
export * from './socket.js';
