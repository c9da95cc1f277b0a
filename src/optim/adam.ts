import { backend } from '../kernels/index.js';
import { adamUpdateJs } from '../kernels/js/optimizers.js';
import type { DType, FloatArray } from '../kernels/index.js';
import { checkBoolean, checkInterval, checkNonNegative } from './checks.js';
import { Optimizer, ParamsInput, ADAM_KERNEL_MIN_ELEMENTS, buffersOf } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate ε ≥ 0. Default 0.001. */
  lr: number;
  /** Decay β₁ in [0, 1) of the first-moment (mean) estimate. Default 0.9. */
  beta1: number;
  /** Decay β₂ in [0, 1) of the second-moment (uncentred variance) estimate. Default 0.999. */
  beta2: number;
  /** δ > 0 added to the denominator for numerical stability. Default 1e-8. */
  eps: number;
  /** Use the running maximum of the second moment (AMSGrad, Reddi et al. 2018). Default false. */
  amsgrad: boolean;
  /**
   * Adam: L2 coefficient λ ≥ 0 added to the gradient, g ← ∇C(w) + λw (default 0).
   * AdamW: decoupled weight decay, w ← w − ελw before the Adam step (default 0.01).
   */
  weightDecay: number;
}

export const ADAM_DEFAULTS: AdamOptions = Object.freeze({ lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, amsgrad: false, weightDecay: 0 });
export const ADAMW_DEFAULTS: AdamOptions = Object.freeze({ ...ADAM_DEFAULTS, weightDecay: 0.01 });

/**
 * Adam (Kingma and Ba 2015): momentum on the gradient, divided by the root of a moving average of
 * its square, both corrected for their start at zero. At step t = 1, 2, …:
 *
 *     g ← ∇C(w) + λw                       (L2 in the loss's gradient; AdamW omits this term)
 *     m ← β₁·m + (1 − β₁)·g                 (m, v start at 0)
 *     v ← β₂·v + (1 − β₂)·g²
 *     m̂ = m / (1 − β₁ᵗ)                    (bias corrections: divided, not multiplied — at t = 1
 *     v̂ = v / (1 − β₂ᵗ)                     they turn m = (1 − β₁)g back into g)
 *     AMSGrad: v_max ← max(v_max, v), and v̂ = v_max / (1 − β₂ᵗ) instead
 *     w ← w − ε·m̂ / (√v̂ + δ)
 *
 * The last line is evaluated as PyTorch does, w ← w − (ε / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + δ);
 * the corrections are float64 scalars, the buffers have the parameter's dtype. (Keras adds δ to
 * √v before the correction, a slightly different "epsilon hat"; the difference matters only while
 * √v̂ is near δ.) The first step therefore moves every weight by almost exactly ε·sign(g).
 *
 * State per parameter: `firstMoment` (m), `secondMoment` (v), `maxSecondMoment` (AMSGrad only) and
 * the step count t.
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('adam', 'Adam', params, options, ADAM_DEFAULTS);
  }

  protected validate(options: AdamOptions): void {
    validateAdam('Adam', options);
  }

  protected createBuffers(size: number, dtype: DType, options: AdamOptions): Record<string, FloatArray> {
    return adamBuffers(size, dtype, options);
  }

  protected update(w: FloatArray, g: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<AdamOptions>, step: number): void {
    adamUpdate(w, g, buffers, options, step, options.weightDecay);
  }
}

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay. Each step first shrinks
 * the weights, then applies the Adam update computed from the plain gradient:
 *
 *     w ← w − ε·λ·w
 *     w ← Adam step with g = ∇C(w)         (no λw in g)
 *
 * L2 in the loss vs decoupled decay: with plain SGD they coincide (both subtract ελw). With Adam,
 * an L2 term λw added to the gradient is divided by √v̂ like the rest of the gradient, so weights
 * with large gradients are barely regularised and the decay's strength depends on the gradient's
 * history; decoupled decay shrinks every weight by the same factor (1 − ελ) per step, whatever
 * its gradients. Default λ = 0.01 (as PyTorch). Note that the shrink is scaled by ε, so a learning-rate
 * schedule also scales the decay.
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('adamw', 'AdamW', params, options, ADAMW_DEFAULTS);
  }

  protected validate(options: AdamOptions): void {
    validateAdam('AdamW', options);
  }

  protected createBuffers(size: number, dtype: DType, options: AdamOptions): Record<string, FloatArray> {
    return adamBuffers(size, dtype, options);
  }

  protected update(w: FloatArray, g: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<AdamOptions>, step: number): void {
    const shrink = 1 - options.lr * options.weightDecay;
    if (shrink !== 1) for (let i = 0; i < w.length; i++) w[i] *= shrink;
    adamUpdate(w, g, buffers, options, step, 0);
  }
}

function validateAdam(where: string, options: AdamOptions): void {
  checkNonNegative(where, 'lr', options.lr);
  checkInterval(where, 'beta1', options.beta1, 0, 1, { highOpen: true });
  checkInterval(where, 'beta2', options.beta2, 0, 1, { highOpen: true });
  checkNonNegative(where, 'eps', options.eps, true);
  checkBoolean(where, 'amsgrad', options.amsgrad);
  checkNonNegative(where, 'weightDecay', options.weightDecay);
}

function adamBuffers(size: number, dtype: DType, options: AdamOptions): Record<string, FloatArray> {
  return buffersOf(size, dtype, options.amsgrad ? ['firstMoment', 'secondMoment', 'maxSecondMoment'] : ['firstMoment', 'secondMoment']);
}

/** One Adam step; `l2` is the λ added to the gradient (0 for AdamW, which decays the weights itself). */
function adamUpdate(w: FloatArray, g: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<AdamOptions>, step: number, l2: number): void {
  const { lr, beta1, beta2, eps, amsgrad } = options;
  const { firstMoment: m, secondMoment: v, maxSecondMoment: vMax } = buffers;
  const biasCorrection1 = 1 - Math.pow(beta1, step);
  const sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = lr / biasCorrection1;
  const kernel = backend().adamUpdate;
  if (kernel && w.length >= ADAM_KERNEL_MIN_ELEMENTS && w instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array && (!amsgrad || vMax instanceof Float32Array)) {
    kernel(w, g, m, v, amsgrad ? (vMax as Float32Array) : null, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
    return;
  }
  adamUpdateJs(w, g, m, v, amsgrad ? vMax : null, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
}
