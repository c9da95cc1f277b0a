import type { UnaryOp } from '../kernels/index.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/index.js';
import { ValueError, checkNumber, formatValue } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { lookupName } from './names.js';

/**
 * The one registry of activation functions, used by `Dense`, the `Activation` layer, the model
 * document and the command line. Each entry names its formula and its parameters with defaults;
 * the functions themselves (and the derivative each uses) live in src/ops/activations.ts.
 *
 * Names are matched ignoring case and '-'/'_' ("leaky_relu" is `leakyRelu`); the aliases
 * `linear` (identity), `logistic` (sigmoid) and `swish` (silu) are accepted. Written documents
 * always use the canonical names below.
 */
export type ActivationName =
  | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'noisyRelu' | 'elu' | 'selu'
  | 'softplus' | 'gelu' | 'silu' | 'softmax' | 'logSoftmax';

/** An activation with its parameters; a parameter that is absent takes its default. */
export interface ActivationSpec {
  name: ActivationName;
  /** leakyRelu: the slope for z ≤ 0 (default 0.01). */
  slope?: number;
  /** elu: α (default 1). */
  alpha?: number;
  /** noisyRelu: standard deviation of the training-mode noise (default 1). */
  std?: number;
}

/** A name, or a spec with parameters. */
export type ActivationLike = ActivationName | ActivationSpec;

/** What an activation may need besides z: the mode and, for noisy ReLU, the generator. */
export interface ActivationContext {
  training: boolean;
  rng: Rng | null;
}

interface ParameterRule {
  default: number;
  min?: number;
}

export interface ActivationDefinition {
  /** The formula, for help texts and `backprop info`. */
  readonly formula: string;
  /** Parameters with their defaults. */
  readonly parameters: Readonly<Record<string, ParameterRule>>;
  /** Whether the function draws random numbers (in training mode). */
  readonly random: boolean;
  /** a = f(z) (recorded for backpropagation). */
  apply(z: Tensor, spec: ActivationSpec, context: ActivationContext): Tensor;
}

export const ACTIVATIONS: Readonly<Record<ActivationName, ActivationDefinition>> = {
  identity: plain('f(z) = z', ops.identity),
  sigmoid: plain('σ(z) = 1 / (1 + e^(−z))', ops.sigmoid),
  tanh: plain('tanh(z)', ops.tanh),
  relu: plain('max(0, z)', ops.relu),
  leakyRelu: {
    formula: 'z for z > 0, else slope·z',
    parameters: { slope: { default: 0.01 } },
    random: false,
    apply: (z, spec) => ops.leakyRelu(z, spec.slope ?? 0.01),
  },
  noisyRelu: {
    formula: 'max(0, z + ε), ε ~ N(0, std²) in training mode; max(0, z) in evaluation mode',
    parameters: { std: { default: 1, min: 0 } },
    random: true,
    apply: (z, spec, context) => {
      if (!context.training) return ops.relu(z);
      if (context.rng === null) throw new ValueError('noisyRelu: training mode needs a random generator (pass rng or seed to the layer)');
      return ops.noisyRelu(z, { std: spec.std ?? 1, training: true, rng: context.rng });
    },
  },
  elu: {
    formula: 'z for z > 0, else α(e^z − 1)',
    parameters: { alpha: { default: 1 } },
    random: false,
    apply: (z, spec) => ops.elu(z, spec.alpha ?? 1),
  },
  selu: plain('λ·(z for z > 0, else α(e^z − 1)), λ ≈ 1.0507, α ≈ 1.6733', ops.selu),
  softplus: plain('ln(1 + e^z)', ops.softplus),
  gelu: plain('z·Φ(z) (exact, via erf)', ops.gelu),
  silu: plain('z·σ(z)', ops.silu),
  softmax: plain('e^(zᵢ) / Σⱼ e^(zⱼ) over the last axis', ops.softmax),
  logSoftmax: plain('zᵢ − log Σⱼ e^(zⱼ) over the last axis', ops.logSoftmax),
};

function plain(formula: string, fn: (z: Tensor) => Tensor): ActivationDefinition {
  return { formula, parameters: {}, random: false, apply: (z) => fn(z) };
}

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

const ACTIVATION_ALIASES: Record<string, ActivationName> = { linear: 'identity', logistic: 'sigmoid', swish: 'silu' };

/**
 * Validates an activation given by name or spec and returns its spec with every parameter filled
 * in (`{ name: 'leakyRelu', slope: 0.01 }`). Errors name `where`, e.g. "Dense: activation: unknown
 * activation "relu6"; expected one of …" or "…: activation "tanh" has no parameter "slope"".
 */
export function resolveActivation(activation: unknown, where = 'activation'): ActivationSpec {
  const spec = typeof activation === 'string' ? { name: activation } : activation;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ValueError(`${where}: activation must be a name or an object with a name, got ${formatValue(activation)}`);
  }
  const fields = spec as Record<string, unknown>;
  const name = lookupName(where, 'activation', fields.name, ACTIVATION_NAMES, ACTIVATION_ALIASES);
  const rules = ACTIVATIONS[name].parameters;
  const resolved: Record<string, unknown> = { name };
  for (const key of Object.keys(fields)) {
    if (key !== 'name' && !(key in rules)) {
      const takes = Object.keys(rules);
      throw new ValueError(`${where}: activation "${name}" has no parameter "${key}"${takes.length ? ` (it takes ${takes.join(', ')})` : ''}`);
    }
  }
  for (const [key, rule] of Object.entries(rules)) {
    resolved[key] = checkNumber(where, key, fields[key] ?? rule.default, { min: rule.min });
  }
  return resolved as unknown as ActivationSpec;
}

/** a = f(z) for a resolved spec. */
export function applyActivation(z: Tensor, spec: ActivationSpec, context: ActivationContext): Tensor {
  return ACTIVATIONS[spec.name].apply(z, spec, context);
}

/**
 * The activation as one kernel op and its parameter (`unaryOp`'s), for the deterministic elementwise
 * activations; null for noisy ReLU (random), softmax and log-softmax (over a row).
 */
export function elementwiseKernel(spec: ActivationSpec): { op: UnaryOp; param: number } | null {
  switch (spec.name) {
    case 'noisyRelu': case 'softmax': case 'logSoftmax': return null;
    case 'leakyRelu': return { op: 'leakyRelu', param: spec.slope ?? 0.01 };
    case 'elu': return { op: 'elu', param: spec.alpha ?? 1 };
    default: return { op: spec.name, param: 0 };
  }
}

/** Whether the activation draws random numbers in training mode (noisy ReLU). */
export function isRandomActivation(spec: ActivationSpec): boolean {
  return ACTIVATIONS[spec.name].random;
}

/** A short display form with every parameter: "tanh", "leakyRelu(slope=0.2)". */
export function formatActivation(spec: ActivationSpec): string {
  const values = spec as unknown as Record<string, number | undefined>;
  const parameters = Object.entries(ACTIVATIONS[spec.name].parameters).map(([key, rule]) => `${key}=${values[key] ?? rule.default}`);
  return parameters.length ? `${spec.name}(${parameters.join(', ')})` : spec.name;
}
