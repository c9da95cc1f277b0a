import { gradBuffer, needsGrad, record } from '../autograd/index.js';
import { backend } from '../kernels/index.js';
import type { ReduceOp } from '../kernels/index.js';
import { Tensor, allocate, requireTensor, shapeSize } from '../tensor/index.js';
import { ValueError, formatShape } from '../util/errors.js';
import { scale } from './elementwise.js';

export interface ReduceOptions {
  /** Keep the reduced axis as size 1 (so the result broadcasts against the input). Default false. */
  keepDims?: boolean;
}

function normaliseAxis(where: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ValueError(`${where}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Splits the shape around `axis` into [outer, length, inner], the kernels' reduction view. */
function view(shape: readonly number[], axis: number): [number, number, number] {
  return [shapeSize(shape.slice(0, axis)), shape[axis], shapeSize(shape.slice(axis + 1))];
}

function reducedShape(shape: readonly number[], axis: number, keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

function reduceAlong(op: ReduceOp, where: string, x: Tensor, axis: number | undefined, options: ReduceOptions): Tensor {
  requireTensor(where, 'input', x);
  if (axis === undefined) {
    // Over all elements: view as [1, size, 1].
    const flat = new Tensor(x.data, [x.size]);
    if (x.size === 0 && op !== 'sum') throw new ValueError(`${where}: cannot reduce an empty tensor`);
    const result = reduceAxis(op, x, flat.shape, 0, options.keepDims ? x.shape.map(() => 1) : []);
    return result;
  }
  const a = normaliseAxis(where, axis, x.rank);
  if (x.shape[a] === 0 && op !== 'sum') throw new ValueError(`${where}: cannot reduce axis ${axis} of size 0 (shape ${formatShape(x.shape)})`);
  return reduceAxis(op, x, x.shape, a, reducedShape(x.shape, a, options.keepDims ?? false));
}

function reduceAxis(op: ReduceOp, x: Tensor, shape: readonly number[], axis: number, outShape: number[]): Tensor {
  const [outer, length, inner] = view(shape, axis);
  const out = new Tensor(allocate(x.dtype, outer * inner), outShape);
  backend().reduce(op, x.data, outer, length, inner, out.data, false);
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => {
      const gradX = gradBuffer(x)!;
      if (op === 'sum') {
        // ∂(Σⱼ xⱼ)/∂xⱼ = 1: the upstream gradient is copied along the reduced axis.
        backend().binary('add', gradX, [outer, length, inner], gradOut, [outer, 1, inner], gradX, [outer, length, inner]);
        return;
      }
      // max/min: the gradient goes to the first element attaining the extreme (as PyTorch's max(dim)).
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const target = out.data[o * inner + i];
          for (let j = 0; j < length; j++) {
            const index = (o * length + j) * inner + i;
            if (x.data[index] === target || (Number.isNaN(target) && Number.isNaN(x.data[index]))) {
              gradX[index] += gradOut[o * inner + i];
              break;
            }
          }
        }
    });
  }
  return out;
}

/** Σ over `axis` (all elements when omitted). */
export function sum(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return reduceAlong('sum', 'sum', x, axis, options);
}

/** Arithmetic mean over `axis` (all elements when omitted). */
export function mean(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  requireTensor('mean', 'input', x);
  const count = axis === undefined ? x.size : x.shape[normaliseAxis('mean', axis, x.rank)];
  if (count === 0) throw new ValueError(`mean: cannot average over zero elements (shape ${formatShape(x.shape)}, axis ${axis})`);
  const total = reduceAlong('sum', 'mean', x, axis, options);
  return scale(total, 1 / count);
}

/** Maximum over `axis` (all elements when omitted); NaN propagates. */
export function max(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return reduceAlong('max', 'max', x, axis, options);
}

/** Minimum over `axis` (all elements when omitted); NaN propagates. */
export function min(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return reduceAlong('min', 'min', x, axis, options);
}

/** Index of the largest value along the last axis of a [rows, cols] tensor (first one at ties). */
export function argmax(x: Tensor): Int32Array {
  if (x.rank !== 2 && x.rank !== 1) throw new ValueError(`argmax: expected a tensor of rank 1 or 2, got shape ${formatShape(x.shape)}`);
  const cols = x.shape[x.rank - 1];
  const rows = x.rank === 2 ? x.shape[0] : 1;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x.data[r * cols + c] > x.data[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}
