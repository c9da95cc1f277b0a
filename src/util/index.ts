export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { BackpropError, ShapeError, ValueError, formatShape, formatValue, check, checkNumber, checkKnownKeys } from './errors.js';
