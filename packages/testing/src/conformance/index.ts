// A subpath of its own (`@plantwire/testing/conformance`): the suite registers vitest tests, so it
// imports vitest, which code that only needs testNode or runFlow should not load.
export * from './source-sink-conformance.js';
export * from './tcp-proxy.js';
