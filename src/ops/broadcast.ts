import { backend } from '../kernels/index.js';
import type { FloatArray } from '../kernels/index.js';
import { allocate, shapeSize } from '../tensor/index.js';
import type { DType } from '../kernels/index.js';
import { ShapeError, formatShape } from '../util/errors.js';

/**
 * The shape two operands broadcast to (NumPy rules): shapes are right-aligned; on each axis the
 * sizes must be equal or one of them 1. Throws a ShapeError naming the operation and both shapes.
 */
export function broadcastShapes(where: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${where}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast: axis ${i - rank} has sizes ${da} and ${db}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** `shape` left-padded with ones to `rank` axes. */
export function padShape(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

/**
 * Adds `gradient` (of shape `outShape`) into `target` (of shape `targetShape`, which broadcast to
 * outShape), summing over the broadcast axes: the backward pass of broadcasting.
 */
export function accumulateReduced(gradient: FloatArray, outShape: readonly number[], target: FloatArray, targetShape: readonly number[], dtype: DType): void {
  const kernels = backend();
  const padded = padShape(targetShape, outShape.length);
  if (target.length === gradient.length) {
    kernels.binary('add', target, outShape, gradient, outShape, target, outShape);
    return;
  }
  // A target made of leading ones then the trailing axes (bias over a batch): one reduction.
  let lead = 0;
  while (lead < padded.length && padded[lead] === 1) lead++;
  let trailing = true;
  for (let i = lead; i < padded.length; i++) if (padded[i] !== outShape[i]) trailing = false;
  if (trailing) {
    kernels.reduce('sum', gradient, 1, gradient.length / Math.max(target.length, 1), target.length, target, true);
    return;
  }
  // General case: reduce one broadcast axis at a time, keeping it as size 1.
  let current = gradient;
  const currentShape = outShape.slice();
  for (let axis = 0; axis < outShape.length; axis++) {
    if (padded[axis] !== 1 || currentShape[axis] === 1) continue;
    const outer = shapeSize(currentShape.slice(0, axis));
    const length = currentShape[axis];
    const inner = shapeSize(currentShape.slice(axis + 1));
    const reduced = allocate(dtype, outer * inner);
    kernels.reduce('sum', current, outer, length, inner, reduced, false);
    current = reduced;
    currentShape[axis] = 1;
  }
  kernels.binary('add', target, padded, current, currentShape, target, padded);
}
