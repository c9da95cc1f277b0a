import type { DType, FloatArray } from '../kernels/index.js';
import { checkBoolean, checkInterval, checkNonNegative } from './checks.js';
import { Optimizer, ParamsInput, buffersOf } from './optimizer.js';

export interface RMSpropOptions {
  /** Learning rate ε ≥ 0. Default 0.01. */
  lr: number;
  /** Decay ρ in [0, 1) of the moving average of squared gradients (PyTorch's alpha, Keras's rho). Default 0.99. */
  alpha: number;
  /** δ > 0 added to the root (outside it, as PyTorch; Keras adds it inside). Default 1e-8. */
  eps: number;
  /** Divide by an estimate of the gradient's variance instead of its raw second moment. Default false. */
  centered: boolean;
  /** Momentum μ in [0, 1) on the scaled step. Default 0. */
  momentum: number;
  /** L2 coefficient λ ≥ 0 added to the gradient: g ← ∇C(w) + λw. Default 0. */
  weightDecay: number;
}

export const RMSPROP_DEFAULTS: RMSpropOptions = Object.freeze({ lr: 0.01, alpha: 0.99, eps: 1e-8, centered: false, momentum: 0, weightDecay: 0 });

/**
 * RMSprop (Hinton's lecture 6e): divide each gradient by the root of a moving average of its
 * recent squares.
 *
 *     g ← ∇C(w) + λw
 *     s ← ρ·s + (1 − ρ)·g²                                   (s starts at 0)
 *     centred:   ḡ ← ρ·ḡ + (1 − ρ)·g,   d = √(s − ḡ²) + δ     (ḡ starts at 0)
 *     otherwise: d = √s + δ
 *     μ = 0:     w ← w − ε·g / d
 *     μ > 0:     b ← μ·b + g / d,       w ← w − ε·b           (b starts at 0)
 *
 * The centred form (Graves 2013) divides by an estimate of the standard deviation of g rather than
 * its root mean square. State per parameter: `squareAverage` (s), `gradAverage` (ḡ, when centred),
 * `momentumBuffer` (b, when μ > 0). The same algorithm as PyTorch's torch.optim.RMSprop.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('rmsprop', 'RMSprop', params, options, RMSPROP_DEFAULTS);
  }

  protected validate(options: RMSpropOptions): void {
    checkNonNegative('RMSprop', 'lr', options.lr);
    checkInterval('RMSprop', 'alpha', options.alpha, 0, 1, { highOpen: true });
    checkNonNegative('RMSprop', 'eps', options.eps, true);
    checkBoolean('RMSprop', 'centered', options.centered);
    checkInterval('RMSprop', 'momentum', options.momentum, 0, 1, { highOpen: true });
    checkNonNegative('RMSprop', 'weightDecay', options.weightDecay);
  }

  protected createBuffers(size: number, dtype: DType, options: RMSpropOptions): Record<string, FloatArray> {
    const names = ['squareAverage'];
    if (options.centered) names.push('gradAverage');
    if (options.momentum > 0) names.push('momentumBuffer');
    return buffersOf(size, dtype, names);
  }

  protected update(w: FloatArray, g: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<RMSpropOptions>): void {
    const { lr, alpha, eps, centered, momentum, weightDecay } = options;
    const { squareAverage, gradAverage, momentumBuffer } = buffers;
    for (let i = 0; i < w.length; i++) {
      const gradient = g[i] + weightDecay * w[i];
      squareAverage[i] = alpha * squareAverage[i] + (1 - alpha) * gradient * gradient;
      let denominator: number;
      if (centered) {
        gradAverage[i] = alpha * gradAverage[i] + (1 - alpha) * gradient;
        // s ≥ ḡ² in exact arithmetic; the max keeps rounding from taking the root of a tiny negative.
        denominator = Math.sqrt(Math.max(0, squareAverage[i] - gradAverage[i] * gradAverage[i])) + eps;
      } else {
        denominator = Math.sqrt(squareAverage[i]) + eps;
      }
      if (momentum > 0) {
        momentumBuffer[i] = momentum * momentumBuffer[i] + gradient / denominator;
        w[i] -= lr * momentumBuffer[i];
      } else {
        w[i] -= (lr * gradient) / denominator;
      }
    }
  }
}
