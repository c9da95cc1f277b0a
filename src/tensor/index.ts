export { Tensor, shapeSize, allocate, installBackward, requireTensor } from './tensor.js';
export type { NestedArray, TensorOptions, BackwardFn } from './tensor.js';
export { tensor, zeros, ones, full, zerosLike, uniform, normal, arange, oneHot } from './create.js';
