import { mul, scale } from '../ops/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { ValueError, checkKnownKeys, checkNumber, formatValue } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { Module } from './module.js';
import { RandomOptions, generatorFrom } from './random.js';

/** 'inverted' (default; scale at training time) or 'classic' (the textbook's; scale at test time). */
export type DropoutMode = 'inverted' | 'classic';

export interface DropoutOptions extends RandomOptions {
  /** Drop rate r in [0, 1): the probability that a unit is zeroed in training mode. */
  rate: number;
  /** Default 'inverted'. */
  mode?: DropoutMode;
}

/**
 * Dropout (Srivastava et al. 2014). In training mode each element is kept with probability
 * p = 1 − rate (the textbook's retain probability) and zeroed otherwise, by an independent mask
 * m ~ Bernoulli(p) drawn from the layer's seeded generator (one uniform draw per element, in
 * row-major order; kept when u < p).
 *
 * - `inverted` (default): training y = x ⊙ m / p; evaluation y = x. Scaling the kept units by 1/p
 *   keeps E[y] = x during training, so evaluation needs no change.
 * - `classic` (the textbook form): training y = x ⊙ m; evaluation y = p·x, which scales the
 *   activations to their expected training-time value E[x ⊙ m] = p·x.
 *
 * The modes differ only in where the factor p goes (divided out while training, or multiplied in
 * at test time), so they describe the same networks: the next layer's weights relate by
 * W_inverted = p·W_classic, giving identical outputs in both phases. Gradients flow through the
 * same mask: ∂C/∂x = ∂C/∂y ⊙ m / p (inverted) or ∂C/∂y ⊙ m (classic).
 * A rate of 0 makes the layer the identity in both modes.
 */
export class Dropout extends Module {
  readonly rate: number;
  readonly mode: DropoutMode;
  private readonly maskRng: Rng;

  constructor(options: DropoutOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new ValueError(`Dropout: options must be an object, got ${formatValue(options)}`);
    checkKnownKeys('Dropout', options, ['rate', 'mode', 'rng', 'seed']);
    this.rate = checkNumber('Dropout', 'rate', options.rate, { min: 0 });
    if (!(this.rate < 1)) throw new ValueError(`Dropout: rate must be < 1 (a rate of 1 drops every unit), got ${this.rate}`);
    const mode = options.mode ?? 'inverted';
    if (mode !== 'inverted' && mode !== 'classic') throw new ValueError(`Dropout: mode must be "inverted" or "classic", got ${formatValue(mode)}`);
    this.mode = mode;
    this.maskRng = generatorFrom('Dropout', options);
  }

  /** The retain probability p = 1 − rate. */
  get keepProbability(): number {
    return 1 - this.rate;
  }

  override get rng(): Rng {
    return this.maskRng;
  }

  forward(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    const keep = this.keepProbability;
    if (!this.training) return this.mode === 'inverted' ? x : scale(x, keep);
    const kept = this.mode === 'inverted' ? 1 / keep : 1;
    const mask = allocate(x.dtype, x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.maskRng.uniform() < keep ? kept : 0;
    return mul(x, new Tensor(mask, x.shape));
  }

  override toString(): string {
    return `Dropout(rate=${this.rate}${this.mode === 'classic' ? ', classic' : ''})`;
  }
}
