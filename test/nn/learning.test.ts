import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad } from '../../src/autograd/index.js';
import { Module, mlp } from '../../src/nn/index.js';
import { argmax, binaryCrossEntropy, mseLoss, softmaxCrossEntropy } from '../../src/ops/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/index.js';

/**
 * Full-batch gradient descent, w := w − ε·∂C/∂w, written here rather than taken from src/optim so
 * these tests check the layers alone. Returns the loss of the last step.
 */
function gradientDescent(model: Module, cost: () => Tensor, steps: number, learningRate: number): number {
  let loss = NaN;
  for (let step = 0; step < steps; step++) {
    model.zeroGrad();
    const c = cost();
    loss = c.item();
    c.backward();
    noGrad(() => {
      for (const parameter of model.parameters()) {
        const gradient = parameter.grad!.data;
        for (let i = 0; i < parameter.size; i++) parameter.data[i] -= learningRate * gradient[i];
      }
    });
  }
  return loss;
}

test('a 2-4-1 network learns XOR (five seeds)', () => {
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const target = tensor([[0], [1], [1], [0]]);
  for (let seed = 0; seed < 5; seed++) {
    const model = mlp({ sizes: [2, 4, 1], activation: 'tanh', outputActivation: 'sigmoid', seed });
    const loss = gradientDescent(model, () => binaryCrossEntropy(model.forward(x), target), 1500, 0.5);
    const output = noGrad(() => model.eval().forward(x)).data;
    assert.ok(loss < 0.05, `seed ${seed}: loss ${loss}`);
    [0, 1, 1, 0].forEach((expected, i) => assert.ok(Math.abs(output[i] - expected) < 0.1, `seed ${seed}: XOR row ${i} gives ${output[i]}`));
  }
});

test('a 1-24-1 tanh network fits y = sin(x) on [−π, π]: max error < 0.08, mean error < 0.035 between the training points', () => {
  const count = 64;
  const grid = (n: number): number[] => Array.from({ length: n }, (_, i) => -Math.PI + (2 * Math.PI * i) / (n - 1));
  const xs = grid(count);
  const x = tensor(xs.map((v) => [v]));
  const target = tensor(xs.map((v) => [Math.sin(v)]));
  const model = mlp({ sizes: [1, 24, 1], activation: 'tanh', seed: 1 });
  gradientDescent(model, () => mseLoss(model.forward(x), target), 15000, 0.04);
  // Judged on 1001 points, most of them between the 64 training points.
  const probe = grid(1001);
  const prediction = noGrad(() => model.eval().forward(tensor(probe.map((v) => [v])))).data;
  let maxError = 0;
  let totalError = 0;
  probe.forEach((v, i) => {
    const error = Math.abs(prediction[i] - Math.sin(v));
    maxError = Math.max(maxError, error);
    totalError += error;
  });
  assert.ok(maxError < 0.08, `max error ${maxError}`);
  assert.ok(totalError / probe.length < 0.035, `mean error ${totalError / probe.length}`);
});

/** Two interleaved spiral arms (1.5 turns each), radius 0.1 to 1, Gaussian noise `noise` on each coordinate. */
function spiral(perClass: number, noise: number, seed: number): { x: Tensor; labels: number[] } {
  const rng = new Rng(seed);
  const points: number[][] = [];
  const labels: number[] = [];
  for (let label = 0; label < 2; label++) {
    for (let i = 0; i < perClass; i++) {
      const radius = 0.1 + (0.9 * i) / (perClass - 1);
      const angle = 3 * Math.PI * radius + label * Math.PI;
      points.push([radius * Math.cos(angle) + noise * rng.normal(), radius * Math.sin(angle) + noise * rng.normal()]);
      labels.push(label);
    }
  }
  return { x: tensor(points), labels };
}

function accuracy(model: Module, data: { x: Tensor; labels: number[] }): number {
  const predicted = argmax(noGrad(() => model.forward(data.x)));
  return data.labels.filter((label, i) => predicted[i] === label).length / data.labels.length;
}

test('a 2-16-16-2 network separates a two-arm spiral: ≥ 95% accuracy on the training set and on a fresh draw', () => {
  const training = spiral(100, 0.02, 5);
  const model = mlp({ sizes: [2, 16, 16, 2], activation: 'tanh', seed: 2 });
  const before = accuracy(model, training);
  gradientDescent(model, () => softmaxCrossEntropy(model.forward(training.x), training.labels), 2000, 0.5);
  model.eval();
  const trained = accuracy(model, training);
  const fresh = accuracy(model, spiral(100, 0.02, 6));
  assert.ok(before < 0.8, `the untrained network should not already separate the spiral (${before})`);
  assert.ok(trained >= 0.95, `training accuracy ${trained}`);
  assert.ok(fresh >= 0.95, `accuracy on a fresh draw ${fresh}`);
});
