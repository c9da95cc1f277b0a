import { noGrad } from '../autograd/index.js';
import type { Matrix } from '../data/index.js';
import type { FloatArray } from '../kernels/index.js';
import { gatherRows } from '../ops/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { ShapeError, ValueError, formatValue } from '../util/errors.js';
import type { Targets } from './losses.js';
import type { Dataset } from './types.js';

/**
 * Wraps the data layer's row-major matrices as a training data set without copying: x becomes a
 * [rows, columns] tensor over the same Float32Array; integer labels stay an Int32Array; numeric
 * targets become a [rows, outputs] tensor (a flat array is one output per row).
 */
export function toDataset(x: Matrix, y: Int32Array): Dataset<Int32Array>;
export function toDataset(x: Matrix, y: Float32Array | Matrix): Dataset<Tensor>;
export function toDataset(x: Matrix, y: Int32Array | Float32Array | Matrix): Dataset;
export function toDataset(x: Matrix, y: Int32Array | Float32Array | Matrix): Dataset {
  checkMatrix('x', x);
  if (!(y instanceof Int32Array) && !(y instanceof Float32Array)) checkMatrix('y', y);
  const features = new Tensor(x.data, [x.rows, x.columns]);
  if (y instanceof Int32Array) {
    if (y.length !== x.rows) throw new ShapeError(`toDataset: ${x.rows} rows of x but ${y.length} labels`);
    return { x: features, y };
  }
  const targets = y instanceof Float32Array ? new Tensor(y, [y.length, 1]) : new Tensor(y.data, [y.rows, y.columns]);
  if (targets.shape[0] !== x.rows) throw new ShapeError(`toDataset: ${x.rows} rows of x but ${targets.shape[0]} target rows`);
  return { x: features, y: targets };
}

/** Refuses anything but a data-layer matrix: a Float32Array of rows × columns numbers (arrays of rows are to be wrapped as tensors). */
function checkMatrix(name: string, m: unknown): void {
  const { data, rows, columns } = (m ?? {}) as Partial<Matrix>;
  if (!(data instanceof Float32Array) || !Number.isInteger(rows) || !Number.isInteger(columns) || rows! < 0 || columns! < 0 || data.length !== rows! * columns!) {
    const what = name === 'y' ? 'an Int32Array of labels, a Float32Array of targets or a matrix' : 'a matrix';
    throw new ValueError(`toDataset: ${name} must be ${what} { data: Float32Array, rows, columns } with data.length = rows × columns (as encodeTable and the data-set makers give), got ${Array.isArray(m) ? 'an array (for arrays of rows use { x: tensor(rows), y: … } directly)' : formatValue(m)}`);
  }
}

/** Picks rows of a data set (a copy; used once for the validation split, never per step). */
export function subset(data: Dataset, rows: Int32Array): Dataset {
  return { x: noGrad(() => gatherRows(data.x, rows)), y: data.y instanceof Tensor ? noGrad(() => gatherRows(data.y as Tensor, rows)) : Int32Array.from(rows, (r) => (data.y as Int32Array)[r]) };
}

/** A batch's inputs and targets, in buffers allocated once and refilled by `fillBatch` every step. */
export interface Batch {
  x: Tensor;
  y: Targets;
  size: number;
}

/** Buffers for batches of `size` rows of `data`. */
export function makeBatch(data: Dataset, size: number): Batch {
  const features = data.x.shape[1];
  const x = new Tensor(allocate(data.x.dtype, size * features), [size, features]);
  const source = data.y;
  const y = source instanceof Tensor ? new Tensor(allocate(source.dtype, size * (source.size / source.shape[0])), [size, ...source.shape.slice(1)]) : new Int32Array(size);
  return { x, y, size };
}

/** Copies the rows order[start..start+size) of `data` into the batch buffers (no allocation, not even views). */
export function fillBatch(data: Dataset, batch: Batch, order: Int32Array, start: number): void {
  copyRows(data.x.data, data.x.shape[1], order, start, batch.size, batch.x.data);
  const source = data.y;
  if (source instanceof Tensor) {
    copyRows(source.data, source.size / source.shape[0], order, start, batch.size, (batch.y as Tensor).data);
  } else {
    const labels = batch.y as Int32Array;
    for (let i = 0; i < batch.size; i++) labels[i] = source[order[start + i]];
  }
}

function copyRows(source: FloatArray, width: number, order: Int32Array, start: number, count: number, target: FloatArray): void {
  for (let i = 0; i < count; i++) {
    const from = order[start + i] * width;
    const to = i * width;
    // A wide row is one memcpy (the view costs less than the element loop beyond a few dozen).
    if (width >= 64) target.set(source.subarray(from, from + width), to);
    else for (let j = 0; j < width; j++) target[to + j] = source[from + j];
  }
}
