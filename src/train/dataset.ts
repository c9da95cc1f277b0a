import type { Matrix } from '../data/index.js';
import { Tensor } from '../tensor/index.js';
import { ShapeError } from '../util/errors.js';
import type { Dataset } from './types.js';

/**
 * Wraps the data layer's row-major matrices as a training data set without copying: x becomes a
 * [rows, columns] tensor over the same Float32Array; integer labels stay an Int32Array; numeric
 * targets become a [rows, outputs] tensor (a flat array is one output per row).
 */
export function toDataset(x: Matrix, y: Int32Array | Float32Array | Matrix): Dataset {
  const features = new Tensor(x.data, [x.rows, x.columns]);
  if (y instanceof Int32Array) {
    if (y.length !== x.rows) throw new ShapeError(`toDataset: ${x.rows} rows of x but ${y.length} labels`);
    return { x: features, y };
  }
  const targets = y instanceof Float32Array ? new Tensor(y, [y.length, 1]) : new Tensor(y.data, [y.rows, y.columns]);
  if (targets.shape[0] !== x.rows) throw new ShapeError(`toDataset: ${x.rows} rows of x but ${targets.shape[0]} target rows`);
  return { x: features, y: targets };
}
