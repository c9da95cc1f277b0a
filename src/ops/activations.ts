import { gradBuffer, needsGrad, record } from '../autograd/index.js';
import { backend } from '../kernels/index.js';
import { Tensor, allocate, requireTensor } from '../tensor/index.js';
import { ShapeError, formatShape } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { add, unaryOp } from './elementwise.js';
import { normal } from '../tensor/index.js';
import { checkNumber } from '../util/errors.js';

/**
 * Activation functions a = f(z), elementwise unless stated. Each records f′ for backpropagation;
 * the derivative used is written beside each one. All are finite at z = ±1000.
 */

/** σ(z) = 1 / (1 + e^(−z)); σ′ = σ(1 − σ). Evaluated without overflow for any z. */
export const sigmoid = (z: Tensor): Tensor => unaryOp('sigmoid', z);
/** tanh(z); tanh′ = 1 − tanh². */
export const tanh = (z: Tensor): Tensor => unaryOp('tanh', z);
/** max(0, z); relu′(z) = 1 for z > 0 and 0 for z ≤ 0 (the derivative used at exactly 0 is 0, as PyTorch). */
export const relu = (z: Tensor): Tensor => unaryOp('relu', z);
/** z for z > 0, else slope·z (default slope 0.01); derivative 1 or slope (slope at exactly 0). */
export const leakyRelu = (z: Tensor, slope = 0.01): Tensor => unaryOp('leakyRelu', z, checkNumber('leakyRelu', 'slope', slope));
/** z for z > 0, else α(e^z − 1) (default α = 1); derivative 1 or α·e^z (α at exactly 0). */
export const elu = (z: Tensor, alpha = 1): Tensor => unaryOp('elu', z, checkNumber('elu', 'alpha', alpha));
/** λ·(z for z > 0, else α(e^z − 1)), λ ≈ 1.0507, α ≈ 1.6733 (Klambauer et al. 2017). */
export const selu = (z: Tensor): Tensor => unaryOp('selu', z);
/** softplus(z) = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^(−|z|)); derivative σ(z). */
export const softplus = (z: Tensor): Tensor => unaryOp('softplus', z);
/** GELU, the exact form z·Φ(z) with Φ the standard normal CDF (via erf); derivative Φ(z) + z·φ(z). */
export const gelu = (z: Tensor): Tensor => unaryOp('gelu', z);
/** SiLU / swish: z·σ(z); derivative σ(z)(1 + z(1 − σ(z))). */
export const silu = (z: Tensor): Tensor => unaryOp('silu', z);
/** f(z) = z (regression outputs); derivative 1. */
export const identity = (z: Tensor): Tensor => z;

export interface NoisyReluOptions {
  /** Standard deviation of the Gaussian noise added to z in training mode. Default 1 (Nair & Hinton 2010 use σ(z)-scaled noise; a fixed σ is the common variant). */
  std?: number;
  /** With training false (evaluation), noisy ReLU is plain ReLU. */
  training: boolean;
  /** The generator that draws the noise (the run's seeded generator). */
  rng: Rng;
}

/**
 * Noisy ReLU: max(0, z + ε) with ε ~ N(0, std²) drawn per element in training mode; plain
 * max(0, z) in evaluation mode. The gradient is that of ReLU at z + ε.
 */
export function noisyRelu(z: Tensor, options: NoisyReluOptions): Tensor {
  const std = checkNumber('noisyRelu', 'std', options.std ?? 1, { min: 0 });
  if (!options.training || std === 0) return relu(z);
  const noise = normal(z.shape, options.rng, 0, std, { dtype: z.dtype });
  return relu(add(z, noise));
}

function rowsAndCols(where: string, x: Tensor): [number, number] {
  requireTensor(where, 'input', x);
  if (x.rank < 1) throw new ShapeError(`${where}: expected at least 1 axis, got shape ${formatShape(x.shape)}`);
  const cols = x.shape[x.rank - 1];
  return [cols === 0 ? 0 : x.size / cols, cols];
}

/**
 * softmax along the last axis: aᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z); stable for logits near ±1000.
 * Backward: ∂C/∂zᵢ = aᵢ·(gᵢ − Σⱼ gⱼaⱼ) for upstream gradient g.
 */
export function softmax(z: Tensor): Tensor {
  const [rows, cols] = rowsAndCols('softmax', z);
  const out = new Tensor(allocate(z.dtype, z.size), z.shape);
  backend().softmax(z.data, rows, cols, out.data, false);
  if (needsGrad(z)) {
    record(out, [z], (gradOut) => {
      const gradZ = gradBuffer(z)!;
      const a = out.data;
      for (let r = 0; r < rows; r++) {
        const base = r * cols;
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += gradOut[base + c] * a[base + c];
        for (let c = 0; c < cols; c++) gradZ[base + c] += a[base + c] * (gradOut[base + c] - dot);
      }
    });
  }
  return out;
}

/**
 * log-softmax along the last axis: zᵢ − log Σⱼ e^(zⱼ), by log-sum-exp (finite for any finite z).
 * Backward: ∂C/∂zᵢ = gᵢ − softmax(z)ᵢ·Σⱼ gⱼ.
 */
export function logSoftmax(z: Tensor): Tensor {
  const [rows, cols] = rowsAndCols('logSoftmax', z);
  const out = new Tensor(allocate(z.dtype, z.size), z.shape);
  backend().softmax(z.data, rows, cols, out.data, true);
  if (needsGrad(z)) {
    record(out, [z], (gradOut) => {
      const gradZ = gradBuffer(z)!;
      const logA = out.data;
      for (let r = 0; r < rows; r++) {
        const base = r * cols;
        let total = 0;
        for (let c = 0; c < cols; c++) total += gradOut[base + c];
        for (let c = 0; c < cols; c++) gradZ[base + c] += gradOut[base + c] - Math.exp(logA[base + c]) * total;
      }
    });
  }
  return out;
}
