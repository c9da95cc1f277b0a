export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './shape.js';
export * from './activations.js';
export * from './losses.js';
export { broadcastShapes } from './broadcast.js';
