import type { DType } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';
import { stackForward, stackState } from '../ops/stack.js';
import type { DenseStage, StackState } from '../ops/stack.js';
import { ShapeError, ValueError, checkKnownKeys, checkNumber, formatShape, formatValue } from '../util/errors.js';
import { ActivationLike, resolveActivation } from './activations.js';
import { Dense, RecordsActivations } from './dense.js';
import { Dropout, DropoutMode } from './dropout.js';
import { Initializer, resolveInitializer } from './init.js';
import { Module } from './module.js';
import { RandomOptions, generatorFrom } from './random.js';

/** Dense's own forward: a layer whose forward is anything else (a subclass, a patch) runs it. */
const DENSE_FORWARD = Dense.prototype.forward;

/**
 * Modules applied in order: forward(x) = layers[k−1](…layers[1](layers[0](x))). Children are
 * named by position, so parameters are `0.weight`, `0.bias`, `1.weight`, ….
 */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(layers: readonly Module[]) {
    super();
    if (!Array.isArray(layers)) throw new ValueError(`Sequential: layers must be an array of modules, got ${formatValue(layers)}`);
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new ValueError(`Sequential: layers[${i}] must be a Module, got ${formatValue(layer)}`);
      this.registerModule(String(i), layer);
    });
    this.layers = Object.freeze(layers.slice());
  }

  forward(x: Tensor): Tensor {
    // The stages once made stay valid while no layer records activations or has its forward replaced
    // (checked here in one short loop, rather than denseStages' checks at every call).
    const made = this.stages;
    if (made !== null && x.shape.length === 2 && x.shape[1] === this.stackInputs && x.dtype === this.stackDtype && this.stagesStillApply()) {
      return stackForward(x, made, this.stackState);
    }
    const stages = this.denseStages(x);
    // denseStages checked the widths against x and the weights' dtype; each Dense layer's constructor
    // fixed its weight and bias shapes and dtype: no need for denseStack's checks.
    if (stages !== null) return stackForward(x, stages, this.stackState);
    let output = x;
    for (const layer of this.layers) output = layer.forward(output);
    return output;
  }

  /**
   * The layers as `denseStack` stages when every one is a Dense layer whose forward is one
   * `linearActivation` (at least two of them, of the input's dtype), else null. Checks each
   * layer's input width as Dense.forward would, with its message.
   */
  private denseStages(x: Tensor): readonly DenseStage[] | null {
    const layers = this.layers;
    if (layers.length < 2 || x.rank !== 2) return null;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (!(layer instanceof Dense) || layer.forward !== DENSE_FORWARD || layer.stackedKernel === null || layer.weight.dtype !== x.dtype) return null;
    }
    let width = x.shape[1];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i] as Dense;
      if (width !== layer.inputs) throw new ShapeError(`${layer}: input must have shape [batch, ${layer.inputs}], got ${formatShape([x.shape[0], width])}`);
      width = layer.units;
    }
    // Made once: the layers are fixed, and so are each Dense layer's weight, bias and kernel op.
    if (this.stages === null) {
      this.stages = Object.freeze(layers.map((layer) => {
        const dense = layer as Dense;
        const kernel = dense.stackedKernel!;
        return Object.freeze({ weight: dense.weight, bias: dense.bias, op: kernel.op, param: kernel.param });
      }));
      this.stackState = stackState(this.stages);
      this.stackInputs = (layers[0] as Dense).inputs;
      this.stackDtype = (layers[0] as Dense).weight.dtype;
    }
    return this.stages;
  }

  /** Whether the stages made earlier still describe the layers' forward passes (see denseStages). */
  private stagesStillApply(): boolean {
    const layers = this.layers as readonly Dense[];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (layer.forward !== DENSE_FORWARD || layer.recordActivations) return false;
    }
    return true;
  }

  /** The input width and dtype of the stages, once made. */
  private stackInputs = 0;
  private stackDtype: DType = 'float32';

  /** The `denseStack` stages of the layers, once made (see denseStages). */
  private stages: readonly DenseStage[] | null = null;
  /** The stages as one stack for the backend's stack kernels (see stackState), made with them. */
  private stackState: StackState | null = null;

  override toString(): string {
    return `Sequential(\n${this.layers.map((layer, i) => `  (${i}) ${layer}`).join('\n')}\n)`;
  }
}

/** `new Sequential(layers)`. */
export function sequential(layers: readonly Module[]): Sequential {
  return new Sequential(layers);
}

export interface MlpOptions extends RandomOptions {
  /** Layer widths [inputs, hidden₁, …, outputs]; at least two entries, each a positive integer. */
  sizes: readonly number[];
  /** Activation of the hidden layers (default 'relu'). */
  activation?: ActivationLike;
  /** Activation of the output layer (default 'identity': raw outputs or logits). */
  outputActivation?: ActivationLike;
  /** Weight initialiser of every layer (default: by each layer's activation, see `defaultInitializer`). */
  init?: Initializer;
  /** Whether the layers have biases (default true). */
  bias?: boolean;
  /** Drop rate of a Dropout after each hidden layer (default 0: no Dropout layers). */
  dropout?: number;
  /** Mode of those Dropout layers (default 'inverted'). */
  dropoutMode?: DropoutMode;
  /** Default 'float32'. */
  dtype?: DType;
}

/**
 * A multilayer perceptron: Dense layers of widths `sizes`, the hidden ones with `activation`
 * (each followed by Dropout when `dropout` > 0), the last with `outputActivation`.
 * All randomness comes from one generator (`rng`, or `new Rng(seed)`, or a fork of the default generator (see `setDefaultSeed`)): the layers draw their
 * weights from it in order, and each Dropout forks its mask generator from it when built, so one
 * seed reproduces the whole model.
 *
 * Example: `mlp({ sizes: [2, 4, 1], activation: 'tanh', outputActivation: 'sigmoid', seed: 1 })`.
 */
export function mlp(options: MlpOptions): Sequential {
  if (typeof options !== 'object' || options === null) throw new ValueError(`mlp: options must be an object, got ${formatValue(options)}`);
  checkKnownKeys('mlp', options, ['sizes', 'activation', 'outputActivation', 'init', 'bias', 'dropout', 'dropoutMode', 'dtype', 'rng', 'seed']);
  const sizes = options.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2) throw new ValueError(`mlp: sizes must list at least the input and output widths, got ${formatValue(sizes)}`);
  sizes.forEach((size, i) => checkNumber('mlp', `sizes[${i}]`, size, { min: 1, integer: true }));
  const dropout = checkNumber('mlp', 'dropout', options.dropout ?? 0, { min: 0 });
  if (!(dropout < 1)) throw new ValueError(`mlp: dropout must be a drop rate < 1, got ${dropout}`);
  // Resolved here so a bad value is reported even when no layer would use it (sizes of length 2).
  const activation = resolveActivation(options.activation ?? 'relu', 'mlp: activation');
  const outputActivation = resolveActivation(options.outputActivation ?? 'identity', 'mlp: outputActivation');
  const init = options.init === undefined ? undefined : resolveInitializer(options.init, 'mlp: init');
  const rng = generatorFrom('mlp', options);
  const layers: Module[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const isOutput = i === sizes.length - 1;
    layers.push(new Dense({
      inputs: sizes[i - 1],
      units: sizes[i],
      activation: isOutput ? outputActivation : activation,
      init,
      bias: options.bias,
      dtype: options.dtype,
      rng,
    }));
    if (!isOutput && dropout > 0) layers.push(new Dropout({ rate: dropout, mode: options.dropoutMode, rng: rng.fork() }));
  }
  return new Sequential(layers);
}

/**
 * Turns recording of each forward pass (z and a, see `ForwardRecord`) on or off for every layer of
 * `model` that supports it, and clears what was recorded. Returns those layers with their paths.
 */
export function recordActivations(model: Module, on = true): [string, Module & RecordsActivations][] {
  const layers: [string, Module & RecordsActivations][] = [];
  for (const [path, module] of model.namedModules()) {
    if ('recordActivations' in module && 'lastForward' in module) {
      const layer = module as Module & RecordsActivations;
      layer.recordActivations = on;
      layer.lastForward = null;
      layers.push([path, layer]);
    }
  }
  return layers;
}

/**
 * Runs `fn` with every layer of `model` recording its forward pass (`recordActivations(model, true)`,
 * whose list `fn` receives), then puts each layer's `recordActivations` and `lastForward` back as
 * they were: a caller's own recording, and its last record, survive a look the library takes
 * (fit's gradient-health probe, the NaN guard's search for the first non-finite layer).
 */
export function withRecordedActivations<T>(model: Module, fn: (layers: [string, Module & RecordsActivations][]) => T): T {
  const saved: [Module & RecordsActivations, boolean, RecordsActivations['lastForward']][] = [];
  for (const [, module] of model.namedModules()) {
    if ('recordActivations' in module && 'lastForward' in module) {
      const layer = module as Module & RecordsActivations;
      saved.push([layer, layer.recordActivations, layer.lastForward]);
    }
  }
  const layers = recordActivations(model, true);
  try {
    return fn(layers);
  } finally {
    for (const [layer, on, last] of saved) {
      layer.recordActivations = on;
      layer.lastForward = last;
    }
  }
}
