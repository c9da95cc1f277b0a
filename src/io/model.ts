import type { DType, FloatArray } from '../kernels/index.js';
import { Activation, ActivationName, ActivationSpec, ACTIVATIONS, Dense, Dropout, DropoutMode, Module, RandomOptions, Sequential, resolveActivation } from '../nn/index.js';
import { generatorFrom } from '../nn/random.js';
import { BackpropError, formatValue } from '../util/errors.js';
import {
  DocumentError, JsonObject, copyJsonObject, describe, expectArray, expectBoolean, expectFloat, expectInteger, expectObject, expectOnlyKeys,
} from './fields.js';

/**
 * The versioned model document: a network as plain JSON-ready objects (no file system here; the
 * caller reads and writes the text). See docs/model-format.md for the format with an example.
 */
export const MODEL_FORMAT = 'backprop.model';
export const MODEL_VERSION = 1;

/** An activation as written: its name, or `{ name, ...parameters }` when it has parameters. */
export type ActivationDocument = ActivationName | ActivationSpec;

/** z = x·Wᵀ + b, a = f(z); `weights` is [units][inputs] (row j: the weights into neuron j). */
export interface DenseLayerDocument {
  type: 'dense';
  inputs: number;
  units: number;
  activation: ActivationDocument;
  bias: boolean;
  weights: number[][];
  /** [units]; present exactly when `bias` is true. */
  biases?: number[];
}

export interface ActivationLayerDocument {
  type: 'activation';
  activation: ActivationDocument;
}

export interface DropoutLayerDocument {
  type: 'dropout';
  rate: number;
  mode: DropoutMode;
}

export type LayerDocument = DenseLayerDocument | ActivationLayerDocument | DropoutLayerDocument;

export interface ModelDocument {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  /** The precision of the weights: 'float32' (default when absent) or 'float64'. */
  dtype: DType;
  /** The layers in order, each taking the previous one's output. */
  layers: LayerDocument[];
  /** Free-form: name, description, creation time, library version, … */
  metadata?: JsonObject;
  /** Free-form: the training configuration, history and final metrics (written by src/train). */
  training?: JsonObject;
  /** Free-form: how raw rows become inputs and outputs become labels (encoder, scaler). */
  preprocessing?: JsonObject;
}

/** The free-form areas of a document. */
export interface ModelDocumentExtras {
  metadata?: JsonObject;
  training?: JsonObject;
  preprocessing?: JsonObject;
}

const TOP_LEVEL_FIELDS = ['format', 'version', 'dtype', 'layers', 'metadata', 'training', 'preprocessing'] as const;
const EXTRA_FIELDS = ['metadata', 'training', 'preprocessing'] as const;
const LAYER_FIELDS = {
  dense: ['type', 'inputs', 'units', 'activation', 'bias', 'weights', 'biases'],
  activation: ['type', 'activation'],
  dropout: ['type', 'rate', 'mode'],
} as const;
const LAYER_TYPES = Object.keys(LAYER_FIELDS) as (keyof typeof LAYER_FIELDS)[];

/**
 * The shortest decimal that reads back as the same float32 (0.1 rather than 0.10000000149011612).
 * Any float32 printed with 9 significant digits reads back exactly, so the loop always ends.
 */
export function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

/**
 * Writes `model` (a Sequential of Dense, Activation and Dropout layers, nested Sequentials being
 * flattened, or one such layer) as a model document, with the given free-form areas (deep-copied;
 * they must hold only finite numbers, strings, booleans, null, arrays and plain objects).
 * Float32 weights are written as the shortest decimal that reads back to the same float32, float64
 * weights as they are, so `fromModelDocument` restores every bit (but −0 is written as 0, since
 * `JSON.stringify` cannot write −0). Non-finite weights are rejected with the parameter named.
 */
export function toModelDocument(model: Module, extras: ModelDocumentExtras = {}): ModelDocument {
  const layers = flattenLayers(model);
  const dtypes = new Set(model.parameters().map((p) => p.dtype));
  if (dtypes.size > 1) throw new BackpropError('toModelDocument: the model mixes float32 and float64 parameters');
  const dtype: DType = dtypes.has('float64') ? 'float64' : 'float32';
  const written: ModelDocument = { format: MODEL_FORMAT, version: MODEL_VERSION, dtype, layers: layers.map((layer) => layerDocument(layer, dtype)) };
  for (const key of EXTRA_FIELDS) {
    if (extras[key] !== undefined) written[key] = copyJsonObject(extras[key], key);
  }
  return written;
}

function flattenLayers(model: Module): Module[] {
  if (model instanceof Sequential) return model.layers.flatMap(flattenLayers);
  if (model instanceof Dense || model instanceof Activation || model instanceof Dropout) return [model];
  throw new BackpropError(`toModelDocument: ${model.constructor.name} has no document form; supported layers are Dense, Activation and Dropout inside Sequential`);
}

function activationDocument(spec: ActivationSpec): ActivationDocument {
  return Object.keys(ACTIVATIONS[spec.name].parameters).length === 0 ? spec.name : { ...spec };
}

function layerDocument(layer: Module, dtype: DType): LayerDocument {
  if (layer instanceof Dense) {
    const write = (values: FloatArray, offset: number, length: number, what: string): number[] => {
      const out = new Array<number>(length);
      for (let i = 0; i < length; i++) {
        const value = values[offset + i];
        if (!Number.isFinite(value)) throw new BackpropError(`toModelDocument: ${what} element ${offset + i} is ${value}; JSON cannot hold non-finite weights`);
        out[i] = dtype === 'float32' ? shortestFloat32(value) : value;
      }
      return out;
    };
    const weightName = layer.weight.name ?? 'weight';
    const weights = Array.from({ length: layer.units }, (_, row) => write(layer.weight.data, row * layer.inputs, layer.inputs, weightName));
    const written: DenseLayerDocument = {
      type: 'dense', inputs: layer.inputs, units: layer.units, activation: activationDocument(layer.activation), bias: layer.bias !== null, weights,
    };
    if (layer.bias) written.biases = write(layer.bias.data, 0, layer.units, layer.bias.name ?? 'bias');
    return written;
  }
  if (layer instanceof Activation) return { type: 'activation', activation: activationDocument(layer.activation) };
  const dropout = layer as Dropout;
  return { type: 'dropout', rate: dropout.rate, mode: dropout.mode };
}

/**
 * Checks every field of `value` against the format and returns a normalised copy (canonical
 * activation names, every parameter and default written out). Throws a `DocumentError` whose
 * message starts with the field path, e.g. `layers[0].units: 3 does not match weights rows 2`.
 */
export function validateModelDocument(value: unknown): ModelDocument {
  const root = expectObject(value, 'model document');
  expectOnlyKeys(root, '', TOP_LEVEL_FIELDS);
  if (root.format !== MODEL_FORMAT) throw new DocumentError('format', `expected ${JSON.stringify(MODEL_FORMAT)}, got ${describe(root.format)}`);
  if (root.version === undefined) throw new DocumentError('version', `missing; expected ${MODEL_VERSION}`);
  if (root.version !== MODEL_VERSION) {
    throw new DocumentError('version', `unsupported version ${formatValue(root.version)}; this backprop reads version ${MODEL_VERSION}`);
  }
  const dtype = root.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new DocumentError('dtype', `expected "float32" or "float64", got ${describe(root.dtype)}`);
  const layerValues = expectArray(root.layers, 'layers', 'an array of layers');
  if (layerValues.length === 0) throw new DocumentError('layers', 'expected at least one layer, got none');
  let width: number | null = null; // the output size of the layers so far (unknown before the first dense layer)
  let widthFrom = '';
  const layers = layerValues.map((layerValue, i): LayerDocument => {
    const path = `layers[${i}]`;
    const layer = expectObject(layerValue, path);
    const type = layer.type;
    if (typeof type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(type)) {
      throw new DocumentError(`${path}.type`, `unknown layer type ${describe(type)}; expected one of ${LAYER_TYPES.map((t) => JSON.stringify(t)).join(', ')}`);
    }
    expectOnlyKeys(layer, path, LAYER_FIELDS[type as keyof typeof LAYER_FIELDS]);
    if (type === 'dense') {
      const dense = readDense(layer, path, dtype === 'float32');
      if (width !== null && dense.inputs !== width) {
        throw new DocumentError(`${path}.inputs`, `${dense.inputs} does not match the output size ${width} of ${widthFrom}`);
      }
      width = dense.units;
      widthFrom = path;
      return dense;
    }
    if (type === 'activation') return { type, activation: readActivation(layer.activation, `${path}.activation`) };
    return readDropout(layer, path);
  });
  const normalised: ModelDocument = { format: MODEL_FORMAT, version: MODEL_VERSION, dtype, layers };
  for (const key of EXTRA_FIELDS) if (root[key] !== undefined) normalised[key] = copyJsonObject(root[key], key);
  return normalised;
}

function readActivation(value: unknown, path: string): ActivationDocument {
  if (value === undefined) throw new DocumentError(path, 'missing; expected an activation name such as "relu"');
  let spec: ActivationSpec;
  try {
    spec = resolveActivation(value, path);
  } catch (error) {
    if (error instanceof BackpropError) throw new DocumentError(path, error.message.slice(path.length + 2));
    throw error;
  }
  return activationDocument(spec);
}

function readDense(layer: Record<string, unknown>, path: string, float32: boolean): DenseLayerDocument {
  const inputs = expectInteger(layer.inputs, `${path}.inputs`, 1);
  const units = expectInteger(layer.units, `${path}.units`, 1);
  const activation = readActivation(layer.activation, `${path}.activation`);
  const bias = layer.bias === undefined ? true : expectBoolean(layer.bias, `${path}.bias`);
  const rows = expectArray(layer.weights, `${path}.weights`, `an array of ${units} rows of ${inputs} numbers`);
  if (rows.length !== units) throw new DocumentError(`${path}.units`, `${units} does not match weights rows ${rows.length}`);
  const weights = rows.map((row, j) => {
    const rowPath = `${path}.weights[${j}]`;
    const values = expectArray(row, rowPath, `a row of ${inputs} numbers`);
    if (values.length !== inputs) throw new DocumentError(`${path}.inputs`, `${inputs} does not match the length ${values.length} of weights[${j}]`);
    return values.map((v, k) => expectFloat(v, `${rowPath}[${k}]`, float32));
  });
  const dense: DenseLayerDocument = { type: 'dense', inputs, units, activation, bias, weights };
  if (bias) {
    if (layer.biases === undefined) throw new DocumentError(`${path}.biases`, `missing; bias is true, so ${units} biases are needed`);
    const biases = expectArray(layer.biases, `${path}.biases`, `an array of ${units} numbers`);
    if (biases.length !== units) throw new DocumentError(`${path}.biases`, `has ${biases.length} entries, expected units = ${units}`);
    dense.biases = biases.map((v, j) => expectFloat(v, `${path}.biases[${j}]`, float32));
  } else if (layer.biases !== undefined) {
    throw new DocumentError(`${path}.biases`, 'present although bias is false');
  }
  return dense;
}

function readDropout(layer: Record<string, unknown>, path: string): DropoutLayerDocument {
  const rate = layer.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new DocumentError(`${path}.rate`, `expected a number in [0, 1), got ${describe(rate)}`);
  const mode = layer.mode ?? 'inverted';
  if (mode !== 'inverted' && mode !== 'classic') throw new DocumentError(`${path}.mode`, `expected "inverted" or "classic", got ${describe(layer.mode)}`);
  return { type: 'dropout', rate, mode };
}

export interface FromModelDocumentOptions extends RandomOptions {
  /** The precision to build the model in (default: the document's `dtype`); 'float64' for gradient checks. */
  dtype?: DType;
}

/**
 * Builds the network a model document describes (validating it first; see `validateModelDocument`),
 * with exactly the stored weights, in evaluation mode (call `train()` to train it further).
 * Dropout layers and noisy ReLUs get generators forked in layer order from `rng`, or from
 * `new Rng(seed)`, or a fork of the default generator (see `setDefaultSeed`). The free-form areas are not used here; read them from the document.
 */
export function fromModelDocument(value: unknown, options: FromModelDocumentOptions = {}): Sequential {
  const checked = validateModelDocument(value);
  const dtype = options.dtype ?? checked.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new BackpropError(`fromModelDocument: dtype must be "float32" or "float64", got ${formatValue(dtype)}`);
  const rng = generatorFrom('fromModelDocument', options);
  const layers = checked.layers.map((layer): Module => {
    switch (layer.type) {
      case 'dense': {
        const dense = new Dense({
          inputs: layer.inputs, units: layer.units, activation: layer.activation, bias: layer.bias, init: 'zeros', dtype, rng,
        });
        // The numbers of a float32 document are float32 values, also when the model is built in float64.
        const values = (numbers: number[]): number[] => (checked.dtype === 'float32' && dtype === 'float64' ? numbers.map(Math.fround) : numbers);
        layer.weights.forEach((row, j) => dense.weight.data.set(values(row), j * layer.inputs));
        if (dense.bias && layer.biases) dense.bias.data.set(values(layer.biases));
        return dense;
      }
      case 'activation': return new Activation(layer.activation, { rng: rng.fork() });
      case 'dropout': return new Dropout({ rate: layer.rate, mode: layer.mode, rng: rng.fork() });
    }
  });
  return new Sequential(layers).eval();
}

/**
 * Parses JSON text into a validated model document; text that is not JSON becomes a DocumentError
 * at path "model document" with the parser's message.
 */
export function parseModelDocument(text: string): ModelDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DocumentError('model document', `not valid JSON (${(error as Error).message})`);
  }
  return validateModelDocument(value);
}
