import { gradBuffer, gradBufferToOverwrite, needsGrad, record } from '../autograd/index.js';
import { backend } from '../kernels/index.js';
import type { BinaryOp, FloatArray, UnaryOp } from '../kernels/index.js';
import { Tensor, allocate, requireTensor, shapeSize } from '../tensor/index.js';
import { ValueError, formatValue } from '../util/errors.js';
import { accumulateReduced, broadcastShapes } from './broadcast.js';

/** A tensor, or a number that is broadcast as a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

function toTensor(value: TensorLike, like: Tensor, where: string): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== 'number') throw new ValueError(`${where}: operand must be a Tensor or a number, got ${formatValue(value)}`);
  const data = allocate(like.dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}

/**
 * Applies an elementwise function by name, recording its derivative. Shared by the math
 * functions here and the activations in activations.ts.
 */
export function unaryOp(op: UnaryOp, x: Tensor, param = 0): Tensor {
  requireTensor(op, 'input', x);
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  backend().unary(op, x.data, out.data, param);
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => {
      const accumulate = x.grad !== null;
      const gradX = gradBufferToOverwrite(x);
      if (gradX) backend().unaryBackward(op, x.data, out.data, gradOut, gradX, param, accumulate);
    });
  }
  return out;
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** Natural logarithm; log(0) = −∞ as in IEEE arithmetic. */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** |x|, with derivative sign(x) and 0 at x = 0. */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
export const square = (x: Tensor): Tensor => unaryOp('square', x);
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x);
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);
/** The error function, to float64 accuracy. */
export const erf = (x: Tensor): Tensor => unaryOp('erf', x);

function binaryOp(op: BinaryOp, aLike: TensorLike, bLike: TensorLike): Tensor {
  const a = aLike instanceof Tensor ? aLike : toTensor(aLike, bLike as Tensor, op);
  const b = toTensor(bLike, a, op);
  if (a.dtype !== b.dtype) throw new ValueError(`${op}: operands have different dtypes ${a.dtype} and ${b.dtype}; convert one with .to()`);
  const outShape = broadcastShapes(op, a.shape, b.shape);
  const rank = outShape.length;
  const aShape = padTo(a.shape, rank);
  const bShape = padTo(b.shape, rank);
  const out = new Tensor(allocate(a.dtype, shapeSize(outShape)), outShape);
  backend().binary(op, a.data, aShape, b.data, bShape, out.data, outShape);
  if (needsGrad(a, b) && isDifferentiable(op)) {
    record(out, [a, b], (gradOut) => binaryBackward(op, a, b, out, gradOut, aShape, bShape, outShape));
  }
  return out;
}

function padTo(shape: readonly number[], rank: number): number[] {
  return shape.length === rank ? shape.slice() : [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

function isDifferentiable(op: BinaryOp): boolean {
  return op === 'add' || op === 'sub' || op === 'mul' || op === 'div' || op === 'pow' || op === 'max' || op === 'min';
}

/** ∂(a∘b)/∂a and ∂(a∘b)/∂b times the upstream gradient, summed over broadcast axes. */
function binaryBackward(op: BinaryOp, a: Tensor, b: Tensor, out: Tensor, gradOut: FloatArray, aShape: number[], bShape: number[], outShape: number[]): void {
  const kernels = backend();
  const gradA = gradBuffer(a);
  const gradB = gradBuffer(b);
  const n = gradOut.length;
  // Addition and subtraction into a alone (a loss's y − t) pass gradOut on without a scratch array.
  const scratch = (op === 'add' || (op === 'sub' && !gradB)) ? gradOut : allocate(a.dtype, n);
  const sendTo = (target: FloatArray | null, targetShape: number[], local: FloatArray): void => {
    if (target) accumulateReduced(local, outShape, target, targetShape, a.dtype);
  };
  switch (op) {
    case 'add':
      sendTo(gradA, aShape, gradOut);
      sendTo(gradB, bShape, gradOut);
      return;
    case 'sub':
      sendTo(gradA, aShape, gradOut);
      if (gradB) {
        kernels.unary('neg', gradOut, scratch, 0);
        sendTo(gradB, bShape, scratch);
      }
      return;
    case 'mul':
      if (gradA) {
        kernels.binary('mul', gradOut, outShape, b.data, bShape, scratch, outShape);
        sendTo(gradA, aShape, scratch);
      }
      if (gradB) {
        kernels.binary('mul', gradOut, outShape, a.data, aShape, scratch, outShape);
        sendTo(gradB, bShape, scratch);
      }
      return;
    case 'div':
      // out = a / b: ∂out/∂a = 1/b, ∂out/∂b = −a/b² = −out/b.
      if (gradA) {
        kernels.binary('div', gradOut, outShape, b.data, bShape, scratch, outShape);
        sendTo(gradA, aShape, scratch);
      }
      if (gradB) {
        kernels.binary('mul', gradOut, outShape, out.data, outShape, scratch, outShape);
        kernels.binary('div', scratch, outShape, b.data, bShape, scratch, outShape);
        kernels.unary('neg', scratch, scratch, 0);
        sendTo(gradB, bShape, scratch);
      }
      return;
    case 'pow': {
      // out = a^b: ∂/∂a = b·a^(b−1) = b·out/a (computed directly to stay exact at a = 0), ∂/∂b = out·ln a.
      const aFull = expand(a.data, aShape, outShape, a.dtype);
      const bFull = expand(b.data, bShape, outShape, a.dtype);
      if (gradA) {
        for (let i = 0; i < n; i++) scratch[i] = gradOut[i] * (bFull[i] === 0 ? 0 : bFull[i] * Math.pow(aFull[i], bFull[i] - 1));
        sendTo(gradA, aShape, scratch);
      }
      if (gradB) {
        for (let i = 0; i < n; i++) scratch[i] = out.data[i] === 0 ? 0 : gradOut[i] * out.data[i] * Math.log(aFull[i]);
        sendTo(gradB, bShape, scratch);
      }
      return;
    }
    case 'max':
    case 'min': {
      // The gradient goes to the selected operand; at a tie it is split evenly (as PyTorch).
      const aFull = expand(a.data, aShape, outShape, a.dtype);
      const bFull = expand(b.data, bShape, outShape, a.dtype);
      const pickA = op === 'max' ? (x: number, y: number) => x > y : (x: number, y: number) => x < y;
      if (gradA) {
        for (let i = 0; i < n; i++) scratch[i] = aFull[i] === bFull[i] ? 0.5 * gradOut[i] : pickA(aFull[i], bFull[i]) ? gradOut[i] : 0;
        sendTo(gradA, aShape, scratch);
      }
      if (gradB) {
        for (let i = 0; i < n; i++) scratch[i] = aFull[i] === bFull[i] ? 0.5 * gradOut[i] : pickA(aFull[i], bFull[i]) ? 0 : gradOut[i];
        sendTo(gradB, bShape, scratch);
      }
      return;
    }
    default:
      return;
  }
}

/** The values of `data` (shape `shape`) broadcast to `outShape`, as a new array. */
export function expand(data: FloatArray, shape: readonly number[], outShape: readonly number[], dtype: 'float32' | 'float64'): FloatArray {
  const n = shapeSize(outShape);
  if (data.length === n) return data;
  const out = allocate(dtype, n);
  const zero = allocate(dtype, 1);
  backend().binary('add', data, shape, zero, new Array<number>(outShape.length).fill(1), out, outShape);
  return out;
}

/** a + b, broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b);
/** a − b, broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b);
/** a ⊙ b (elementwise product), broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b);
/** a / b, broadcasting. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binaryOp('div', a, b);
/** a raised to b elementwise, broadcasting; ∂/∂b uses ln a (NaN for negative a, as in PyTorch). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binaryOp('pow', a, b);
/** Elementwise maximum; at ties the gradient is split evenly. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('max', a, b);
/** Elementwise minimum; at ties the gradient is split evenly. */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('min', a, b);
/** 1 where a > b, else 0 (no gradient). */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryOp('gt', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ge', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lt', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('le', a, b);
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryOp('eq', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ne', a, b);

/** x·scalar, a cheaper form of mul for a number. */
export function scale(x: Tensor, factor: number): Tensor {
  return unaryOp('mulScalar', x, factor);
}

/** x + scalar. */
export function shift(x: Tensor, amount: number): Tensor {
  return unaryOp('addScalar', x, amount);
}

/** x^p for a constant exponent p. */
export function powScalar(x: Tensor, exponent: number): Tensor {
  return unaryOp('powScalar', x, exponent);
}

/**
 * Elementwise choice: a where `condition` is non-zero, else b (all three broadcast together).
 * The gradient flows to a where the condition holds and to b elsewhere; none to the condition.
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const aT = a instanceof Tensor ? a : toTensor(a, condition, 'where');
  const bT = toTensor(b, aT, 'where');
  const outShape = broadcastShapes('where', broadcastShapes('where', condition.shape, aT.shape), bT.shape);
  const rank = outShape.length;
  const dtype = aT.dtype;
  const c = expand(condition.data, padTo(condition.shape, rank), outShape, condition.dtype);
  const av = expand(aT.data, padTo(aT.shape, rank), outShape, dtype);
  const bv = expand(bT.data, padTo(bT.shape, rank), outShape, dtype);
  const out = new Tensor(allocate(dtype, shapeSize(outShape)), outShape);
  for (let i = 0; i < out.size; i++) out.data[i] = c[i] !== 0 ? av[i] : bv[i];
  if (needsGrad(aT, bT)) {
    record(out, [aT, bT], (gradOut) => {
      const scratch = allocate(dtype, gradOut.length);
      const gradA = gradBuffer(aT);
      if (gradA) {
        for (let i = 0; i < gradOut.length; i++) scratch[i] = c[i] !== 0 ? gradOut[i] : 0;
        accumulateReduced(scratch, outShape, gradA, padTo(aT.shape, rank), dtype);
      }
      const gradB = gradBuffer(bT);
      if (gradB) {
        for (let i = 0; i < gradOut.length; i++) scratch[i] = c[i] !== 0 ? 0 : gradOut[i];
        accumulateReduced(scratch, outShape, gradB, padTo(bT.shape, rank), dtype);
      }
    });
  }
  return out;
}

/** Limits values to [low, high]; the gradient is 1 inside and 0 outside (and at the bounds it passes). */
export function clamp(x: Tensor, low: number, high: number): Tensor {
  if (!(low <= high)) throw new ValueError(`clamp: low must be <= high, got low=${low}, high=${high}`);
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  for (let i = 0; i < x.size; i++) out.data[i] = Math.min(high, Math.max(low, x.data[i]));
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => {
      const gradX = gradBuffer(x)!;
      for (let i = 0; i < gradOut.length; i++) if (x.data[i] >= low && x.data[i] <= high) gradX[i] += gradOut[i];
    });
  }
  return out;
}
