import type { DType, FloatArray } from '../kernels/index.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { NestedArray, Tensor, TensorOptions, allocate, checkShape, shapeSize } from './tensor.js';

function checkDtype(where: string, dtype: unknown): DType {
  if (dtype === undefined) return 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${where}: dtype must be "float32" or "float64", got ${formatValue(dtype)}`);
  return dtype;
}

function make(data: FloatArray, shape: readonly number[], options: TensorOptions): Tensor {
  return new Tensor(data, shape, options.requiresGrad ?? false);
}

/**
 * A tensor from nested arrays ([[1, 2], [3, 4]] has shape [2, 2]), a flat typed array with a shape,
 * or a number (rank 0). Ragged nesting and non-finite-looking non-numbers are rejected.
 */
export function tensor(values: NestedArray | FloatArray | readonly number[], shapeOrOptions?: readonly number[] | TensorOptions, maybeOptions: TensorOptions = {}): Tensor {
  const explicitShape = Array.isArray(shapeOrOptions) ? (shapeOrOptions as readonly number[]) : undefined;
  const options = (Array.isArray(shapeOrOptions) ? maybeOptions : (shapeOrOptions as TensorOptions | undefined)) ?? {};
  if (values instanceof Float32Array || values instanceof Float64Array) {
    const dtype = options.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
    checkDtype('tensor', dtype);
    const shape = explicitShape ? checkShape('tensor', explicitShape) : [values.length];
    const data = (dtype === 'float64') === values instanceof Float64Array ? values : dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    return make(data, shape, options);
  }
  const dtype = checkDtype('tensor', options.dtype);
  const shape = inferShape(values);
  const data = allocate(dtype, shapeSize(shape));
  let offset = 0;
  const fill = (v: NestedArray, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') throw new ValueError(`tensor: element ${path || '(root)'} must be a number, got ${formatValue(v)}`);
      data[offset++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new ShapeError(`tensor: ragged nested array: element ${path || '(root)'} has ${Array.isArray(v) ? `length ${v.length}` : 'no length'}, expected ${shape[axis]}`);
    }
    for (let i = 0; i < v.length; i++) fill(v[i], axis + 1, `${path}[${i}]`);
  };
  fill(values as NestedArray, 0, '');
  const result = make(data, shape, options);
  if (explicitShape) return reshapeData(result, checkShape('tensor', explicitShape), options);
  return result;
}

function reshapeData(t: Tensor, shape: number[], options: TensorOptions): Tensor {
  if (shapeSize(shape) !== t.size) throw new ShapeError(`tensor: ${t.size} values do not fill shape ${formatShape(shape)}`);
  return make(t.data, shape, options);
}

function inferShape(values: NestedArray | readonly number[]): number[] {
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return make(allocate(checkDtype('zeros', options.dtype), shapeSize(checkShape('zeros', shape))), shape, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const data = allocate(checkDtype('full', options.dtype), shapeSize(checkShape('full', shape)));
  data.fill(value);
  return make(data, shape, options);
}

/** Same shape and dtype as `like`, filled with zeros. */
export function zerosLike(like: Tensor, options: TensorOptions = {}): Tensor {
  return zeros(like.shape, { dtype: like.dtype, ...options });
}

/** Independent draws from U[low, high) using `rng`. */
export function uniform(shape: readonly number[], rng: Rng, low = 0, high = 1, options: TensorOptions = {}): Tensor {
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) throw new ValueError(`uniform: need finite low <= high, got low=${low}, high=${high}`);
  const t = zeros(shape, options);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.uniformRange(low, high);
  return t;
}

/** Independent draws from N(mean, std²) using `rng`. */
export function normal(shape: readonly number[], rng: Rng, mean = 0, std = 1, options: TensorOptions = {}): Tensor {
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new ValueError(`normal: need finite mean and std >= 0, got mean=${mean}, std=${std}`);
  const t = zeros(shape, options);
  for (let i = 0; i < t.data.length; i++) t.data[i] = mean + std * rng.normal();
  return t;
}

/** 0, 1, …, n−1 as a float tensor of shape [n]. */
export function arange(n: number, options: TensorOptions = {}): Tensor {
  const t = zeros([n], options);
  for (let i = 0; i < n; i++) t.data[i] = i;
  return t;
}

/** Rows of `labels` (integer class indices in [0, classes)) as one-hot vectors, shape [n, classes]. */
export function oneHot(labels: ArrayLike<number>, classes: number, options: TensorOptions = {}): Tensor {
  const t = zeros([labels.length, classes], options);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new ValueError(`oneHot: label ${i} must be an integer in [0, ${classes}), got ${label}`);
    t.data[i * classes + label] = 1;
  }
  return t;
}
