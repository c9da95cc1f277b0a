import type { BinaryOp, FloatArray, ReduceOp, UnaryOp } from '../backend.js';
import { erf, normalCdf } from './special.js';

export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
const INV_SQRT_2PI = 0.3989422804014327;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** Logistic sigmoid written so neither branch overflows: σ(±1000) is exactly 1 or 0. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const THIRTY_TWO_OVER_LN2 = 46.16624130844683;
/** ln 2 / 32 in two parts (fdlibm's split of ln 2): n·LN2_32_HIGH is exact for |n| < 2¹¹. */
const LN2_32_HIGH = 6.9314718036912381649e-1 / 32;
const LN2_32_LOW = 1.9082149292705877e-10 / 32;
/** 2^(j/32) for j = 0…31 and 2^k for k = 0…31. */
const EXP2_FRACTION = Float64Array.from({ length: 32 }, (_, j) => 2 ** (j / 32));
const EXP2_INTEGER = Float64Array.from({ length: 32 }, (_, k) => 2 ** k);

/**
 * tanh(x) for a result that is stored as float32, about 1.7× faster than Math.tanh (a call that is
 * not inlined), with a = |x| and the sign put back:
 *   a < 2⁻¹³      x itself (tanh(x) = x(1 − x²/3 + …) rounds to x in float32)
 *   a < 1/16      the series a − a³/3 + 2a⁵/15 − 17a⁷/315 + 62a⁹/2835 − 1382a¹¹/155925 + 21844a¹³/6081075
 *   a < 9.1       e / (e + 2) with e = e^(2a) − 1, e^(2a) = 2^k · 2^(j/32) · e^r for
 *                 n = round(64a/ln 2) = 32k + j, |r| ≤ ln 2/64, e^r − 1 = r + r²/2 + … + r⁶/720
 *   otherwise     ±1 (1 − tanh(9.1) is below half a float32 ulp of 1); NaN stays NaN.
 * Stored as float32 it equals Math.fround(Math.tanh(x)) for every float32 x (checked exhaustively
 * over all 2³² bit patterns), so float32 results are unchanged. Float64 results use Math.tanh.
 */
export function tanhForFloat32(x: number): number {
  const a = Math.abs(x);
  if (!(a < 9.1)) return a >= 9.1 ? (x > 0 ? 1 : -1) : x; // NaN stays NaN
  if (a < 1.220703125e-4) return x;
  if (a < 0.0625) {
    const a2 = a * a;
    const series = a + a * a2 * (-1 / 3 + a2 * (2 / 15 + a2 * (-17 / 315 + a2 * (62 / 2835 + a2 * (-1382 / 155925 + a2 * (21844 / 6081075))))));
    return x < 0 ? -series : series;
  }
  const y = a + a;
  const n = Math.round(y * THIRTY_TWO_OVER_LN2);
  const r = y - n * LN2_32_HIGH - n * LN2_32_LOW;
  const scale = EXP2_FRACTION[n & 31] * EXP2_INTEGER[n >> 5];
  const r2 = r * r;
  const expm1R = r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120) + r2 * (1 / 720));
  const e = scale - 1 + scale * expm1R;
  const t = e / (e + 2);
  return x < 0 ? -t : t;
}

/** softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), finite for every finite x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** f(x) for one element. */
export function unaryScalar(op: UnaryOp, x: number, param: number): number {
  switch (op) {
    case 'identity': return x;
    case 'neg': return -x;
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sqrt': return Math.sqrt(x);
    case 'abs': return Math.abs(x);
    case 'square': return x * x;
    case 'reciprocal': return 1 / x;
    case 'sign': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'relu': return x > 0 ? x : 0;
    case 'leakyRelu': return x > 0 ? x : param * x;
    case 'elu': return x > 0 ? x : param * Math.expm1(x);
    case 'selu': return x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x);
    case 'softplus': return softplus(x);
    case 'gelu': return x * normalCdf(x);
    case 'silu': return x * sigmoid(x);
    case 'erf': return erf(x);
    case 'powScalar': return Math.pow(x, param);
    case 'addScalar': return x + param;
    case 'mulScalar': return x * param;
  }
}

/**
 * f′(x) for one element, given y = f(x). Conventions at kinks: relu′(0) = 0, leakyRelu′(0) = slope,
 * abs′(0) = 0, elu′(0) = α (the left derivative, as PyTorch).
 */
export function unaryDerivative(op: UnaryOp, x: number, y: number, param: number): number {
  switch (op) {
    case 'identity': return 1;
    case 'neg': return -1;
    case 'exp': return y;
    case 'log': return 1 / x;
    case 'sqrt': return 0.5 / y;
    case 'abs': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'square': return 2 * x;
    case 'reciprocal': return -y * y;
    case 'sign': return 0;
    case 'sigmoid': return y * (1 - y);
    case 'tanh': return 1 - y * y;
    case 'relu': return x > 0 ? 1 : 0;
    case 'leakyRelu': return x > 0 ? 1 : param;
    case 'elu': return x > 0 ? 1 : param * Math.exp(x);
    case 'selu': return x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
    case 'softplus': return sigmoid(x);
    case 'gelu': return normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case 'silu': {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case 'erf': return TWO_OVER_SQRT_PI * Math.exp(-x * x);
    case 'powScalar': return param === 0 ? 0 : param * Math.pow(x, param - 1);
    case 'addScalar': return 1;
    case 'mulScalar': return param;
  }
}

export function unaryJs(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void {
  const n = x.length;
  // The common activations get their own loops; the rest go through the scalar switch.
  switch (op) {
    case 'relu':
      for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : 0; }
      return;
    case 'tanh':
      if (out instanceof Float32Array) for (let i = 0; i < n; i++) out[i] = tanhForFloat32(x[i]);
      else for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]);
      return;
    case 'identity':
      if (out !== x) out.set(x);
      return;
    case 'mulScalar':
      for (let i = 0; i < n; i++) out[i] = x[i] * param;
      return;
    case 'addScalar':
      for (let i = 0; i < n; i++) out[i] = x[i] + param;
      return;
    default:
      for (let i = 0; i < n; i++) out[i] = unaryScalar(op, x[i], param);
  }
}

export function unaryBackwardJs(op: UnaryOp, x: FloatArray, y: FloatArray, gradOut: FloatArray, gradIn: FloatArray, param: number, accumulate: boolean): void {
  const n = gradOut.length;
  if (!accumulate) {
    switch (op) {
      case 'relu':
        for (let i = 0; i < n; i++) gradIn[i] = x[i] > 0 ? gradOut[i] : 0;
        return;
      case 'tanh':
        for (let i = 0; i < n; i++) { const v = y[i]; gradIn[i] = gradOut[i] * (1 - v * v); }
        return;
      case 'sigmoid':
        for (let i = 0; i < n; i++) { const v = y[i]; gradIn[i] = gradOut[i] * v * (1 - v); }
        return;
      case 'identity':
        if (gradIn !== gradOut) gradIn.set(gradOut);
        return;
      default:
        for (let i = 0; i < n; i++) gradIn[i] = gradOut[i] * unaryDerivative(op, x[i], y[i], param);
        return;
    }
  }
  switch (op) {
    case 'relu':
      for (let i = 0; i < n; i++) if (x[i] > 0) gradIn[i] += gradOut[i];
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) { const v = y[i]; gradIn[i] += gradOut[i] * (1 - v * v); }
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) { const v = y[i]; gradIn[i] += gradOut[i] * v * (1 - v); }
      return;
    case 'mulScalar':
      for (let i = 0; i < n; i++) gradIn[i] += gradOut[i] * param;
      return;
    case 'identity':
      for (let i = 0; i < n; i++) gradIn[i] += gradOut[i];
      return;
    default:
      for (let i = 0; i < n; i++) gradIn[i] += gradOut[i] * unaryDerivative(op, x[i], y[i], param);
  }
}

export function binaryScalar(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'pow': return Math.pow(a, b);
    case 'max': return a >= b || Number.isNaN(a) ? a : b;
    case 'min': return a <= b || Number.isNaN(a) ? a : b;
    case 'gt': return a > b ? 1 : 0;
    case 'ge': return a >= b ? 1 : 0;
    case 'lt': return a < b ? 1 : 0;
    case 'le': return a <= b ? 1 : 0;
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
  }
}

/** Whether `shape` (right-aligned to `outShape`) is all ones followed by the trailing axes of outShape. */
function isTrailingBlock(shape: readonly number[], outShape: readonly number[]): boolean {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  for (; i < shape.length; i++) if (shape[i] !== outShape[i]) return false;
  return true;
}

export function binaryJs(op: BinaryOp, a: FloatArray, aShape: readonly number[], b: FloatArray, bShape: readonly number[], out: FloatArray, outShape: readonly number[]): void {
  const n = out.length;
  const aLen = a.length;
  const bLen = b.length;
  if (n === 0) return;
  if (aLen === n && bLen === n) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return;
      default: for (let i = 0; i < n; i++) out[i] = binaryScalar(op, a[i], b[i]); return;
    }
  }
  if (aLen === n && isTrailingBlock(bShape, outShape)) {
    // b repeats every bLen elements (a row vector over a batch, or a scalar).
    switch (op) {
      case 'add':
        for (let base = 0; base < n; base += bLen) for (let j = 0; j < bLen; j++) out[base + j] = a[base + j] + b[j];
        return;
      case 'mul':
        for (let base = 0; base < n; base += bLen) for (let j = 0; j < bLen; j++) out[base + j] = a[base + j] * b[j];
        return;
      default:
        for (let base = 0; base < n; base += bLen) for (let j = 0; j < bLen; j++) out[base + j] = binaryScalar(op, a[base + j], b[j]);
        return;
    }
  }
  if (bLen === n && isTrailingBlock(aShape, outShape)) {
    for (let base = 0; base < n; base += aLen) for (let j = 0; j < aLen; j++) out[base + j] = binaryScalar(op, a[j], b[base + j]);
    return;
  }
  // General broadcasting: walk the output with a multi-index; size-1 axes of an input have stride 0.
  const rank = outShape.length;
  const aStrides = broadcastStrides(aShape);
  const bStrides = broadcastStrides(bShape);
  const index = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < n; i++) {
    out[i] = binaryScalar(op, a[ai], b[bi]);
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      ai += aStrides[axis];
      bi += bStrides[axis];
      if (index[axis] < outShape[axis]) break;
      ai -= aStrides[axis] * outShape[axis];
      bi -= bStrides[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
}

/** Row-major strides with 0 for size-1 (broadcast) axes. */
function broadcastStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = shape[axis] === 1 ? 0 : stride;
    stride *= shape[axis];
  }
  return strides;
}

export function reduceJs(op: ReduceOp, x: FloatArray, outer: number, length: number, inner: number, out: FloatArray, accumulate: boolean): void {
  for (let o = 0; o < outer; o++) {
    const outBase = o * inner;
    const inBase = o * length * inner;
    if (op === 'sum') {
      if (!accumulate) out.fill(0, outBase, outBase + inner);
      for (let j = 0; j < length; j++) {
        const row = inBase + j * inner;
        for (let i = 0; i < inner; i++) out[outBase + i] += x[row + i];
      }
    } else {
      const isMax = op === 'max';
      for (let i = 0; i < inner; i++) out[outBase + i] = x[inBase + i];
      for (let j = 1; j < length; j++) {
        const row = inBase + j * inner;
        for (let i = 0; i < inner; i++) {
          const v = x[row + i];
          const cur = out[outBase + i];
          // NaN propagates, as in NumPy and PyTorch.
          if (Number.isNaN(v) || (isMax ? v > cur : v < cur)) out[outBase + i] = v;
        }
      }
    }
  }
}

export function softmaxJs(x: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (x[base + c] > max) max = x[base + c];
    if (max === -Infinity) max = 0;
    let sum = 0;
    if (log) {
      for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c] - max);
      const logSum = max + Math.log(sum);
      for (let c = 0; c < cols; c++) out[base + c] = x[base + c] - logSum;
    } else {
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(x[base + c] - max);
        out[base + c] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let c = 0; c < cols; c++) out[base + c] *= inv;
    }
  }
}

export function biasActivationJs(x: FloatArray, bias: FloatArray | null, rows: number, cols: number, op: UnaryOp, param: number, out: FloatArray, preActivation: FloatArray | null): void {
  const n = rows * cols;
  if (bias && (op === 'relu' || op === 'identity')) {
    // One pass for the common layers: relu(round(x + b)) = round(relu(x + b)), rounding being
    // monotonic, so the values are those of the two passes below (a pass costs about 1.7 ns per
    // element here, the arithmetic little).
    const relu = op === 'relu';
    for (let base = 0; base < n; base += cols) {
      for (let c = 0; c < cols; c++) {
        const v = x[base + c] + bias[c];
        if (preActivation) preActivation[base + c] = v;
        out[base + c] = relu ? (v > 0 ? v : 0) : v;
      }
    }
    return;
  }
  if (bias) {
    for (let base = 0; base < n; base += cols) for (let c = 0; c < cols; c++) out[base + c] = x[base + c] + bias[c];
  } else if (out !== x) {
    out.set(x.subarray(0, n));
  }
  if (preActivation) preActivation.set(out.subarray(0, n));
  if (op !== 'identity') unaryJs(op, out.length === n ? out : out.subarray(0, n), out.length === n ? out : out.subarray(0, n), param);
}
