import type { Tensor } from '../tensor/index.js';
import type { Rng } from '../util/rng.js';
import { ActivationLike, ActivationSpec, applyActivation, formatActivation, isRandomActivation, resolveActivation } from './activations.js';
import { ForwardRecord, RecordsActivations, keepForward } from './dense.js';
import { Module } from './module.js';
import { RandomOptions, generatorFrom } from './random.js';

/**
 * A layer that applies an activation function a = f(z) elementwise (softmax and log-softmax over
 * the last axis); no parameters. Built by name or spec from the one registry (`ACTIVATIONS`):
 * `new Activation('tanh')`, `new Activation({ name: 'leakyRelu', slope: 0.2 })`. A noisy ReLU
 * draws its training-mode noise from `rng`, or from `new Rng(seed)`, or a fork of the default generator (see `setDefaultSeed`).
 */
export class Activation extends Module implements RecordsActivations {
  readonly activation: ActivationSpec;
  /** Keep z (the input) and a (the output) of each forward pass in `lastForward` (default false). */
  recordActivations = false;
  lastForward: ForwardRecord | null = null;
  private readonly noiseRng: Rng | null;

  constructor(activation: ActivationLike, options: RandomOptions = {}) {
    super();
    this.activation = resolveActivation(activation, 'Activation');
    this.noiseRng = isRandomActivation(this.activation) ? generatorFrom('Activation', options) : null;
  }

  override get rng(): Rng | null {
    return this.noiseRng;
  }

  forward(x: Tensor): Tensor {
    const activation = applyActivation(x, this.activation, { training: this.training, rng: this.noiseRng });
    keepForward(this, x, activation);
    return activation;
  }

  override toString(): string {
    return `Activation(${formatActivation(this.activation)})`;
  }
}
