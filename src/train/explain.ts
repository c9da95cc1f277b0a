import type { FloatArray } from '../kernels/index.js';
import { unaryDerivative } from '../kernels/js/elementwise.js';
import { Activation, Dense, Dropout, Module, Sequential } from '../nn/index.js';
import type { ActivationSpec } from '../nn/index.js';
import { createOptimizer } from '../optim/index.js';
import type { OptimizerName } from '../optim/index.js';
import { Tensor } from '../tensor/index.js';
import { ValueError } from '../util/errors.js';
import { resolveLoss } from './losses.js';
import type { LossName, Targets } from './losses.js';

/**
 * One training step of a small network written out number by number, in the textbook notation
 * (docs/notation.md): for each layer l the pre-activation zˡ = aˡ⁻¹·(Wˡ)ᵀ + bˡ and activation
 * aˡ = f(zˡ); the loss C; going backwards δˡ = ∂C/∂zˡ (δᴸ = ∂C/∂aᴸ ⊙ f′(zᴸ) at the output,
 * δˡ = δˡ⁺¹·Wˡ⁺¹ ⊙ f′(zˡ) below), ∂C/∂Wˡ = (δˡ)ᵀ·aˡ⁻¹, ∂C/∂bˡ = Σ_batch δˡ; and the weights after one
 * optimiser step. Computed in float64 on a copy of the network (the model is not changed).
 */
export interface ExplainedLayer {
  /** Position among the dense layers (1-based, as l in the textbook). */
  index: number;
  /** E.g. "Dense(2→2, sigmoid)". */
  description: string;
  activation: string;
  /** aˡ⁻¹, the layer's input, [batch][inputs]. */
  input: number[][];
  /** Wˡ, [out][in], and bˡ (null without bias), before the update. */
  weights: number[][];
  biases: number[] | null;
  /** zˡ and aˡ, [batch][units]. */
  z: number[][];
  a: number[][];
  /** ∂C/∂aˡ, [batch][units]. */
  gradA: number[][];
  /** f′(zˡ), [batch][units]; null for softmax (whose Jacobian is not diagonal). */
  derivative: number[][] | null;
  /** δˡ = ∂C/∂zˡ, [batch][units]. */
  delta: number[][];
  /** ∂C/∂Wˡ, [out][in], and ∂C/∂bˡ (null without bias). */
  gradWeights: number[][];
  gradBiases: number[] | null;
  /** Wˡ and bˡ after the optimiser step. */
  updatedWeights: number[][];
  updatedBiases: number[] | null;
}

export interface Explanation {
  /** The loss's name and its reduction, e.g. "halfSquaredError: ½·Σ(y − t)² per sample, mean over the batch". */
  lossName: string;
  lossDescription: string;
  loss: number;
  /** The input batch a⁰ = x, [batch][features], and the targets as given. */
  input: number[][];
  target: number[][] | number[];
  layers: ExplainedLayer[];
  /** ∂C/∂x, [batch][features]. */
  gradInput: number[][];
  optimizer: { name: string; lr: number; options: Record<string, number | boolean | string> };
}

export interface ExplainOptions {
  loss: LossName;
  /** Optimiser by name (default 'sgd', i.e. w := w − ε·∂C/∂w). */
  optimizer?: OptimizerName;
  /** Learning rate ε (default 0.5, a common textbook choice). */
  lr?: number;
  /** Further optimiser options (momentum, betas…). */
  optimizerOptions?: Record<string, number | boolean | string>;
}

interface PlannedLayer {
  dense: Dense;
  activation: ActivationSpec;
}

/** Dense layers with the activation that follows each (a separate Activation layer merges into its Dense). */
function planLayers(model: Module): PlannedLayer[] {
  const modules = model instanceof Sequential ? model.layers : [model];
  const planned: PlannedLayer[] = [];
  modules.forEach((module, i) => {
    if (module instanceof Dense) {
      planned.push({ dense: module, activation: module.activation });
    } else if (module instanceof Activation) {
      const last = planned.at(-1);
      if (!last || last.activation.name !== 'identity') throw new ValueError(`explain: layer ${i} (${module}) must follow a Dense layer without an activation`);
      last.activation = module.activation;
    } else if (!(module instanceof Dropout)) {
      throw new ValueError(`explain: layer ${i} (${module}) is not supported; explain handles Dense, Activation and Dropout layers`);
    }
  });
  if (planned.length === 0) throw new ValueError('explain: the model has no Dense layer');
  return planned;
}

function rows(data: FloatArray, columns: number): number[][] {
  const result: number[][] = [];
  for (let start = 0; start < data.length; start += columns) result.push(Array.from(data.subarray(start, start + columns)));
  return result;
}

/**
 * Runs one forward pass, backward pass and optimiser step of `model` (Dense/Activation/Dropout
 * layers; dropout is off, as in evaluation) on the batch x with targets y, in float64.
 */
export function explainStep(model: Module, x: Tensor, y: Targets, options: ExplainOptions): Explanation {
  const loss = resolveLoss(options.loss, 'explain: loss');
  const plan = planLayers(model);
  const features = plan[0].dense.inputs;
  if (x.rank !== 2 || x.shape[1] !== features) throw new ValueError(`explain: input must have shape [batch, ${features}], got [${x.shape.join(',')}]`);
  const lr = options.lr ?? 0.5;
  // Float64 twins of the layers, each with its activation, recording z and a.
  const twins = plan.map(({ dense, activation }) => {
    const twin = new Dense({ inputs: dense.inputs, units: dense.units, bias: dense.bias !== null, activation, dtype: 'float64', init: 'zeros' });
    twin.weight.data.set(dense.weight.data);
    if (dense.bias && twin.bias) twin.bias.data.set(dense.bias.data);
    twin.recordActivations = true;
    twin.eval();
    return twin;
  });
  const network = new Sequential(twins).eval();
  const input = new Tensor(Float64Array.from(x.data), x.shape, true);
  const target: Targets = y instanceof Tensor ? new Tensor(Float64Array.from(y.data), y.shape) : y;
  const output = network.forward(input);
  const lossValue = loss.fn(output, target);
  lossValue.backward();
  const before = twins.map((twin) => ({ weights: rows(twin.weight.data.slice(), twin.inputs), biases: twin.bias ? Array.from(twin.bias.data) : null }));
  const optimizerName = options.optimizer ?? 'sgd';
  const optimizer = createOptimizer(optimizerName, network.parameters(), { lr, ...(options.optimizerOptions ?? {}) });
  const layers: ExplainedLayer[] = twins.map((twin, i) => {
    const record = twin.lastForward!;
    const z = record.preActivation;
    const a = record.activation;
    const units = twin.units;
    const spec = twin.activation;
    let derivative: number[][] | null = null;
    if (spec.name !== 'softmax' && spec.name !== 'logSoftmax') {
      const values = new Float64Array(z.size);
      const param = (spec as { slope?: number; alpha?: number }).slope ?? (spec as { alpha?: number }).alpha ?? 0;
      const op = spec.name === 'noisyRelu' ? 'relu' : spec.name;
      for (let k = 0; k < z.size; k++) values[k] = unaryDerivative(op as never, z.data[k], a.data[k], param);
      derivative = rows(values, units);
    }
    return {
      index: i + 1,
      description: String(twin),
      activation: spec.name,
      input: i === 0 ? rows(input.data, features) : rows(twins[i - 1].lastForward!.activation.data, twins[i - 1].units),
      weights: before[i].weights,
      biases: before[i].biases,
      z: rows(z.data, units),
      a: rows(a.data, units),
      gradA: rows(a.grad!.data, units),
      derivative,
      delta: rows(z.grad!.data, units),
      gradWeights: rows(twin.weight.grad!.data, twin.inputs),
      gradBiases: twin.bias ? Array.from(twin.bias.grad!.data) : null,
      updatedWeights: [],
      updatedBiases: null,
    };
  });
  optimizer.step();
  twins.forEach((twin, i) => {
    layers[i].updatedWeights = rows(twin.weight.data, twin.inputs);
    layers[i].updatedBiases = twin.bias ? Array.from(twin.bias.data) : null;
  });
  const config = optimizer.config();
  return {
    lossName: loss.name,
    lossDescription: loss.description,
    loss: lossValue.item(),
    input: rows(input.data, features),
    target: y instanceof Tensor ? rows(y.data, y.size / y.shape[0]) : Array.from(y),
    layers,
    gradInput: rows(input.grad!.data, features),
    optimizer: { name: config.name, lr, options: config.options },
  };
}

