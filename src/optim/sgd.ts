import { backend } from '../kernels/index.js';
import type { DType, FloatArray } from '../kernels/index.js';
import { ValueError } from '../util/errors.js';
import { checkBoolean, checkChoice, checkInterval, checkNonNegative } from './checks.js';
import { Optimizer, ParamsInput, SGD_KERNEL_MIN_ELEMENTS, buffersOf } from './optimizer.js';

/**
 * Where the learning rate enters the momentum update:
 *   'pytorch'  — v ← μv + g,    w ← w − εv   (v accumulates gradients; PyTorch, the default)
 *   'textbook' — v ← μv − εg,   w ← w + v    (v accumulates steps; Sutskever et al. 2013, Goodfellow et al. §8.3.2, Keras)
 */
export type MomentumConvention = 'pytorch' | 'textbook';

export interface SGDOptions {
  /** Learning rate ε ≥ 0. Default 0.01. */
  lr: number;
  /** Momentum μ in [0, 1); 0 (the default) is plain gradient descent. */
  momentum: number;
  /** Nesterov's accelerated gradient (needs μ > 0). Default false. */
  nesterov: boolean;
  /** See MomentumConvention. Default 'pytorch'. */
  momentumConvention: MomentumConvention;
  /** L2 coefficient λ ≥ 0 added to the gradient: g ← ∇C(w) + λw. Default 0. */
  weightDecay: number;
}

export const SGD_DEFAULTS: SGDOptions = Object.freeze({ lr: 0.01, momentum: 0, nesterov: false, momentumConvention: 'pytorch', weightDecay: 0 });

/**
 * Stochastic gradient descent, optionally with momentum or Nesterov momentum.
 *
 * With g = ∇C(w) + λw (λ = weightDecay, L2 regularisation in the loss's gradient), each step is
 *
 *     plain (μ = 0):             w ← w − ε·g
 *
 *     momentum, 'pytorch':       v ← μ·v + g                 w ← w − ε·v
 *     momentum, 'textbook':      v ← μ·v − ε·g               w ← w + v
 *
 *     Nesterov, 'pytorch':       v ← μ·v + g                 w ← w − ε·(g + μ·v)
 *     Nesterov, 'textbook':      v ← μ·v − ε·g               w ← w + μ·v − ε·g
 *
 * with v = 0 before the first step (so the first momentum step equals plain SGD's).
 *
 * The two conventions give identical weights while ε is constant (v_textbook = −ε·v_pytorch). They
 * differ once ε changes, e.g. under a schedule: the 'pytorch' velocity holds raw gradients, so a new
 * ε rescales the whole accumulated velocity at once (halving ε halves the very next step); the
 * 'textbook' velocity holds past steps already multiplied by the old ε, so a new ε applies only to
 * new gradients and the old velocity fades out at rate μ (the step size changes gradually).
 *
 * The Nesterov forms are the "look-ahead" rule v ← μv − ε∇C(w + μv), w ← w + v of Sutskever et al.
 * rewritten in terms of the look-ahead point (the form every library implements, since it needs the
 * gradient only at the current weights).
 *
 * State per parameter: `velocity` (same size and dtype) when μ > 0.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('sgd', 'SGD', params, options, SGD_DEFAULTS);
  }

  protected validate(options: SGDOptions): void {
    checkNonNegative('SGD', 'lr', options.lr);
    checkInterval('SGD', 'momentum', options.momentum, 0, 1, { highOpen: true });
    checkBoolean('SGD', 'nesterov', options.nesterov);
    checkChoice('SGD', 'momentumConvention', options.momentumConvention, ['pytorch', 'textbook'] as const);
    checkNonNegative('SGD', 'weightDecay', options.weightDecay);
    if (options.nesterov && options.momentum === 0) throw new ValueError('SGD: nesterov needs momentum > 0, got momentum 0');
  }

  protected createBuffers(size: number, dtype: DType, options: SGDOptions): Record<string, FloatArray> {
    return buffersOf(size, dtype, options.momentum > 0 ? ['velocity'] : []);
  }

  /**
   * One update of every parameter that has a gradient, as Optimizer.step does it; with one group, on
   * a backend that has `sgdUpdates` (the native addon), in one call (the same arithmetic: a small
   * network's step otherwise spends more on a call per parameter than on the updates).
   */
  override step(): void {
    const kernel = backend().sgdUpdates;
    // A subclass with its own update rule takes Optimizer.step, which calls it.
    if (kernel === undefined || this.groupList.length !== 1 || this.update !== SGD.prototype.update) {
      super.step();
      return;
    }
    const params = this.groupList[0].params;
    const options = this.groupList[0].options;
    const count = params.length;
    // The weights' arrays never change; the gradients' and velocities' are read at every step.
    const lists = this.lists ?? (this.lists = { weights: params.map((param) => param.data), grads: new Array(count).fill(null), velocities: new Array(count).fill(null) });
    const { weights, grads, velocities } = lists;
    const momentum = options.momentum;
    for (let p = 0; p < count; p++) {
      const grad = params[p].grad;
      if (grad === null) continue;
      if (grad.data.length !== weights[p].length) {
        // Optimizer.step names the parameter in its error.
        grads.fill(null);
        velocities.fill(null);
        super.step();
        return;
      }
      grads[p] = grad.data;
      if (momentum !== 0) velocities[p] = this.states[p].buffers.velocity;
    }
    const done = kernel(weights, grads, velocities, options.lr, momentum, options.weightDecay, options.nesterov, options.momentumConvention === 'textbook');
    for (let p = 0; p < count; p++) {
      if (grads[p] === null) continue;
      if (done) this.states[p].step += 1;
      // The lists hold no gradient or velocity between steps.
      grads[p] = null;
      velocities[p] = null;
    }
    if (!done) super.step();
  }

  /** The argument lists of `sgdUpdates`, made at the first step. */
  private lists: { readonly weights: FloatArray[]; readonly grads: (FloatArray | null)[]; readonly velocities: (FloatArray | null)[] } | null = null;

  protected update(w: FloatArray, g: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<SGDOptions>): void {
    const { lr, momentum, nesterov, weightDecay } = options;
    const n = w.length;
    const kernel = backend().sgdUpdate;
    const velocity = momentum === 0 ? null : buffers.velocity;
    if (kernel && n >= SGD_KERNEL_MIN_ELEMENTS && w instanceof Float32Array && g instanceof Float32Array && (velocity === null || velocity instanceof Float32Array)) {
      kernel(w, g, velocity, lr, momentum, weightDecay, nesterov, options.momentumConvention === 'textbook');
      return;
    }
    if (momentum === 0) {
      for (let i = 0; i < n; i++) w[i] -= lr * (g[i] + weightDecay * w[i]);
      return;
    }
    const v = buffers.velocity;
    if (options.momentumConvention === 'pytorch') {
      for (let i = 0; i < n; i++) {
        const gradient = g[i] + weightDecay * w[i];
        v[i] = momentum * v[i] + gradient;
        w[i] -= lr * (nesterov ? gradient + momentum * v[i] : v[i]);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const gradient = g[i] + weightDecay * w[i];
        v[i] = momentum * v[i] - lr * gradient;
        w[i] += nesterov ? momentum * v[i] - lr * gradient : v[i];
      }
    }
  }
}
