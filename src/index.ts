/**
 * backprop: neural networks trained by backpropagation.
 * The public API; see docs/architecture.md for how the pieces fit.
 */
export * from './util/index.js';
export * from './kernels/index.js';
export * from './tensor/index.js';
export * from './autograd/index.js';
export * from './ops/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './data/index.js';
export * from './train/index.js';
export * from './io/index.js';
