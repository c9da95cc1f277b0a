import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { noGrad } from '../../src/autograd/index.js';
import { DenseLayerDocument, DocumentError, ModelDocument, fromModelDocument, parseModelDocument, shortestFloat32, toModelDocument, validateModelDocument } from '../../src/io/index.js';
import { Activation, Dense, Dropout, Module, Sequential, mlp, recordActivations } from '../../src/nn/index.js';
import { halfSquaredError } from '../../src/ops/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { BackpropError } from '../../src/util/index.js';

/** The hand-written XOR network of docs/model-format.md (the first ```json block there). */
function documentedExample(): ModelDocument {
  const markdown = readFileSync('docs/model-format.md', 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(markdown);
  assert.ok(block, 'docs/model-format.md has a ```json example');
  return JSON.parse(block[1]);
}

const bitsOf = (t: Tensor): number[] => Array.from(t.dtype === 'float64' ? new BigUint64Array(t.data.buffer, t.data.byteOffset, t.size) : new Uint32Array(t.data.buffer, t.data.byteOffset, t.size), Number);

function assertSameWeights(a: Module, b: Module): void {
  const left = a.namedParameters();
  const right = b.namedParameters();
  assert.deepEqual(left.map(([name]) => name), right.map(([name]) => name));
  left.forEach(([name, p], i) => assert.deepEqual(bitsOf(right[i][1]), bitsOf(p), `${name} differs in some bit`));
}

test('the documented example loads and computes XOR', () => {
  const model = fromModelDocument(documentedExample());
  assert.equal(model.training, false, 'loaded models start in evaluation mode');
  const output = model.forward(tensor([[0, 0], [0, 1], [1, 0], [1, 1]])).data;
  [0, 1, 1, 0].forEach((expected, i) => assert.ok(Math.abs(output[i] - expected) < 1e-4, `row ${i}: ${output[i]}`));
  // x = (1, 0): z¹ = (10, 10), so a¹ = σ(10)·(1, 1) and z² = 40·σ(10) − 30.
  const a1 = 1 / (1 + Math.exp(-10));
  assert.ok(Math.abs(output[2] - 1 / (1 + Math.exp(-(40 * a1 - 30)))) < 1e-6);
});

test('model → document → JSON text → model restores every float32 bit, and the text is stable', () => {
  const model = new Sequential([
    new Dense({ inputs: 3, units: 4, activation: { name: 'leakyRelu', slope: 0.2 }, seed: 1 }),
    new Dropout({ rate: 0.25, mode: 'classic' }),
    new Dense({ inputs: 4, units: 4, activation: 'tanh', bias: false, seed: 2 }),
    new Activation({ name: 'elu', alpha: 0.5 }),
    new Dense({ inputs: 4, units: 2, activation: 'softmax', seed: 3 }),
  ]);
  // Awkward float32 values: the smallest subnormal, the largest finite, the smallest normal, 1/3, a long mantissa.
  const awkward = [1.401298464324817e-45, 3.4028234663852886e38, 1.1754943508222875e-38, -1 / 3, 16777215, -2.5e-40];
  model.parameters()[0].data.set(awkward);
  const text = JSON.stringify(toModelDocument(model, { metadata: { name: 'round trip' } }));
  const loaded = fromModelDocument(JSON.parse(text));
  assertSameWeights(model, loaded);
  assert.equal(JSON.stringify(toModelDocument(loaded, { metadata: { name: 'round trip' } })), text);
  assert.deepEqual(loaded.layers.map(String), model.layers.map(String));
  model.eval();
  const x = tensor([[0.5, -1, 2], [1, 1, -3]]);
  assert.deepEqual(Array.from(loaded.forward(x).data), Array.from(model.forward(x).data));
});

test('any finite float32 weight survives the JSON round trip bit for bit (property)', () => {
  const layer = new Dense({ inputs: 8, units: 1, bias: false });
  fc.assert(
    fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 8, maxLength: 8 }), (values) => {
      layer.weight.data.set(values.map((v) => (Object.is(v, -0) ? 0 : v))); // JSON has no −0 (documented)
      const loaded = fromModelDocument(JSON.parse(JSON.stringify(toModelDocument(layer))));
      assert.deepEqual(bitsOf(loaded.parameters()[0]), bitsOf(layer.weight));
    }),
    { numRuns: 300 },
  );
  // shortestFloat32 picks the shortest decimal: the float32 nearest 0.1 is written "0.1".
  assert.equal(shortestFloat32(Math.fround(0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(1e-45)), 1e-45);
});

test('float64 models round-trip exactly too', () => {
  const layer = new Dense({ inputs: 5, units: 3, dtype: 'float64', seed: 4 });
  const document = toModelDocument(layer);
  assert.equal(document.dtype, 'float64');
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
      layer.weight.data[7] = Object.is(value, -0) ? 0 : value;
      assertSameWeights(layer, fromModelDocument(JSON.parse(JSON.stringify(toModelDocument(layer)))).layers[0]);
    }),
    { numRuns: 200 },
  );
});

test('documents are normalised: canonical activation names, parameters written out, defaults filled', () => {
  const example = documentedExample();
  const first = example.layers[0] as { activation: unknown; bias?: boolean };
  first.activation = 'leaky_relu';
  delete first.bias;
  example.layers.splice(1, 0, { type: 'dropout', rate: 0.5 } as never);
  const normal = validateModelDocument(example);
  assert.deepEqual(normal.layers[0], { type: 'dense', inputs: 2, units: 2, activation: { name: 'leakyRelu', slope: 0.01 }, bias: true, weights: [[20, 20], [-20, -20]], biases: [-10, 30] });
  assert.deepEqual(normal.layers[1], { type: 'dropout', rate: 0.5, mode: 'inverted' });
  assert.equal(normal.dtype, 'float32');
  assert.deepEqual(normal.metadata, example.metadata);
});

test('the free-form areas are deep copies and must be plain JSON', () => {
  const training = { config: { lr: 0.1, layers: [4, 2] }, metrics: { accuracy: 0.9 } };
  const document = toModelDocument(mlp({ sizes: [2, 1] }), { training, preprocessing: { scaler: { mean: [0.5, 1] } } });
  training.config.lr = 5;
  assert.deepEqual(document.training, { config: { lr: 0.1, layers: [4, 2] }, metrics: { accuracy: 0.9 } });
  assert.deepEqual(document.preprocessing, { scaler: { mean: [0.5, 1] } });
  const odd = JSON.parse('{"__proto__": {"polluted": true}, "note": "kept"}');
  const copied = toModelDocument(mlp({ sizes: [2, 1] }), { metadata: odd }).metadata!;
  assert.equal(Object.getPrototypeOf(copied), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(copied)), odd, 'a "__proto__" key is copied as data');
  assert.throws(() => toModelDocument(mlp({ sizes: [2, 1] }), { training: { metrics: { r2: NaN } } }), /^DocumentError: training\.metrics\.r2: expected a finite number \(JSON has no NaN\), got NaN$/);
  assert.throws(() => toModelDocument(mlp({ sizes: [2, 1] }), { metadata: { when: new Date(0) } as never }), /metadata\.when: expected a JSON value/);
});

test('toModelDocument refuses what JSON cannot hold and layers it does not know', () => {
  const model = mlp({ sizes: [2, 2, 1], seed: 1 });
  model.parameters()[0].data[1] = NaN;
  assert.throws(() => toModelDocument(model), /^BackpropError: toModelDocument: 0\.weight element 1 is NaN; JSON cannot hold non-finite weights$/);
  class Custom extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => toModelDocument(new Sequential([new Custom()])), /toModelDocument: Custom has no document form; supported layers are Dense, Activation and Dropout inside Sequential/);
});

type Mutation = (document: Record<string, any>) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

// Each bad document is the documented example with one change, and the exact message expected.
const BAD_DOCUMENTS: [string, Mutation, string][] = [
  ['not an object', () => [], 'model document: expected an object, got an array of 0'],
  ['wrong format', (d) => { d.format = 'keras'; }, 'format: expected "backprop.model", got "keras"'],
  ['unknown version', (d) => { d.version = 2; }, 'version: unsupported version 2; this backprop reads version 1'],
  ['missing version', (d) => { delete d.version; }, 'version: missing; expected 1'],
  ['bad dtype', (d) => { d.dtype = 'float16'; }, 'dtype: expected "float32" or "float64", got "float16"'],
  ['unknown top-level field', (d) => { d.weights = []; }, 'weights: unknown field; expected one of "format", "version", "dtype", "layers", "metadata", "training", "preprocessing"'],
  ['layers not an array', (d) => { d.layers = {}; }, 'layers: expected an array of layers, got an object'],
  ['no layers', (d) => { d.layers = []; }, 'layers: expected at least one layer, got none'],
  ['layer not an object', (d) => { d.layers[1] = 5; }, 'layers[1]: expected an object, got 5'],
  ['unknown layer type', (d) => { d.layers[0].type = 'conv'; }, 'layers[0].type: unknown layer type "conv"; expected one of "dense", "activation", "dropout"'],
  ['missing layer type', (d) => { delete d.layers[1].type; }, 'layers[1].type: unknown layer type undefined; expected one of "dense", "activation", "dropout"'],
  ['misspelt field', (d) => { d.layers[0].weight = d.layers[0].weights; }, 'layers[0].weight: unknown field; expected one of "type", "inputs", "units", "activation", "bias", "weights", "biases"'],
  ['inputs zero', (d) => { d.layers[0].inputs = 0; }, 'layers[0].inputs: expected an integer >= 1, got 0'],
  ['units fractional', (d) => { d.layers[0].units = 1.5; }, 'layers[0].units: expected an integer >= 1, got 1.5'],
  ['units do not match the rows', (d) => { d.layers[0].units = 3; }, 'layers[0].units: 3 does not match weights rows 2'],
  ['a row of the wrong length', (d) => { d.layers[0].weights[1] = [1, 2, 3]; }, 'layers[0].inputs: 2 does not match the length 3 of weights[1]'],
  ['a row that is not an array', (d) => { d.layers[0].weights[0] = 5; }, 'layers[0].weights[0]: expected a row of 2 numbers, got 5'],
  ['weights missing', (d) => { delete d.layers[1].weights; }, 'layers[1].weights: expected an array of 1 rows of 2 numbers, got undefined'],
  ['a string weight', (d) => { d.layers[0].weights[1][0] = 'abc'; }, 'layers[0].weights[1][0]: expected a finite number, got "abc"'],
  ['a null weight', (d) => { d.layers[1].weights[0][1] = null; }, 'layers[1].weights[0][1]: expected a finite number, got null'],
  ['a NaN weight', (d) => { d.layers[1].weights[0][0] = NaN; }, 'layers[1].weights[0][0]: expected a finite number, got NaN'],
  ['a weight beyond float32', (d) => { d.layers[0].weights[0][0] = 1e39; }, 'layers[0].weights[0][0]: 1e+39 is outside the float32 range (about ±3.4e38)'],
  ['consecutive sizes differ', (d) => { d.layers[1].inputs = 3; d.layers[1].weights = [[1, 2, 3]]; }, 'layers[1].inputs: 3 does not match the output size 2 of layers[0]'],
  ['sizes differ across an activation layer', (d) => { d.layers.splice(1, 0, { type: 'activation', activation: 'relu' }); d.layers[2].inputs = 3; d.layers[2].weights = [[1, 2, 3]]; }, 'layers[2].inputs: 3 does not match the output size 2 of layers[0]'],
  ['bias not boolean', (d) => { d.layers[0].bias = 'yes'; }, 'layers[0].bias: expected true or false, got "yes"'],
  ['biases missing', (d) => { delete d.layers[0].biases; }, 'layers[0].biases: missing; bias is true, so 2 biases are needed'],
  ['biases of the wrong length', (d) => { d.layers[0].biases = [1]; }, 'layers[0].biases: has 1 entries, expected units = 2'],
  ['biases although bias is false', (d) => { d.layers[0].bias = false; }, 'layers[0].biases: present although bias is false'],
  ['a bad bias value', (d) => { d.layers[0].biases[1] = '1'; }, 'layers[0].biases[1]: expected a finite number, got "1"'],
  ['unknown activation', (d) => { d.layers[0].activation = 'relu6'; }, 'layers[0].activation: unknown activation "relu6"; expected one of "identity", "sigmoid", "tanh", "relu", "leakyRelu", "noisyRelu", "elu", "selu", "softplus", "gelu", "silu", "softmax", "logSoftmax"'],
  ['missing activation', (d) => { delete d.layers[0].activation; }, 'layers[0].activation: missing; expected an activation name such as "relu"'],
  ['bad activation parameter', (d) => { d.layers[0].activation = { name: 'leakyRelu', slope: 'x' }; }, 'layers[0].activation: slope must be a finite number, got "x"'],
  ['parameter of another activation', (d) => { d.layers[0].activation = { name: 'tanh', alpha: 1 }; }, 'layers[0].activation: activation "tanh" has no parameter "alpha"'],
  ['dropout rate 1', (d) => { d.layers.splice(1, 0, { type: 'dropout', rate: 1 }); }, 'layers[1].rate: expected a number in [0, 1), got 1'],
  ['dropout mode unknown', (d) => { d.layers.splice(1, 0, { type: 'dropout', rate: 0.5, mode: 'weird' }); }, 'layers[1].mode: expected "inverted" or "classic", got "weird"'],
  ['metadata not an object', (d) => { d.metadata = ['a', 'b']; }, 'metadata: expected an object, got an array of 2'],
  ['preprocessing with NaN', (d) => { d.preprocessing = { scaler: { std: [1, NaN] } }; }, 'preprocessing.scaler.std[1]: expected a finite number (JSON has no NaN), got NaN'],
];

test('bad documents are rejected with a message naming the field (table)', () => {
  for (const [what, mutate, message] of BAD_DOCUMENTS) {
    const document: Record<string, unknown> = documentedExample() as never;
    const replaced = mutate(document);
    const bad = replaced === undefined ? document : replaced;
    assert.throws(() => fromModelDocument(bad), (error: unknown) => {
      assert.ok(error instanceof DocumentError && error instanceof BackpropError, `${what}: ${String(error)}`);
      assert.equal(error.message, message, what);
      assert.equal(error.path, message.slice(0, message.indexOf(': ')), what);
      return true;
    }, what);
  }
});

test('float64 documents accept numbers beyond the float32 range', () => {
  const document = documentedExample();
  document.dtype = 'float64';
  (document.layers[0] as DenseLayerDocument).weights[0][0] = 1e39;
  assert.equal(fromModelDocument(document).parameters()[0].data[0], 1e39);
});

test('a float32 document can be built in float64 (for gradient checks) with the same values', () => {
  const model = mlp({ sizes: [3, 4, 2], activation: 'tanh', seed: 9 });
  const wide = fromModelDocument(toModelDocument(model), { dtype: 'float64' });
  assert.ok(wide.parameters().every((p) => p.dtype === 'float64'));
  wide.parameters().forEach((p, i) => assert.deepEqual(Array.from(p.data), Array.from(model.parameters()[i].data)));
  assert.throws(() => fromModelDocument(toModelDocument(model), { dtype: 'float16' as never }), /fromModelDocument: dtype must be "float32" or "float64", got "float16"/);
});

test('parseModelDocument reports text that is not JSON', () => {
  assert.throws(() => parseModelDocument('{"format": '), /^DocumentError: model document: not valid JSON \(/);
  assert.equal(parseModelDocument(JSON.stringify(documentedExample())).layers.length, 2);
});

test('a hand-written document reproduces the textbook worked example (Mazur, "A Step by Step Backpropagation Example")', () => {
  // 2-2-2 sigmoid network; h₁ = σ(w₁i₁ + w₂i₂ + b₁), h₂ = σ(w₃i₁ + w₄i₂ + b₁), o₁ = σ(w₅h₁ + w₆h₂ + b₂), o₂ = σ(w₇h₁ + w₈h₂ + b₂),
  // E = Σ ½(target − out)². The published hand-computed values are quoted to 9 digits.
  const model = fromModelDocument({
    format: 'backprop.model', version: 1, dtype: 'float64',
    layers: [
      { type: 'dense', inputs: 2, units: 2, activation: 'sigmoid', weights: [[0.15, 0.2], [0.25, 0.3]], biases: [0.35, 0.35] },
      { type: 'dense', inputs: 2, units: 2, activation: 'sigmoid', weights: [[0.4, 0.45], [0.5, 0.55]], biases: [0.6, 0.6] },
    ],
  }).train();
  const [hidden, output] = recordActivations(model).map(([, layer]) => layer);
  const loss = halfSquaredError(model.forward(tensor([[0.05, 0.1]], { dtype: 'float64' })), tensor([[0.01, 0.99]], { dtype: 'float64' }));
  loss.backward();
  const near = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 1e-8, `${what}: ${actual}, published ${expected}`);
  near(hidden.lastForward!.preActivation.data[0], 0.3775, 'net_h1');
  near(hidden.lastForward!.activation.data[0], 0.593269992, 'out_h1');
  near(hidden.lastForward!.activation.data[1], 0.596884378, 'out_h2');
  near(output.lastForward!.preActivation.data[0], 1.105905967, 'net_o1');
  near(output.lastForward!.activation.data[0], 0.75136507, 'out_o1');
  near(output.lastForward!.activation.data[1], 0.772928465, 'out_o2');
  near(loss.item(), 0.298371109, 'E_total');
  near(output.lastForward!.preActivation.grad!.data[0], 0.138498562, 'δ_o1 = ∂E/∂net_o1');
  // One step of gradient descent with η = 0.5 on the weights (the example leaves the biases alone).
  noGrad(() => {
    for (const layer of [hidden, output] as Dense[]) layer.weight.data.forEach((w, i) => (layer.weight.data[i] = w - 0.5 * layer.weight.grad!.data[i]));
  });
  const updated = [...(hidden as Dense).weight.data, ...(output as Dense).weight.data];
  const published = [0.149780716, 0.19956143, 0.24975114, 0.29950229, 0.35891648, 0.408666186, 0.51130127, 0.561370121];
  published.forEach((w, i) => near(updated[i], w, `w${i + 1}⁺`));
});
