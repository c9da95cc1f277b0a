/**
 * Feature scaling, fitted on training rows only and stored as plain JSON with the model.
 * Every method is the affine map  x' = (x − offset) / scale  per column:
 *
 * - `standard`: offset = mean, scale = population standard deviation √(Σ(x − mean)² / n),
 *   or 1 when that is 0 (a constant column becomes 0 rather than NaN);
 * - `minmax`: offset = min, scale = max − min (or 1 when 0), mapping the training range to [0, 1];
 * - `none`: offset 0, scale 1.
 *
 * Columns marked false in `columns` (e.g. one-hot columns, see `numericColumnMask`) keep offset 0
 * and scale 1 whatever the method. Statistics are accumulated in float64.
 */
import { ShapeError, ValueError, formatValue } from '../util/errors.js';
import type { Matrix } from './table.js';

export type ScaleMethod = 'standard' | 'minmax' | 'none';

export const SCALE_METHODS: readonly ScaleMethod[] = ['standard', 'minmax', 'none'];

export interface Scaler {
  format: 'backprop-scaler';
  version: 1;
  method: ScaleMethod;
  /** Subtracted from column j. */
  offset: number[];
  /** Column j is divided by this after the offset; never 0. */
  scale: number[];
}

export interface FitScalerOptions {
  /** The training rows (indices into the matrix); default every row. Must not be empty. */
  rows?: ArrayLike<number>;
  /** columns[j] false leaves column j unscaled; default every column scaled. */
  columns?: readonly boolean[];
}

/** Fits a scaler of the given method to the chosen rows of a matrix (see the module comment). */
export function fitScaler(matrix: Matrix, method: ScaleMethod, options: FitScalerOptions = {}): Scaler {
  if (!SCALE_METHODS.includes(method)) {
    throw new ValueError(`fitScaler: method must be one of ${SCALE_METHODS.join(', ')}, got ${formatValue(method)}`);
  }
  const { columns: width, data } = matrix;
  const rows = options.rows ?? Int32Array.from({ length: matrix.rows }, (_, i) => i);
  const scaled = options.columns ?? new Array<boolean>(width).fill(true);
  if (scaled.length !== width) throw new ShapeError(`fitScaler: columns mask has ${scaled.length} entries but the matrix has ${width} columns`);
  if (rows.length === 0 && method !== 'none') throw new ValueError('fitScaler: rows must not be empty, got 0 rows');
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    if (!(Number.isInteger(i) && i >= 0 && i < matrix.rows)) throw new ValueError(`fitScaler: row index must be an integer in [0, ${matrix.rows}), got ${i}`);
  }
  const offset = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(1);
  for (let j = 0; j < width; j++) {
    if (!scaled[j] || method === 'none') continue;
    if (method === 'standard') {
      let sum = 0;
      for (let k = 0; k < rows.length; k++) sum += data[rows[k] * width + j];
      const mean = sum / rows.length;
      let squares = 0;
      for (let k = 0; k < rows.length; k++) squares += (data[rows[k] * width + j] - mean) ** 2;
      const std = Math.sqrt(squares / rows.length);
      offset[j] = mean;
      scale[j] = std > 0 ? std : 1;
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (let k = 0; k < rows.length; k++) {
        const value = data[rows[k] * width + j];
        if (value < min) min = value;
        if (value > max) max = value;
      }
      offset[j] = min;
      scale[j] = max > min ? max - min : 1;
    }
  }
  return { format: 'backprop-scaler', version: 1, method, offset, scale };
}

/** x' = (x − offset) / scale for every row; a new matrix unless `inPlace`. */
export function applyScaler(scaler: Scaler, matrix: Matrix, { inPlace = false }: { inPlace?: boolean } = {}): Matrix {
  return mapColumns('applyScaler', scaler, matrix, inPlace, (value, j) => (value - scaler.offset[j]) / scaler.scale[j]);
}

/** x = x' · scale + offset, undoing applyScaler (e.g. for predictions of a scaled regression target). */
export function invertScaler(scaler: Scaler, matrix: Matrix, { inPlace = false }: { inPlace?: boolean } = {}): Matrix {
  return mapColumns('invertScaler', scaler, matrix, inPlace, (value, j) => value * scaler.scale[j] + scaler.offset[j]);
}

function mapColumns(where: string, scaler: Scaler, matrix: Matrix, inPlace: boolean, map: (value: number, column: number) => number): Matrix {
  const width = matrix.columns;
  if (scaler.offset.length !== width) throw new ShapeError(`${where}: the scaler was fitted on ${scaler.offset.length} columns but the matrix has ${width}`);
  const source = matrix.data;
  const out = inPlace ? source : new Float32Array(source.length);
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < width; j++) out[i * width + j] = map(source[i * width + j], j);
  }
  return inPlace ? matrix : { data: out, rows: matrix.rows, columns: width };
}
