import type { DType, FloatArray } from '../kernels/index.js';
import { checkNonNegative } from './checks.js';
import { Optimizer, ParamsInput } from './optimizer.js';
import { allocate } from '../tensor/index.js';

export interface AdagradOptions {
  /** Learning rate ε ≥ 0. Default 0.01. */
  lr: number;
  /** δ > 0 added to the root for numerical stability. Default 1e-10. */
  eps: number;
  /** The starting value G₀ ≥ 0 of every accumulator. Default 0 (Keras uses 0.1). */
  initialAccumulator: number;
  /** L2 coefficient λ ≥ 0 added to the gradient: g ← ∇C(w) + λw. Default 0. */
  weightDecay: number;
}

export const ADAGRAD_DEFAULTS: AdagradOptions = Object.freeze({ lr: 0.01, eps: 1e-10, initialAccumulator: 0, weightDecay: 0 });

/**
 * Adagrad (Duchi, Hazan and Singer 2011): each weight's step is divided by the root of the sum of
 * all its squared gradients so far, so often-updated weights slow down and rare ones keep moving.
 *
 *     g ← ∇C(w) + λw
 *     G ← G + g²                      (elementwise; G starts at initialAccumulator)
 *     w ← w − ε·g / (√G + δ)
 *
 * The effective rate only ever shrinks, which is why RMSprop and Adam replace the sum by a moving
 * average. State per parameter: `sumSquares` (G).
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('adagrad', 'Adagrad', params, options, ADAGRAD_DEFAULTS);
  }

  protected validate(options: AdagradOptions): void {
    checkNonNegative('Adagrad', 'lr', options.lr);
    checkNonNegative('Adagrad', 'eps', options.eps, true);
    checkNonNegative('Adagrad', 'initialAccumulator', options.initialAccumulator);
    checkNonNegative('Adagrad', 'weightDecay', options.weightDecay);
  }

  protected createBuffers(size: number, dtype: DType, options: AdagradOptions): Record<string, FloatArray> {
    const sumSquares = allocate(dtype, size);
    sumSquares.fill(options.initialAccumulator);
    return { sumSquares };
  }

  protected update(w: FloatArray, g: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<AdagradOptions>): void {
    const { lr, eps, weightDecay } = options;
    const sumSquares = buffers.sumSquares;
    for (let i = 0; i < w.length; i++) {
      const gradient = g[i] + weightDecay * w[i];
      sumSquares[i] += gradient * gradient;
      w[i] -= (lr * gradient) / (Math.sqrt(sumSquares[i]) + eps);
    }
  }
}
