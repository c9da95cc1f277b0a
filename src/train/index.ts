export * from './metrics.js';
export * from './diagnostics.js';
