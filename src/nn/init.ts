import type { DType } from '../kernels/index.js';
import { Tensor, allocate, shapeSize } from '../tensor/index.js';
import { ShapeError, ValueError, checkNumber, formatShape, formatValue } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { lookupName } from './names.js';

/**
 * Weight initialisers. Every random one draws from the `Rng` it is given, element by element in
 * row-major order, so the same seed gives the same numbers on every platform.
 *
 * Fans come from the weight shape [out, in] (row j holds the weights into neuron j):
 * fanIn = in (the shape's last axis), fanOut = out (the first axis). For a 1-D shape [n],
 * fanIn = fanOut = n. For higher ranks, the axes after the first two multiply both fans
 * (a receptive field), as in PyTorch and Keras.
 *
 * | name            | distribution     | limit l or standard deviation σ            |
 * |-----------------|------------------|--------------------------------------------|
 * | `zeros`         | 0                |                                            |
 * | `constant`      | `value` (0)      |                                            |
 * | `uniform`       | U(low, high)     | defaults low = −0.05, high = 0.05          |
 * | `normal`        | N(mean, std²)    | defaults mean = 0, std = 0.05              |
 * | `xavierUniform` | U(−l, l)         | l = gain·√(6 / (fanIn + fanOut))           |
 * | `xavierNormal`  | N(0, σ²)         | σ = gain·√(2 / (fanIn + fanOut))           |
 * | `heUniform`     | U(−l, l)         | l = gain·√(6 / fanIn)                      |
 * | `heNormal`      | N(0, σ²)         | σ = gain·√(2 / fanIn)                      |
 * | `lecunUniform`  | U(−l, l)         | l = gain·√(3 / fanIn)                      |
 * | `lecunNormal`   | N(0, σ²)         | σ = gain·√(1 / fanIn)                      |
 *
 * `gain` defaults to 1. Xavier/Glorot (Glorot & Bengio 2010) keeps the variance of activations and
 * gradients equal for tanh/sigmoid-like units; He/Kaiming (He et al. 2015) doubles the variance to
 * make up for ReLU zeroing half its inputs; LeCun (LeCun et al. 1998) suits SELU. The normal forms
 * are plain (not truncated) normals. Names are matched ignoring case and '-'/'_'; the aliases
 * `glorotUniform`, `glorotNormal`, `kaimingUniform`, `kaimingNormal` are accepted, and the bare
 * `xavier`/`glorot`, `he`/`kaiming` and `lecun` mean `xavierUniform`, `heNormal` and `lecunNormal`.
 */
export type InitializerName =
  | 'zeros' | 'constant' | 'uniform' | 'normal'
  | 'xavierUniform' | 'xavierNormal' | 'heUniform' | 'heNormal' | 'lecunUniform' | 'lecunNormal';

export const INITIALIZER_NAMES: readonly InitializerName[] = [
  'zeros', 'constant', 'uniform', 'normal', 'xavierUniform', 'xavierNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
];

const INITIALIZER_ALIASES: Record<string, InitializerName> = {
  glorotUniform: 'xavierUniform', glorotNormal: 'xavierNormal', kaimingUniform: 'heUniform', kaimingNormal: 'heNormal',
  xavier: 'xavierUniform', glorot: 'xavierUniform', he: 'heNormal', kaiming: 'heNormal', lecun: 'lecunNormal',
};

/** An initialiser with its parameters; fields that do not apply to `name` must be absent. */
export interface InitializerSpec {
  name: InitializerName;
  /** `constant`: the value (default 0). */
  value?: number;
  /** `uniform`: the bounds (defaults −0.05 and 0.05). */
  low?: number;
  high?: number;
  /** `normal`: mean (default 0) and standard deviation (default 0.05). */
  mean?: number;
  std?: number;
  /** Fan-based initialisers: multiplies the limit or the standard deviation (default 1). */
  gain?: number;
}

/** A name, or a spec with parameters. */
export type Initializer = InitializerName | InitializerSpec;

/** What an initialiser draws for a given shape: a constant, U(low, high) or N(mean, std²). */
export type InitDistribution =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'normal'; mean: number; std: number };

const PARAMETERS: Record<InitializerName, readonly (keyof InitializerSpec)[]> = {
  zeros: [], constant: ['value'], uniform: ['low', 'high'], normal: ['mean', 'std'],
  xavierUniform: ['gain'], xavierNormal: ['gain'], heUniform: ['gain'], heNormal: ['gain'], lecunUniform: ['gain'], lecunNormal: ['gain'],
};

/** Validates an initialiser given by name or spec and returns a spec with every parameter filled in. */
export function resolveInitializer(init: unknown, where = 'init'): Required<Pick<InitializerSpec, 'name'>> & InitializerSpec {
  const spec = typeof init === 'string' ? { name: init } : init;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ValueError(`${where}: initialiser must be a name or an object with a name, got ${formatValue(init)}`);
  }
  const fields = spec as Record<string, unknown>;
  const name = lookupName(where, 'initialiser', fields.name, INITIALIZER_NAMES, INITIALIZER_ALIASES);
  const allowed = PARAMETERS[name];
  for (const key of Object.keys(fields)) {
    if (key !== 'name' && !allowed.includes(key as keyof InitializerSpec)) {
      throw new ValueError(`${where}: initialiser "${name}" has no parameter "${key}"${allowed.length ? ` (it takes ${allowed.join(', ')})` : ''}`);
    }
  }
  const number = (key: string, fallback: number, bounds = {}): number => checkNumber(where, key, fields[key] ?? fallback, bounds);
  switch (name) {
    case 'zeros': return { name };
    case 'constant': return { name, value: number('value', 0) };
    case 'uniform': {
      const low = number('low', -0.05);
      const high = number('high', 0.05);
      if (!(low <= high)) throw new ValueError(`${where}: uniform initialiser needs low <= high, got low=${low}, high=${high}`);
      return { name, low, high };
    }
    case 'normal': return { name, mean: number('mean', 0), std: number('std', 0.05, { min: 0 }) };
    default: return { name, gain: number('gain', 1, { min: 0 }) };
  }
}

/** fanIn and fanOut of a weight of shape [out, in, ...receptive field]; see the table above. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) throw new ShapeError(`fans: a scalar has no fan-in or fan-out (shape ${formatShape(shape)})`);
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptiveField = shapeSize(shape.slice(2));
  return { fanIn: shape[1] * receptiveField, fanOut: shape[0] * receptiveField };
}

/** The distribution `init` draws from for a weight of `shape` (the formulas of the table above). */
export function initDistribution(init: Initializer, shape: readonly number[]): InitDistribution {
  const spec = resolveInitializer(init);
  const gain = spec.gain ?? 1;
  const fanBased = (): { fanIn: number; fanOut: number } => {
    const f = fans(shape);
    if (f.fanIn === 0 || f.fanOut === 0) throw new ShapeError(`init: ${spec.name} needs non-zero fans, got shape ${formatShape(shape)}`);
    return f;
  };
  switch (spec.name) {
    case 'zeros': return { kind: 'constant', value: 0 };
    case 'constant': return { kind: 'constant', value: spec.value! };
    case 'uniform': return { kind: 'uniform', low: spec.low!, high: spec.high! };
    case 'normal': return { kind: 'normal', mean: spec.mean!, std: spec.std! };
    case 'xavierUniform': { const { fanIn, fanOut } = fanBased(); return symmetric(gain * Math.sqrt(6 / (fanIn + fanOut))); }
    case 'xavierNormal': { const { fanIn, fanOut } = fanBased(); return { kind: 'normal', mean: 0, std: gain * Math.sqrt(2 / (fanIn + fanOut)) }; }
    case 'heUniform': return symmetric(gain * Math.sqrt(6 / fanBased().fanIn));
    case 'heNormal': return { kind: 'normal', mean: 0, std: gain * Math.sqrt(2 / fanBased().fanIn) };
    case 'lecunUniform': return symmetric(gain * Math.sqrt(3 / fanBased().fanIn));
    case 'lecunNormal': return { kind: 'normal', mean: 0, std: gain * Math.sqrt(1 / fanBased().fanIn) };
  }
}

function symmetric(limit: number): InitDistribution {
  return { kind: 'uniform', low: -limit, high: limit };
}

export interface InitOptions {
  /** 'float32' (default) or 'float64'. */
  dtype?: DType;
  /** Default false; parameters set it to true. */
  requiresGrad?: boolean;
}

/**
 * A new tensor of `shape` filled by `init`, drawing from `rng` in row-major order (constant
 * initialisers draw nothing, so they do not advance `rng`).
 */
export function initTensor(shape: readonly number[], init: Initializer, rng: Rng, options: InitOptions = {}): Tensor {
  const distribution = initDistribution(init, shape);
  const data = allocate(options.dtype ?? 'float32', shapeSize(shape));
  if (distribution.kind === 'constant') data.fill(distribution.value);
  else if (distribution.kind === 'uniform') for (let i = 0; i < data.length; i++) data[i] = rng.uniformRange(distribution.low, distribution.high);
  else for (let i = 0; i < data.length; i++) data[i] = distribution.mean + distribution.std * rng.normal();
  return new Tensor(data, shape, options.requiresGrad ?? false);
}
