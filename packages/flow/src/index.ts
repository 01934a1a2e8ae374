export * from './document.js';
export * from './issues.js';
