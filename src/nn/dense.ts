import { isGradEnabled } from '../autograd/index.js';
import type { DType, UnaryOp } from '../kernels/index.js';
import { linear, linearActivation } from '../ops/index.js';
import type { Tensor } from '../tensor/index.js';
import { ShapeError, ValueError, checkKnownKeys, checkNumber, formatShape, formatValue } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { ActivationLike, ActivationName, ActivationSpec, applyActivation, elementwiseKernel, formatActivation, isRandomActivation, resolveActivation } from './activations.js';
import { Initializer, initTensor, resolveInitializer } from './init.js';
import { Module } from './module.js';
import { RandomOptions, generatorFrom } from './random.js';

/**
 * What a layer saw in its last forward pass while `recordActivations` is on: the pre-activation
 * z and the activation a = f(z), both [batch, units]. When the pass recorded a graph, both keep
 * their gradient after `backward()`: `preActivation.grad` is δ = ∂C/∂z and `activation.grad` is
 * ∂C/∂a (for the identity activation the two are the same tensor).
 */
export interface ForwardRecord {
  preActivation: Tensor;
  activation: Tensor;
}

/** Layers that can keep their last forward pass (Dense and Activation). */
export interface RecordsActivations {
  recordActivations: boolean;
  lastForward: ForwardRecord | null;
}

/** Keeps z and a on `layer` when it records (retaining their gradients when a graph was built). */
export function keepForward(layer: RecordsActivations, preActivation: Tensor, activation: Tensor): void {
  if (!layer.recordActivations) return;
  if (isGradEnabled()) {
    if (preActivation.requiresGrad) preActivation.retainGrad();
    if (activation.requiresGrad) activation.retainGrad();
  }
  layer.lastForward = { preActivation, activation };
}

/** The initialiser Dense uses when none is given: He for the ReLU family, LeCun for SELU, Xavier otherwise. */
export function defaultInitializer(activation: ActivationName): Initializer {
  switch (activation) {
    case 'relu': case 'leakyRelu': case 'noisyRelu': case 'elu': case 'gelu': case 'silu': return 'heNormal';
    case 'selu': return 'lecunNormal';
    default: return 'xavierUniform';
  }
}

export interface DenseOptions extends RandomOptions {
  /** Number of input features m. */
  inputs: number;
  /** Number of neurons n. */
  units: number;
  /** Whether the layer adds a bias b (default true). */
  bias?: boolean;
  /** f, by name or spec (default 'identity'); see `ACTIVATIONS`. */
  activation?: ActivationLike;
  /** Initialiser of W (default by activation: `defaultInitializer`). */
  init?: Initializer;
  /** Initialiser of b (default 'zeros'). */
  biasInit?: Initializer;
  /** 'float32' (default) or 'float64' (for gradient checks). */
  dtype?: DType;
}

/**
 * A fully connected layer: for a batch x of shape [batch, m],
 *
 *   z = x·Wᵀ + b,   a = f(z),
 *
 * with W of shape [n, m] (`weight`; row j holds the weights into neuron j, the textbook W of
 * shape (n, m) acting on a column vector as z = Wx + b), b of shape [n] (`bias`, or null without
 * bias) and f the activation. Backpropagation gives δ = ∂C/∂z = ∂C/∂a ⊙ f′(z),
 * ∂C/∂W = δᵀ·x, ∂C/∂b = Σ_batch δ and ∂C/∂x = δ·W.
 *
 * Defaults: bias on, identity activation, W from `defaultInitializer(activation)`, b zeros,
 * float32, randomness from `new Rng(seed)`, or a fork of the default generator (see `setDefaultSeed`) unless `rng` is given. W is drawn first; a noisy
 * ReLU then forks its noise generator from the same stream.
 */
export class Dense extends Module implements RecordsActivations {
  readonly inputs: number;
  readonly units: number;
  /** The activation with all its parameters. */
  readonly activation: ActivationSpec;
  /** W, shape [units, inputs]. */
  readonly weight: Tensor;
  /** b, shape [units], or null. */
  readonly bias: Tensor | null;
  /** Keep z and a of each forward pass in `lastForward` (default false; costs nothing when off). */
  recordActivations = false;
  lastForward: ForwardRecord | null = null;
  private readonly noiseRng: Rng | null;
  /** The activation as one kernel op (null for noisy ReLU and softmax): forward then takes one fused op. */
  private readonly kernel: { op: UnaryOp; param: number } | null;

  constructor(options: DenseOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new ValueError(`Dense: options must be an object, got ${formatValue(options)}`);
    checkKnownKeys('Dense', options, ['inputs', 'units', 'bias', 'activation', 'init', 'biasInit', 'dtype', 'rng', 'seed']);
    this.inputs = checkNumber('Dense', 'inputs', options.inputs, { min: 1, integer: true });
    this.units = checkNumber('Dense', 'units', options.units, { min: 1, integer: true });
    const hasBias = options.bias ?? true;
    if (typeof hasBias !== 'boolean') throw new ValueError(`Dense: bias must be true or false, got ${formatValue(options.bias)}`);
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`Dense: dtype must be "float32" or "float64", got ${formatValue(dtype)}`);
    this.activation = resolveActivation(options.activation ?? 'identity', 'Dense: activation');
    const weightInit = resolveInitializer(options.init ?? defaultInitializer(this.activation.name), 'Dense: init');
    const biasInit = resolveInitializer(options.biasInit ?? 'zeros', 'Dense: biasInit');
    const rng = generatorFrom('Dense', options);
    this.weight = this.registerParameter('weight', initTensor([this.units, this.inputs], weightInit, rng, { dtype }));
    this.bias = hasBias ? this.registerParameter('bias', initTensor([this.units], biasInit, rng, { dtype })) : null;
    this.noiseRng = isRandomActivation(this.activation) ? rng.fork() : null;
    this.kernel = elementwiseKernel(this.activation);
  }

  /**
   * @internal The kernel op and parameter of this layer's one-op forward (`linearActivation`), or
   * null when forward takes another path (recorded activations, noisy ReLU, softmax): a
   * Sequential of such layers runs them as one `denseStack`.
   */
  get stackedKernel(): { op: UnaryOp; param: number } | null {
    return this.recordActivations ? null : this.kernel;
  }

  override get rng(): Rng | null {
    return this.noiseRng;
  }

  /** a = f(x·Wᵀ + b) for x of shape [batch, inputs]; returns [batch, units]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inputs) {
      throw new ShapeError(`${this}: input must have shape [batch, ${this.inputs}], got ${formatShape(x.shape)}`);
    }
    if (!this.recordActivations && this.kernel !== null) return linearActivation(x, this.weight, this.bias, this.kernel.op, this.kernel.param);
    const preActivation = linear(x, this.weight, this.bias);
    const activation = applyActivation(preActivation, this.activation, { training: this.training, rng: this.noiseRng });
    keepForward(this, preActivation, activation);
    return activation;
  }

  override toString(): string {
    return `Dense(${this.inputs}→${this.units}, ${formatActivation(this.activation)}${this.bias ? '' : ', no bias'})`;
  }
}
