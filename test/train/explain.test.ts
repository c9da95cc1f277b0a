import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Activation, Dense, Dropout, sequential } from '../../src/nn/index.js';
import { tensor } from '../../src/tensor/index.js';
import { explainStep } from '../../src/train/index.js';
import { assertClose } from '../helpers.js';

/** A 2-2-1 sigmoid network with the textbook quadratic cost, every number derived by hand below. */
function network() {
  const hidden = new Dense({ inputs: 2, units: 2, activation: 'sigmoid', seed: 1 });
  const output = new Dense({ inputs: 2, units: 1, seed: 2 }); // identity, then a separate Activation layer
  hidden.weight.data.set([0.1, 0.8, 0.4, 0.6]);
  hidden.bias!.data.set([0, 0]);
  output.weight.data.set([0.3, 0.9]);
  output.bias!.data.set([0]);
  return sequential([hidden, new Dropout({ rate: 0.5, seed: 3 }), output, new Activation('sigmoid')]);
}

test('explainStep reproduces a forward and backward pass worked out by hand', () => {
  const sigma = (z: number) => 1 / (1 + Math.exp(-z));
  const x = [0.35, 0.9];
  const t = 0.5;
  const lr = 0.5;
  // Forward: z¹ = W¹x, a¹ = σ(z¹), z² = W²a¹, a² = σ(z²).
  const z1 = [0.1 * 0.35 + 0.8 * 0.9, 0.4 * 0.35 + 0.6 * 0.9]; // [0.755, 0.68]
  const a1 = z1.map(sigma);
  const z2 = 0.3 * a1[0] + 0.9 * a1[1];
  const a2 = sigma(z2);
  const cost = 0.5 * (a2 - t) ** 2;
  // Backward: δ² = (a² − t)·σ′(z²), δ¹ = (W²)ᵀδ² ⊙ σ′(z¹).
  const delta2 = (a2 - t) * a2 * (1 - a2);
  const delta1 = [0.3 * delta2 * a1[0] * (1 - a1[0]), 0.9 * delta2 * a1[1] * (1 - a1[1])];
  // Published values of this classic example (4 decimals), as a sanity check of the hand algebra.
  assert.equal(a2.toFixed(4), '0.6903');
  assert.equal(delta2.toFixed(4), '0.0407');

  const result = explainStep(network(), tensor([x]), tensor([[t]]), { loss: 'halfSquaredError', lr });
  assert.equal(result.layers.length, 2);
  const [hidden, output] = result.layers;
  assertClose('z1', hidden.z[0], z1, 1e-7);
  assertClose('a1', hidden.a[0], a1, 1e-7);
  assertClose('z2', output.z[0], [z2], 1e-7);
  assertClose('a2', output.a[0], [a2], 1e-7);
  assert.ok(Math.abs(result.loss - cost) < 1e-9);
  assertClose('∂C/∂a2', output.gradA[0], [a2 - t], 1e-7);
  assertClose('σ′(z2)', output.derivative![0], [a2 * (1 - a2)], 1e-7);
  assertClose('δ2', output.delta[0], [delta2], 1e-9);
  assertClose('δ1', hidden.delta[0], delta1, 1e-9);
  assertClose('∂C/∂W2', output.gradWeights[0], [delta2 * a1[0], delta2 * a1[1]], 1e-9);
  assertClose('∂C/∂b2', output.gradBiases!, [delta2], 1e-9);
  assertClose('∂C/∂W1 row 0', hidden.gradWeights[0], [delta1[0] * x[0], delta1[0] * x[1]], 1e-9);
  assertClose('∂C/∂W1 row 1', hidden.gradWeights[1], [delta1[1] * x[0], delta1[1] * x[1]], 1e-9);
  assertClose('∂C/∂x', result.gradInput[0], [0.1 * delta1[0] + 0.4 * delta1[1], 0.8 * delta1[0] + 0.6 * delta1[1]], 1e-9);
  // w := w − ε·∂C/∂w
  assertClose('W2 after', output.updatedWeights[0], [0.3 - lr * delta2 * a1[0], 0.9 - lr * delta2 * a1[1]], 1e-7);
  assertClose('W1 after', hidden.updatedWeights[0], [0.1 - lr * delta1[0] * x[0], 0.8 - lr * delta1[0] * x[1]], 1e-7);
  assert.equal(output.activation, 'sigmoid');
  assert.deepEqual(hidden.input, [x.map((v) => Math.fround(v))]);
});

test('explainStep over a batch averages the gradients and leaves the model unchanged', () => {
  const model = network();
  const before = model.parameters().map((p) => Array.from(p.data));
  const batch = explainStep(model, tensor([[0.35, 0.9], [0.1, -0.2]]), tensor([[0.5], [0.2]]), { loss: 'halfSquaredError', lr: 0.1 });
  const one = explainStep(model, tensor([[0.35, 0.9]]), tensor([[0.5]]), { loss: 'halfSquaredError', lr: 0.1 });
  const two = explainStep(model, tensor([[0.1, -0.2]]), tensor([[0.2]]), { loss: 'halfSquaredError', lr: 0.1 });
  const mean = one.layers[0].gradWeights.map((row, i) => row.map((v, j) => (v + two.layers[0].gradWeights[i][j]) / 2));
  mean.forEach((row, i) => assertClose(`mean gradient row ${i}`, batch.layers[0].gradWeights[i], row, 1e-12));
  assert.equal(batch.layers[0].z.length, 2);
  assert.deepEqual(model.parameters().map((p) => Array.from(p.data)), before);
});

test('explainStep with class labels and softmax cross-entropy: δᴸ = softmax(z) − onehot', () => {
  const layer = new Dense({ inputs: 2, units: 3, seed: 4 });
  const result = explainStep(sequential([layer]), tensor([[1, -1]]), Int32Array.from([2]), { loss: 'softmaxCrossEntropy', lr: 1 });
  const z = result.layers[0].z[0];
  const exp = z.map(Math.exp);
  const total = exp.reduce((a, b) => a + b, 0);
  assertClose('δ', result.layers[0].delta[0], exp.map((e, j) => e / total - (j === 2 ? 1 : 0)), 1e-12);
  assert.ok(Math.abs(result.loss - (Math.log(total) - z[2])) < 1e-12);
});
